"""How much of the growth reported for Kuaishou's 2022 616 festival is growth per merchant and per
buyer, and how the festival season shows up in quarterly GMV (notebook ``02_promotion_growth``).

- :mod:`~trustlab.promotion.growth`: growth decomposition, the fast-brand funnel, the trust-buy run rate.
- :mod:`~trustlab.promotion.forecast`: quarterly series, seasonal decomposition, forecasts and benchmarks.
- :mod:`~trustlab.promotion.effects`: quarter-of-year (festival-quarter) effects on quarterly GMV, each
  quarter against every other, checked by a bootstrap; :mod:`~trustlab.promotion.effects_narrative` words them.
- :mod:`~trustlab.promotion.backtest`: rolling-origin evaluation (MAPE, MASE, coverage) on common pairs.
- :mod:`~trustlab.promotion.analysis` and :mod:`~trustlab.promotion.narrative`: the notebook's run and its sentences.
- :mod:`~trustlab.promotion.selection`: the headline forecast method, chosen on data up to the training end only.
- :mod:`~trustlab.promotion.parameters`: rules across the notebook's parameters.

The data come from :mod:`trustlab.data.quarterly` and :mod:`trustlab.data.facts`; everything here is
computation over Series, DataFrames and plain values.
"""

from trustlab.promotion.analysis import METHOD_LABELS, OPTIMIZER_RESULTS, PromotionRun, analysis, run
from trustlab.promotion.backtest import Backtest, backtest, on_common_pairs, relative_mape, skill
from trustlab.promotion.effects import (
    TRENDS,
    EffectSpecifications,
    bootstrap_contrasts,
    effect_specifications,
    quarter_contrasts,
    quarter_effects,
)
from trustlab.promotion.effects_narrative import (
    effects_caveats,
    effects_paragraph,
    effects_summary,
    signed_percent_off_zero,
)
from trustlab.promotion.forecast import (
    BENCHMARK_MIN_QUARTERS,
    BENCHMARKS,
    MAX_INTERPOLATED_SHARE,
    METHODS,
    MIN_TRAIN_QUARTERS,
    MODELS,
    QUARTER_RE,
    SEASONAL_PERIOD,
    Forecast,
    SeasonalDecomposition,
    benchmark_forecast,
    decompose,
    fit_forecast,
    gmv_per_dau,
    interpolate_gaps,
    method_forecast,
    seasonal_scale,
    training_data,
    yoy_growth,
)
from trustlab.promotion.growth import (
    BASE_MISMATCH_NOTE,
    FESTIVAL_ENDS,
    FESTIVAL_START,
    FastBrandFunnel,
    GrowthDecomposition,
    decompose_growth,
    decomposition_table,
    fast_brand_funnel,
    gmv_per_merchant_change,
    trust_buy_run_rate,
)
from trustlab.promotion.narrative import (
    backtest_caption,
    backtest_sentence,
    breakeven_sentence,
    caveats,
    counted,
    coverage_verdict,
    decomposition_sentence,
    festival_versus_quarter,
    forecast_summary,
    headline_reason,
    holdout_caption,
    holdout_sentence,
    selection_caption,
    skill_verdict,
    summary,
    top_rooms_share,
    training_sentence,
)
from trustlab.promotion.parameters import Parameters, check_params, check_train_end
from trustlab.promotion.selection import (
    DEFAULT_METHOD,
    MIN_SELECTION_ORIGINS,
    Selection,
    first_origin,
    lowest_mape,
    select_method,
)
from trustlab.promotion.tables import draw_forecasts, errors_by_horizon, holdout_scores, holdout_table, method_table

__all__ = [
    "METHOD_LABELS",
    "headline_reason",
    "skill_verdict",
    "skill_of",
    "relative_mape",
    "PromotionRun",
    "analysis",
    "caveats",
    "run",
    "summary",
    "BENCHMARKS",
    "METHODS",
    "TRENDS",
    "EffectSpecifications",
    "benchmark_forecast",
    "effect_specifications",
    "method_forecast",
    "skill",
    "MAX_INTERPOLATED_SHARE",
    "MIN_TRAIN_QUARTERS",
    "MODELS",
    "QUARTER_RE",
    "SEASONAL_PERIOD",
    "Backtest",
    "Forecast",
    "SeasonalDecomposition",
    "backtest",
    "decompose",
    "fit_forecast",
    "gmv_per_dau",
    "interpolate_gaps",
    "quarter_effects",
    "training_data",
    "yoy_growth",
    "BASE_MISMATCH_NOTE",
    "FESTIVAL_ENDS",
    "FESTIVAL_START",
    "FastBrandFunnel",
    "GrowthDecomposition",
    "decompose_growth",
    "decomposition_table",
    "fast_brand_funnel",
    "gmv_per_merchant_change",
    "trust_buy_run_rate",
    "check_params",
    "check_train_end",
    "Parameters",
    "forecast_summary",
    "BENCHMARK_MIN_QUARTERS",
    "Selection",
    "first_origin",
    "lowest_mape",
    "select_method",
    "OPTIMIZER_RESULTS",
    "on_common_pairs",
    "seasonal_scale",
    "counted",
    "coverage_verdict",
    "quarter_contrasts",
    "bootstrap_contrasts",
    "effects_caveats",
    "effects_paragraph",
    "effects_summary",
    "signed_percent_off_zero",
    "DEFAULT_METHOD",
    "MIN_SELECTION_ORIGINS",
    "backtest_caption",
    "backtest_sentence",
    "breakeven_sentence",
    "decomposition_sentence",
    "festival_versus_quarter",
    "holdout_caption",
    "holdout_sentence",
    "selection_caption",
    "top_rooms_share",
    "training_sentence",
    "draw_forecasts",
    "errors_by_horizon",
    "holdout_scores",
    "holdout_table",
    "method_table",
]
