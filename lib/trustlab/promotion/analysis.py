"""Notebook ``02_promotion_growth`` as one function of its parameters: every recorded result and
the tables the notebook shows; the narrative built from them is in :mod:`trustlab.promotion.narrative`.

:func:`run` is the one orchestration: it computes everything (the notebook calls it once and displays
its parts); :func:`recorded_results` is its fast path (``fast:`` in the schema), the results of
:func:`run` without the notebook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from trustlab.data.facts import FAST_BRAND_ORDERS_ID, TRUST_BUY_FESTIVAL_ID
from trustlab.data.tables import DERIVED_STATUSES
from trustlab.promotion.backtest import Backtest, backtest, on_common_pairs, relative_mape
from trustlab.promotion.effects import EffectSpecifications, effect_specifications, effects_results
from trustlab.promotion.forecast import (
    BENCHMARKS,
    METHODS,
    MIN_TRAIN_QUARTERS,
    NOT_CONVERGED,
    TOO_SHORT,
    USABLE,
    Forecast,
    SeasonalDecomposition,
    benchmark_forecast,
    decompose,
    fit_forecast,
    seasonal_scale,
)
from trustlab.promotion.growth import (
    FastBrandFunnel,
    GrowthDecomposition,
    decompose_growth,
    fast_brand_funnel,
    trust_buy_run_rate,
)
from trustlab.promotion.parameters import Parameters, check_params
from trustlab.promotion.selection import MIN_SELECTION_ORIGINS, Selection, lowest_mape, select_method

DEFAULTS: dict[str, Any] = Parameters.defaults()  # notebook 02's defaults, from its contract
METHOD_LABELS = {
    "model": "model",
    "naive": "naive (the last quarter)",
    "drift": "drift (the average change carried forward)",
    "seasonal_naive": "seasonal naive (same quarter a year earlier)",
    "seasonal_naive_growth": "seasonal naive x latest year-on-year growth",
}
TRUST_BUY_LAUNCH_ID = "rights_trust_buy_launch_2021"
# Results an iterative optimizer computes (the SARIMAX or ETS fits and what is scored from them):
# compared between runs at trustlab.results.OPTIMIZER_RTOL, the rest at RESULT_RTOL.
OPTIMIZER_RESULTS = frozenset(
    {
        "forecast",
        "forecasts_by_method",
        "headline_forecast",
        "selection_mape_by_method",
        "selection_mase_by_method",
        "selection_relative_mape",
        "holdout_mape",
        "holdout_mase",
        "holdout_relative_mape",
        "headline_holdout_mape",
        "backtest_mape",
        "backtest_mape_by_method",
        "backtest_mase_by_method",
        "backtest_mape_by_horizon",
        "backtest_mase_by_horizon",
        "backtest_relative_mape",
        "seasonal_ar",
    }
)


@dataclass
class PromotionRun:
    """Everything notebook 02 shows for one parameter set; ``results`` is what it records.

    ``quarterly`` is the quarterly data as loaded (long: one row per quarter and metric, with its
    status and note), ``gap_reasons`` why each quarter without a value has none."""

    params: dict[str, Any]
    facts: pd.DataFrame
    decomposition: GrowthDecomposition
    funnel: FastBrandFunnel
    fast_brand_window: tuple
    trust_buy: pd.DataFrame
    trust_buy_window: tuple
    gmv: pd.Series
    status: pd.Series
    forecast: Forecast | None
    holdout: pd.DataFrame
    backtests: dict[str, Backtest]
    selection: Selection
    effects: EffectSpecifications
    results: dict[str, Any] = field(default_factory=dict)
    quarterly: pd.DataFrame = field(default_factory=pd.DataFrame)
    gap_reasons: dict[str, str] = field(default_factory=dict)

    @cached_property
    def seasonal(self) -> SeasonalDecomposition:
        """The additive decomposition of log GMV after labelled gap filling (section 4; not recorded,
        so computed only when shown)."""
        return decompose(self.gmv)


def _mape(forecast: pd.Series, actual: pd.Series) -> float:
    scored = actual.notna() & forecast.notna()
    if not scored.any():
        return float("nan")
    return float(((forecast[scored] - actual[scored]).abs() / actual[scored]).mean())


def _none_if_nan(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def _by_method(values: Mapping[str, float]) -> dict[str, float | None]:
    return {m: _none_if_nan(values[m]) for m in METHODS}


def _model_forecast(gmv: pd.Series, p: Mapping[str, Any]) -> tuple[Forecast | None, str]:
    """The model's fit at train_end and whether it can be used (USABLE, TOO_SHORT or NOT_CONVERGED)."""
    from trustlab.promotion.forecast import training_data

    if len(training_data(gmv, p["train_end"])) < MIN_TRAIN_QUARTERS[p["model"]]:
        return None, TOO_SHORT
    fc = fit_forecast(gmv, p["train_end"], p["model"], int(p["forecast_quarters"]), alpha=float(p["alpha"]))
    return fc, fc.status


