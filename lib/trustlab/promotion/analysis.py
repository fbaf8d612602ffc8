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
from trustlab.promotion.parameters import Parameters, check_params
from trustlab.promotion.selection import Selection, lowest_mape, select_method

DEFAULTS: dict[str, Any] = Parameters.defaults()  # notebook 02's defaults, from its contract
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
    selection: Selection
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
    """Compute notebook 02 for ``params`` (missing keys take the contract's defaults), checked by
    :class:`~trustlab.promotion.parameters.Parameters`."""
    from trustlab.data import quarterly
    from trustlab.data.facts import fact_value, load_facts
    from trustlab.facts import day_count, figure_per_day, figure_window

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
    # The headline method is chosen on data up to train_end only; the quarters after it evaluate, never choose.
    selection = select_method(gmv, te, model, int(p["backtest_horizon"]), alpha=alpha)
    sel_mape, sel_cov = selection.mape, selection.coverage
    sel_skill, sel_best = skill(sel_mape["model"], {b: sel_mape[b] for b in BENCHMARKS})
    headline = selection.method
    origins = selection.origins

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
        "headline_forecast": {str(q): float(v) for q, v in holdout[headline].items()},
        "headline_holdout_mape": _none_if_nan(holdout_mape[headline]),
        "holdout_best_method": lowest_mape(holdout_mape) if scored.any() else None,
        "selection_n": selection.n,
        "selection_origins": [str(o) for o in origins] if origins else None,
        "selection_first_origin": str(selection.first_origin),
        "selection_mape_by_method": {m: _none_if_nan(v) for m, v in sel_mape.items()},
        "selection_coverage": _none_if_nan(sel_cov["model"]),
        "selection_skill": _none_if_nan(sel_skill),
        "selection_best_benchmark": sel_best or None,
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
        # Fits whose optimizer stopped without meeting its criterion: their forecasts depend on where it stopped.
        "forecast_converged": fc.converged,
        "selection_origins_not_converged": selection.backtests["model"].origins_not_converged if selection.backtests else [],
        "selection_n_origins": selection.backtests["model"].n_origins if selection.backtests else 0,
        "backtest_origins_not_converged": backtests["model"].origins_not_converged if backtests else [],
        "backtest_n_origins": backtests["model"].n_origins if backtests else 0,
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
    return PromotionRun(
        p, facts, dec, funnel, fb_window, trust, tb_window, gmv, status, fc, holdout, backtests, selection, effects, results
    )


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


def _method(method: str) -> str:
    return "the model" if method == "model" else f"the {METHOD_LABELS[method]}"


def _mapes(mape: Mapping[str, float | None], methods: tuple[str, ...] | list[str]) -> str:
    """'MAPE 4.4% for the model, 4.9% for the seasonal naive (...)' over ``methods`` with a MAPE."""
    from trustlab import prose

    scored = {m: value for m in methods if (value := mape.get(m)) is not None}
    return prose.join(f"{prose.error_percent(value)} for {_method(m)}" for m, value in scored.items())


def headline_reason(results: Mapping[str, Any]) -> str:
    """Which method the headline forecast uses and why, from the backtest on data up to train_end only."""
    from trustlab import prose

    method = results["headline_method"]
    if not results["selection_n"]:
        return (
            f"The headline forecast uses the model by default: with {prose.number(results['train_quarters'])} "
            "quarters up to train_end, no backtest origin before train_end leaves a reported quarter to score, "
            "so the methods cannot be compared on the data available at train_end."
        )
    mape = results["selection_mape_by_method"]
    first, last = results["selection_origins"]
    others = [m for m in METHODS if m != method]
    tie = any(mape[m] is not None and mape[m] == mape[method] for m in others)
    return (
        f"The headline forecast uses {_method(method)}: in a rolling-origin backtest on the data up to train_end only "
        f"({prose.number(results['selection_n'])} forecasts per method, origins {first}..{last}) its MAPE, "
        f"{prose.error_percent(mape[method])}, is the {'lowest (tied; ties go to the model)' if tie else 'lowest'}, "
        f"against {_mapes(mape, others)}."
    )


def _level(alpha: float) -> str:
    """The intervals' nominal coverage 1 - alpha as a percentage, to as many decimals as it needs
    (90%, 99.9%, 0.1%), so an extreme alpha never reads as 100% or 0%."""
    from trustlab import prose

    level = 100 * (1 - alpha)
    decimals = next((d for d in range(3) if abs(round(level, d) - level) < 1e-9), 3)
    return prose.percent(1 - alpha, decimals)


def _skill_clause(skill_value: float | None, where: str) -> str:
    from trustlab import prose

    if skill_value is None:
        return f"{where} the model's skill is undefined (the best benchmark is perfect or nothing is scored)"
    return (
        f"{where} the model {skill_verdict(skill_value)} against the best benchmark (skill {prose.signed_percent(skill_value)})"
    )


