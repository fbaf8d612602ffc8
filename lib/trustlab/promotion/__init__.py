"""How much of the growth reported for Kuaishou's 2022 616 festival is growth per merchant and per
buyer, and how the festival season shows up in quarterly GMV (notebook ``02_promotion_growth``).

- :mod:`~trustlab.promotion.growth`: growth decomposition, the fast-brand funnel, the trust-buy run rate.
- :mod:`~trustlab.promotion.forecast`: quarterly series, seasonal decomposition, forecasts, backtest,
  quarter-of-year effects.
- :mod:`~trustlab.promotion.selection`: the headline forecast method, chosen on data up to the training end only.
- :mod:`~trustlab.promotion.parameters`: rules across the notebook's parameters.

The data come from :mod:`trustlab.data.quarterly` and :mod:`trustlab.data.facts`; everything here is
computation over Series, DataFrames and plain values.
"""

from trustlab.promotion.analysis import (
    METHOD_LABELS,
    PromotionRun,
    analysis,
    caveats,
    forecast_summary,
    headline_reason,
    run,
    skill_verdict,
    summary,
)
from trustlab.promotion.forecast import (
    BENCHMARKS,
    MAX_INTERPOLATED_SHARE,
    METHODS,
    MIN_TRAIN_QUARTERS,
    MODELS,
    QUARTER_RE,
    SEASONAL_PERIOD,
    TRENDS,
    Backtest,
    EffectSpecifications,
    Forecast,
    SeasonalDecomposition,
    backtest,
    benchmark_forecast,
    decompose,
    effect_specifications,
    fit_forecast,
    gmv_per_dau,
    interpolate_gaps,
    method_forecast,
    quarter_effects,
    skill,
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
from trustlab.promotion.parameters import Parameters, check_params, check_train_end
from trustlab.promotion.selection import BENCHMARK_MIN_QUARTERS, Selection, first_origin, lowest_mape, select_method

__all__ = [
    "METHOD_LABELS",
    "headline_reason",
    "skill_verdict",
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
]