def headline_method(selection: Selection, model_status: str) -> str:
    """The method the headline forecast uses: the selection's choice, unless that is the model and
    the model cannot be used at train_end; then the benchmark the selection ranks best."""
    if selection.method != "model" or model_status == USABLE:
        return selection.method
    return lowest_mape({m: v for m, v in selection.mape.items() if m != "model"})


def run(params: Mapping[str, Any]) -> PromotionRun:
    """Compute notebook 02 for ``params`` (missing keys take the contract's defaults), checked by
    :class:`~trustlab.promotion.parameters.Parameters`."""
    from trustlab.data import quarterly
    from trustlab.data.facts import fact_date, fact_value, load_facts
    from trustlab.promotion.forecast import training_data
    from trustlab.source_facts.rates import day_count, figure_per_day, figure_window

    p = check_params(params)
    frame = quarterly.load_quarterly(include_secondary=bool(p["include_secondary_sources"]))
    gmv = quarterly.wide(frame)["gmv_rmb_bn"]
    status = quarterly.wide_status(frame)["gmv_rmb_bn"]
    facts = load_facts()

    dec = decompose_growth(p["gmv_growth"], p["merchant_multiple"])
    fb_window = figure_window(facts, FAST_BRAND_ORDERS_ID, p["festival_end"])
    funnel = fast_brand_funnel(
        orders=fact_value(facts, FAST_BRAND_ORDERS_ID),
        room_views=fact_value(facts, "fastbrand_room_views_616_2022"),
        rooms_over_threshold=int(fact_value(facts, "fastbrand_rooms_over_10m_616_2022")),
        room_sales_threshold_rmb=fact_value(facts, "fastbrand_room_sales_threshold_616_2022"),
        average_order_value_rmb=p["average_order_value_rmb"],
        days=day_count(fb_window[0], fb_window[1]),
    )
    tb_window = figure_window(facts, TRUST_BUY_FESTIVAL_ID, p["festival_end"])
    ends = sorted({str(tb_window[1]), "2022-06-19", "2022-06-14"}, reverse=True)
    trust = trust_buy_run_rate(
        fact_value(facts, "rights_trust_buy_orders_2021"),
        fact_value(facts, TRUST_BUY_FESTIVAL_ID),
        festival_start=str(tb_window[0]),
        festival_ends=ends,
        dated_end=str(tb_window[1]),
    )
    dated = trust[trust["dated"]].iloc[0]
    launch = fact_date(facts, TRUST_BUY_LAUNCH_ID)
    days_since_launch = day_count(launch, "2021-12-31")

    te, h, model, alpha = p["train_end"], int(p["forecast_quarters"]), p["model"], float(p["alpha"])
    horizon = int(p["backtest_horizon"])
    fc, model_status = _model_forecast(gmv, p)
    train = training_data(gmv, te)
    index = pd.period_range(pd.Period(te, "Q") + 1, periods=h, freq="Q", name="quarter")
    holdout = pd.DataFrame(index=index)
    holdout["model"] = fc.table["forecast"] if fc is not None else np.nan
    holdout["model_lower"] = fc.table["lower"] if fc is not None else np.nan
    holdout["model_upper"] = fc.table["upper"] if fc is not None else np.nan
    for b in BENCHMARKS:
        holdout[b] = benchmark_forecast(gmv, te, b, h)
    holdout["actual"] = gmv.reindex(holdout.index)
    holdout["actual_status"] = status.reindex(holdout.index).fillna("")
    holdout_mape = {m: _mape(holdout[m], holdout["actual"]) for m in METHODS}
    scale = seasonal_scale(train["value"])
    holdout_mase = {m: _mase(holdout[m], holdout["actual"], scale) for m in METHODS}
    scored = holdout["actual"].notna()
    with_interval = scored & holdout["model_lower"].notna()
    inside = (holdout["actual"] >= holdout["model_lower"]) & (holdout["actual"] <= holdout["model_upper"])
    holdout_covered = [int(inside[with_interval].sum()), int(with_interval.sum())]

    backtests: dict[str, Backtest] = {}
    if pd.Period(te, "Q") < gmv.dropna().index.max():
        raw = {m: backtest(gmv, te, model, horizon, alpha=alpha, method=m) for m in METHODS}
        backtests = on_common_pairs(raw)
    bt_mape = {m: (backtests[m].mape if backtests else float("nan")) for m in METHODS}
    bt_mase = {m: (backtests[m].mase if backtests else float("nan")) for m in METHODS}
    bt_relative, best = relative_mape(bt_mape["model"], {b: bt_mape[b] for b in BENCHMARKS})
    ho_relative, ho_best = relative_mape(holdout_mape["model"], {b: holdout_mape[b] for b in BENCHMARKS})
    # The headline method is chosen on data up to train_end only; the quarters after it evaluate, never choose.
    selection = select_method(gmv, te, model, horizon, alpha=alpha)
    sel_mape = selection.mape
    sel_relative, sel_best = relative_mape(sel_mape["model"], {b: sel_mape[b] for b in BENCHMARKS})
    headline = headline_method(selection, model_status)
    origins = selection.origins

    effects = effect_specifications(gmv)
    seasonal_ar = fc.params.get("ar.S.L4", float("nan")) if fc is not None and fc.converged else float("nan")
    interpolated = [str(q) for q in train.index[train["interpolated"]]]
    reasons = quarterly.gap_reasons(bool(p["include_secondary_sources"]))
    derived = [str(q) for q, code in status.loc[train.index].items() if code in DERIVED_STATUSES]
    model_bt = backtests.get("model")

    results: dict[str, Any] = {
        "gmv_per_merchant_change": dec.per_merchant_change,
        "views_per_order": funnel.views_per_order,
        "fast_brand_orders_per_day": figure_per_day(facts, FAST_BRAND_ORDERS_ID, p["festival_end"]),
        "fast_brand_days": funnel.days,
        "trust_buy_daily_2021": float(trust.loc[0, "orders_per_day"]),
        "trust_buy_daily_festival": float(dated["orders_per_day"]),
        "trust_buy_days": int(dated["days"]),
        "trust_buy_ratio_to_2021": float(dated["ratio_to_2021"]),
        "trust_buy_days_since_launch_2021": int(days_since_launch),
        "trust_buy_daily_since_launch_2021": float(trust.loc[0, "orders"]) / days_since_launch,
        "model_status": model_status,
        "model_min_quarters": MIN_TRAIN_QUARTERS[model],
        "forecast": (
            {str(q): {"value": r["forecast"], "lower": r["lower"], "upper": r["upper"]} for q, r in fc.table.iterrows()}
            if fc is not None and fc.converged
            else {}
        ),
        "forecasts_by_method": {
            m: {str(q): float(v) for q, v in holdout[m].items()} for m in METHODS if m != "model" or model_status == USABLE
        },
        "headline_method": headline,
        "headline_forecast": {str(q): float(v) for q, v in holdout[headline].items()},
        "headline_holdout_mape": _none_if_nan(holdout_mape[headline]),
        "holdout_best_method": lowest_mape(holdout_mape) if scored.any() else None,
        "selection_chosen_by_data": selection.chosen_by_data,
        "selection_min_origins": MIN_SELECTION_ORIGINS,
        "selection_n": selection.n,
        "selection_n_origins": selection.n_origins,
        "selection_origins": [str(o) for o in origins] if origins else None,
        "selection_first_origin": str(selection.first_origin),
        "selection_mape_by_method": _by_method(sel_mape),
        "selection_mase_by_method": _by_method(selection.mase),
        "selection_coverage": _none_if_nan(selection.coverage["model"]),
        "selection_covered": list(selection.backtests["model"].covered) if selection.backtests else [0, 0],
        "selection_relative_mape": _none_if_nan(sel_relative),
        "selection_best_benchmark": sel_best or None,
        "holdout_mape": _by_method(holdout_mape),
        "holdout_mase": _by_method(holdout_mase),
        "holdout_n": int(scored.sum()),
        "holdout_coverage": holdout_covered[0] / holdout_covered[1] if holdout_covered[1] else None,
        "holdout_covered": holdout_covered,
        "holdout_relative_mape": _none_if_nan(ho_relative),
        "holdout_best_benchmark": ho_best or None,
        "backtest_mape": _none_if_nan(bt_mape["model"]),
        "backtest_coverage": _none_if_nan(model_bt.coverage) if model_bt else None,
        "backtest_covered": list(model_bt.covered) if model_bt else [0, 0],
        "backtest_mape_by_method": _by_method(bt_mape),
        "backtest_mase_by_method": _by_method(bt_mase),
        "backtest_mape_by_horizon": _by_horizon(backtests, "mape"),
        "backtest_mase_by_horizon": _by_horizon(backtests, "mase"),
        "backtest_relative_mape": _none_if_nan(bt_relative),
        "backtest_best_benchmark": best or None,
        "backtest_n": model_bt.n if model_bt else 0,
        "backtest_n_origins": model_bt.n_origins if model_bt else 0,
        # Fits whose optimizer stopped without meeting its criterion score, choose and draw nothing; they are named.
        "forecast_converged": model_status != NOT_CONVERGED,
        "selection_origins_not_converged": selection.origins_not_converged,
        "backtest_origins_not_converged": model_bt.origins_excluded(NOT_CONVERGED) if model_bt else [],
        "backtest_origins_too_short": model_bt.origins_excluded(TOO_SHORT) if model_bt else [],
        "train_quarters": int(len(train)),
        "train_start": str(train.index.min()),
        "interpolated_quarters": interpolated,
        "interpolated_reasons": {q: reasons.get(q, quarterly.ABSENT_REASON) for q in interpolated},
        "derived_quarters": {q: _derivation_remark(frame, q) for q in derived},
        "seasonal_ar": _none_if_nan(seasonal_ar),
        **effects_results(effects),
    }
    return PromotionRun(
        p,
        facts,
        dec,
        funnel,
        fb_window,
        trust,
        tb_window,
        gmv,
        status,
        fc,
        holdout,
        backtests,
        selection,
        effects,
        results,
        quarterly=frame,
        gap_reasons=reasons,
    )


