"""Notebook ``02_promotion_growth`` as one function of its parameters: every recorded result, the
tables the notebook shows, and the narrative (Summary and run-dependent caveats) built from them.

:func:`run` computes everything (the notebook calls it once and displays its parts);
:func:`analysis` is the fast path (recorded results only, ``fast:`` in the schema);
:func:`summary` and :func:`caveats` word the results with :mod:`trustlab.prose`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from trustlab.promotion.forecast import (
    BENCHMARKS,
    METHODS,
    Backtest,
    EffectSpecifications,
    Forecast,
    backtest,
    benchmark_forecast,
    effect_specifications,
    fit_forecast,
    skill,
)
from trustlab.promotion.growth import (
    FastBrandFunnel,
    GrowthDecomposition,
    decompose_growth,
    fast_brand_funnel,
    trust_buy_run_rate,
)
from trustlab.promotion.parameters import check_params

DEFAULTS: dict[str, Any] = {
    "train_end": "2023Q4",
    "forecast_quarters": 7,
    "model": "sarimax",
    "merchant_multiple": 8.0,
    "gmv_growth": 5.15,
    "festival_end": "2022-06-19",
    "include_secondary_sources": True,
    "average_order_value_rmb": 70.0,
    "backtest_horizon": 4,
    "alpha": 0.1,
}
METHOD_LABELS = {
    "model": "model",
    "seasonal_naive": "seasonal naive (same quarter a year earlier)",
    "seasonal_naive_growth": "seasonal naive x latest year-on-year growth",
}
FAST_BRAND_ORDERS_ID = "fastbrand_orders_616_2022"
TRUST_BUY_FESTIVAL_ID = "rights_trust_buy_orders_616_2022"


@dataclass
class PromotionRun:
    """Everything notebook 02 shows for one parameter set; ``results`` is what it records."""

    params: dict[str, Any]
    facts: pd.DataFrame
    decomposition: GrowthDecomposition
    funnel: FastBrandFunnel
    fast_brand_window: tuple
    trust_buy: pd.DataFrame
    trust_buy_window: tuple
    gmv: pd.Series
    status: pd.Series
    forecast: Forecast
    holdout: pd.DataFrame
    backtests: dict[str, Backtest]
    effects: EffectSpecifications
    results: dict[str, Any] = field(default_factory=dict)


def _mape(forecast: pd.Series, actual: pd.Series) -> float:
    scored = actual.notna()
    if not scored.any():
        return float("nan")
    return float(((forecast[scored] - actual[scored]).abs() / actual[scored]).mean())


def _none_if_nan(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def run(params: Mapping[str, Any]) -> PromotionRun:
    """Compute notebook 02 for ``params`` (missing keys take :data:`DEFAULTS`); checked by :func:`check_params`."""
    from trustlab.data import quarterly
    from trustlab.data.facts import fact_value, load_facts
    from trustlab.facts import day_count, figure_per_day, figure_window

    p = {**DEFAULTS, **dict(params)}
    frame = quarterly.load_quarterly(include_secondary=bool(p["include_secondary_sources"]))
    gmv = quarterly.wide(frame)["gmv_rmb_bn"]
    status = quarterly.wide_status(frame)["gmv_rmb_bn"]
    check_params(p, gmv=gmv)
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

    te, h, model, alpha = p["train_end"], int(p["forecast_quarters"]), p["model"], float(p["alpha"])
    fc = fit_forecast(gmv, te, model, h, alpha=alpha)
    holdout = fc.table.rename(columns={"forecast": "model", "lower": "model_lower", "upper": "model_upper"})
    for b in BENCHMARKS:
        holdout[b] = benchmark_forecast(gmv, te, b, h)
    holdout["actual"] = gmv.reindex(holdout.index)
    holdout["actual_status"] = status.reindex(holdout.index).fillna("")
    holdout_mape = {m: _mape(holdout[m], holdout["actual"]) for m in METHODS}
    scored = holdout["actual"].notna()
    inside = (holdout["actual"] >= holdout["model_lower"]) & (holdout["actual"] <= holdout["model_upper"])
    holdout_cov = float(inside[scored].mean()) if scored.any() else float("nan")

    backtests: dict[str, Backtest] = {}
    if fc.train_end < gmv.dropna().index.max():
        backtests = {m: backtest(gmv, te, model, int(p["backtest_horizon"]), alpha=alpha, method=m) for m in METHODS}
    bt_mape = {m: (backtests[m].mape if backtests else float("nan")) for m in METHODS}
    bt_cov = {m: (backtests[m].coverage if backtests else float("nan")) for m in METHODS}
    bt_skill, best = skill(bt_mape["model"], {b: bt_mape[b] for b in BENCHMARKS})
    ho_skill, ho_best = skill(holdout_mape["model"], {b: holdout_mape[b] for b in BENCHMARKS})
    headline = min(METHODS, key=lambda m: bt_mape[m]) if backtests else "model"

    effects = effect_specifications(gmv, reference_quarter=3)
    chosen = effects.table.set_index("trend")
    seasonal_ar = fc.params.get("ar.S.L4", float("nan"))
    interpolated = [str(q) for q in fc.train.index[fc.train["interpolated"]]]

    results: dict[str, Any] = {
        "gmv_per_merchant_change": dec.per_merchant_change,
        "views_per_order": funnel.views_per_order,
        "fast_brand_orders_per_day": figure_per_day(facts, FAST_BRAND_ORDERS_ID, p["festival_end"]),
        "fast_brand_days": funnel.days,
        "trust_buy_daily_2021": float(trust.loc[0, "orders_per_day"]),
        "trust_buy_daily_festival": float(dated["orders_per_day"]),
        "trust_buy_days": int(dated["days"]),
        "trust_buy_ratio_to_2021": float(dated["ratio_to_2021"]),
        "forecast": {str(q): {"value": r["forecast"], "lower": r["lower"], "upper": r["upper"]} for q, r in fc.table.iterrows()},
        "forecasts_by_method": {m: {str(q): float(v) for q, v in holdout[m].items()} for m in METHODS},
        "headline_method": headline,
        "holdout_mape": {m: _none_if_nan(v) for m, v in holdout_mape.items()},
        "holdout_n": int(scored.sum()),
        "holdout_coverage": _none_if_nan(holdout_cov),
        "holdout_skill": _none_if_nan(ho_skill),
        "holdout_best_benchmark": ho_best or None,
        "backtest_mape": _none_if_nan(bt_mape["model"]),
        "backtest_coverage": _none_if_nan(bt_cov["model"]),
        "backtest_mape_by_method": {m: _none_if_nan(v) for m, v in bt_mape.items()},
        "backtest_coverage_by_method": {m: _none_if_nan(v) for m, v in bt_cov.items()},
        "backtest_skill": _none_if_nan(bt_skill),
        "backtest_best_benchmark": best or None,
        "backtest_n": int(len(backtests["model"].forecasts)) if backtests else 0,
        "train_quarters": int(len(fc.train)),
        "train_start": str(fc.train.index.min()),
        "interpolated_quarters": interpolated,
        "seasonal_ar": _none_if_nan(seasonal_ar),
        "effects_trend": effects.chosen,
        "effects_criterion": effects.criterion,
        "durbin_watson": float(chosen.loc[effects.chosen, "durbin_watson"]),
        "durbin_watson_linear": float(chosen.loc["linear", "durbin_watson"]),
        "effects_n": int(chosen.loc[effects.chosen, "n"]),
        "effects_df": int(chosen.loc[effects.chosen, "df"]),
        "q2_effect": effects.effect("Q2"),
        "q4_effect": effects.effect("Q4"),
        "effects_by_trend": {
            t: {"q2": float(r["q2_effect"]), "q4": float(r["q4_effect"]), "bic": float(r["bic"])} for t, r in chosen.iterrows()
        },
    }
    return PromotionRun(p, facts, dec, funnel, fb_window, trust, tb_window, gmv, status, fc, holdout, backtests, effects, results)


def analysis(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every recorded result of notebook 02 from a parameter dict, without the notebook (the fast path)."""
    return run(params).results