def forecast_summary(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """Up to three Summary bullets: which method the headline forecast uses and why (data up to
    train_end), and how every method, the model against the best benchmark, did after train_end
    (rolling-origin backtest from train_end; holdout)."""
    from trustlab import prose

    p = {**DEFAULTS, **dict(params)}
    choice = headline_reason(results)
    if results["selection_n"]:
        choice += " " + _skill_clause(results["selection_skill"], "Before train_end") + "."
    lines = [choice]
    if results["backtest_n"]:
        bt = results["backtest_mape_by_method"]
        best = results["backtest_best_benchmark"]
        lines.append(
            f"Judged after train_end (those quarters evaluate the methods; they did not choose among them), in the "
            f"rolling-origin backtest from {p['train_end']} ({prose.number(results['backtest_n'])} forecasts per method) "
            f"the model ({p['model']}) has MAPE {prose.error_percent(bt['model'])} against {prose.error_percent(bt[best])} "
            f"for {_method(best)}: " + _skill_clause(results["backtest_skill"], "after train_end") + "."
        )
    if results["holdout_n"]:
        ho = results["holdout_mape"]
        lines.append(
            f"On the {prose.number(results['holdout_n'])} reported quarters after {p['train_end']} the forecasts from "
            f"{p['train_end']} score MAPE {_mapes(ho, METHODS)}: the headline method scores "
            f"{prose.error_percent(results['headline_holdout_mape'])} and the best there is {_method(results['holdout_best_method'])}; "
            f"{prose.percent(results['holdout_coverage'], 0)} of actuals fall inside the model's nominal "
            f"{_level(p['alpha'])} intervals."
        )
    if len(lines) == 1:
        lines.append(
            f"No quarter after train_end = {p['train_end']} is reported, so the forecasts cannot be evaluated "
            "and the model's skill after train_end is unknown."
        )
    return lines


def summary(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """Notebook 02's answer in five or six bullets, formatted from the run's results and parameters."""
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
    return lines + forecast_summary(results, p)


def convergence_caveat(results: Mapping[str, Any], model: str) -> str:
    """A sentence naming the fits whose optimizer did not converge (the headline fit at train_end,
    backtest origins before and after it), or "" when every fit converged."""
    from trustlab import prose

    parts = []
    if not results["forecast_converged"]:
        parts.append("at train_end itself")
    for key, where in (("selection", "before train_end"), ("backtest", "from train_end on")):
        origins = results[f"{key}_origins_not_converged"]
        if origins:
            n = results[f"{key}_n_origins"]
            parts.append(
                f"at {prose.number(len(origins))} of the {prose.number(n)} backtest origins {where} ({prose.join(origins)})"
            )
    if not parts:
        return ""
    return (
        f"The {model.upper()} fit did not converge {prose.join(parts)}: its optimizer stopped without meeting "
        "its criterion, so those forecasts, and the MAPEs and coverages they enter, depend on where it "
        "stopped; the same run on another machine can give slightly different figures."
    )


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
    if results["selection_n"]:
        mape = results["selection_mape_by_method"]
        ranked = sorted((m for m in METHODS if mape[m] is not None), key=lambda m: mape[m])
        runner_up = next(m for m in ranked if m != results["headline_method"]) if len(ranked) > 1 else None
        out.append(
            f"The headline choice rests on {prose.number(results['selection_n'])} scored forecasts per method before "
            f"train_end"
            + (
                f"; the runner-up, {_method(runner_up)}, is "
                f"{prose.number(100 * (mape[runner_up] - mape[results['headline_method']]), 2)} points of MAPE behind"
                if runner_up
                else ""
            )
            + ". The choice may change as more quarters are reported."
        )
    unconverged = convergence_caveat(results, p["model"])
    if unconverged:
        out.append(unconverged)
    cov = results["backtest_coverage"]
    if cov is not None:
        nominal = 1 - p["alpha"]
        verdict = "too narrow" if cov < nominal - 0.1 else "too wide" if cov > nominal + 0.1 else "about right"
        out.append(
            f"In the backtest {prose.percent(cov, 0)} of actuals fall inside the model's nominal "
            f"{_level(p['alpha'])} intervals: the intervals are {verdict}. The benchmarks are point "
            "forecasts; their coverage is n/a."
        )
    dw, dw_lin = results["durbin_watson"], results["durbin_watson_linear"]
    out.append(
        f"The quarter effects rest on {prose.number(results['effects_n'])} observed quarters; Durbin-Watson is "
        f"{prose.number(dw, 2)} under the chosen trend ({prose.number(dw_lin, 2)} under a linear one)"
        + ("; residual autocorrelation remains, which the HAC errors allow for but do not remove." if dw < 1.5 else ".")
    )
    return out