def _derivation_remark(frame: pd.DataFrame, quarter: str) -> str:
    """How the GMV of a derived quarter was computed, from its row's note (see data/README.md)."""
    from trustlab.data import quarterly

    row = frame[(frame["quarter"] == quarter) & (frame["metric"] == "gmv_rmb_bn")].iloc[0]
    derivation = quarterly.parse_derivation(str(row["note"]))
    return str(row["note"]) if derivation is None else quarterly.derivation_text(derivation)


def _mase(forecast: pd.Series, actual: pd.Series, scale: float) -> float:
    scored = actual.notna() & forecast.notna()
    if not scored.any() or not scale > 0:
        return float("nan")
    return float(((forecast[scored] - actual[scored]).abs() / scale).mean())


def _by_horizon(backtests: Mapping[str, Backtest], column: str) -> dict[str, dict[str, float | None]]:
    """Per method, the backtest error ``column`` (mape or mase) by horizon ("1", "2", ...)."""
    return {
        m: {str(int(r["horizon"])): _none_if_nan(float(r[column])) for _, r in bt.errors.iterrows()}
        for m, bt in backtests.items()
    }


def recorded_results(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every recorded result of notebook 02 from a parameter dict, without the notebook (the fast path):
    ``run(params).results``."""
    return run(params).results