# --------------------------------------------------------------------------- narrative


def _effect_clause(name: str, e: Mapping[str, float]) -> str:
    from trustlab import prose

    return (
        f"{name} {prose.signed_percent(e['effect'], 0)} against Q3 (95% CI {prose.signed_percent(e['lower'], 0)} "
        f"to {prose.signed_percent(e['upper'], 0)})"
    )


def _verdict(e: Mapping[str, float]) -> str:
    if e["lower"] > 0:
        return "significantly above Q3"
    if e["upper"] < 0:
        return "significantly below Q3"
    return "not distinguishable from Q3"


def skill_verdict(skill_value: float | None) -> str:
    """'has no skill' unless the model beats the best benchmark (skill > 0); 'has little skill' below 10 %."""
    if skill_value is None or skill_value <= 0:
        return "has no skill"
    return "has little skill" if skill_value < 0.1 else "has skill"


def headline_reason(results: Mapping[str, Any]) -> str:
    """Which method the headline forecast uses and why, in one sentence."""
    from trustlab import prose

    method = results["headline_method"]
    label = METHOD_LABELS[method]
    if results["backtest_n"] == 0:
        return (
            f"The headline forecast uses the {label}: no quarter after train_end is reported, so no method "
            "can be scored and the model is kept by default."
        )
    mape = results["backtest_mape_by_method"][method]
    return (
        f"The headline forecast uses the {label}, the method with the lowest rolling-origin backtest MAPE "
        f"({prose.error_percent(mape)}); the backtest scores quarters after train_end, so this choice uses hindsight "
        "an analyst at train_end did not have."
    )


def summary(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """Notebook 02's answer in five bullets, formatted from the run's results and parameters."""
    from trustlab import prose

    p = {**DEFAULTS, **dict(params)}
    lines = [
        f"With brand-merchant GMV {prose.change(1, 1 + p['gmv_growth'])} and {prose.number(p['merchant_multiple'])} times "
        f"as many merchants, GMV per merchant is {prose.change(1, 1 + results['gmv_per_merchant_change'])}; the two "
        "figures have different bases, so this is an illustration, and the article gives nothing per buyer.",
        f"Fast brands took {prose.number(results['fast_brand_orders_per_day'])} orders a day over their "
        f"{prose.number(results['fast_brand_days'])}-day window; 信任購 covered at least "
        f"{prose.number(results['trust_buy_daily_festival'])} orders a day over its {prose.number(results['trust_buy_days'])}-day "
        f"window, {prose.number(results['trust_buy_ratio_to_2021'])} times its 2021 daily average.",
    ]
    q2, q4 = results["q2_effect"], results["q4_effect"]
    lines.append(
        f"In quarterly GMV, after a {results['effects_trend']} trend (lowest {results['effects_criterion']} among linear, "
        f"quadratic and log-time trends; HAC errors, t with {results['effects_df']} df), the Double 11 quarter is "
        f"{_effect_clause('Q4', q4)}, {_verdict(q4)}, and the 616 quarter is {_effect_clause('Q2', q2)}, {_verdict(q2)}"
        + (": 616 is not a visible peak in the platform's quarterly GMV." if q2["lower"] <= 0 else ".")
    )
    if results["backtest_n"]:
        best = results["backtest_best_benchmark"]
        sk = results["backtest_skill"]
        lines.append(
            f"Forecasts: in the rolling-origin backtest from {p['train_end']} ({prose.number(results['backtest_n'])} forecasts), "
            f"the model ({p['model']}) has MAPE {prose.error_percent(results['backtest_mape'])} against "
            f"{prose.error_percent(results['backtest_mape_by_method'][best])} for the best benchmark ({METHOD_LABELS[best]}): "
            + (f"it {skill_verdict(sk)} (skill {prose.signed_percent(sk)}). " if sk is not None else "its skill is undefined. ")
            + headline_reason(results)
        )
    else:
        lines.append(
            f"Forecasts: no quarter after train_end = {p['train_end']} is reported, so the model and the "
            "benchmarks cannot be scored. " + headline_reason(results)
        )
    if results["holdout_n"]:
        ho = results["holdout_mape"]
        lines.append(
            f"On the {prose.number(results['holdout_n'])} reported quarters after {p['train_end']}, the forecasts score "
            + prose.join(f"MAPE {prose.error_percent(ho[m])} ({METHOD_LABELS[m] if m != 'model' else 'model'})" for m in METHODS)
            + (
                f"; against the best benchmark the model {skill_verdict(results['holdout_skill'])} there "
                f"(skill {prose.signed_percent(results['holdout_skill'])})"
                if results["holdout_skill"] is not None
                else ""
            )
            + f", and {prose.percent(results['holdout_coverage'], 0)} of actuals fall inside the model's nominal "
            f"{prose.percent(1 - p['alpha'], 0)} intervals."
        )
    return lines


def caveats(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """Caveats that depend on the run, formatted from its values."""
    from trustlab import prose

    p = {**DEFAULTS, **dict(params)}
    out = []
    interp = results["interpolated_quarters"]
    out.append(
        f"The model saw {prose.number(results['train_quarters'])} quarters ({results['train_start']}..{p['train_end']})"
        + (
            f", of which {prose.join(interp)} {'is' if len(interp) == 1 else 'are'} interpolated: that GMV is not in "
            "data/kuaishou_quarterly.csv (not found in the sources searched, never typed in by hand), although Kuaishou "
            "published it, so the model saw less than an analyst at train_end did."
            if interp
            else "; none is interpolated."
        )
    )
    if p["model"] == "sarimax" and results["seasonal_ar"] is not None:
        phi = results["seasonal_ar"]
        out.append(
            f"The seasonal autoregression is estimated at {prose.number(round(phi, 2))}"
            + (
                ": the seasonal term is weak, so the model's forecast is close to trend growth."
                if abs(phi) < 0.3
                else ": the model carries last year's seasonal pattern forward."
            )
        )
    cov = results["backtest_coverage"]
    if cov is not None:
        nominal = 1 - p["alpha"]
        verdict = "too narrow" if cov < nominal - 0.1 else "too wide" if cov > nominal + 0.1 else "about right"
        out.append(
            f"In the backtest {prose.percent(cov, 0)} of actuals fall inside the model's nominal "
            f"{prose.percent(nominal, 0)} intervals: the intervals are {verdict}. The benchmarks are point "
            "forecasts; their coverage is n/a."
        )
    dw, dw_lin = results["durbin_watson"], results["durbin_watson_linear"]
    out.append(
        f"The quarter effects rest on {prose.number(results['effects_n'])} observed quarters; Durbin-Watson is "
        f"{prose.number(dw, 2)} under the chosen trend ({prose.number(dw_lin, 2)} under a linear one)"
        + ("; residual autocorrelation remains, which the HAC errors allow for but do not remove." if dw < 1.5 else ".")
    )
    return out
