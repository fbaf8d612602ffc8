"""Notebook 02's sentences, built from a run (:mod:`trustlab.promotion.analysis`), its recorded
results and its parameters: the Summary, the caveats, and the sentences of the Data and Result
sections. Every sentence is worded from the values it states, so it stays true at the edges of the
parameter ranges. (The quarter-effect sentences are in :mod:`trustlab.promotion.effects_narrative`.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from trustlab import prose
from trustlab.data.tables import DERIVED_STATUSES
from trustlab.promotion.analysis import DEFAULTS, METHOD_LABELS
from trustlab.promotion.effects_narrative import effects_caveats, effects_summary
from trustlab.promotion.forecast import METHODS, NOT_CONVERGED, TOO_SHORT
from trustlab.promotion.growth import FESTIVAL_START, GrowthDecomposition
from trustlab.promotion.selection import DEFAULT_METHOD

if TYPE_CHECKING:  # pragma: no cover
    from trustlab.promotion.analysis import PromotionRun

# A coverage is judged with a one-sided binomial test at this level on each side (too narrow, too wide).
COVERAGE_TEST_LEVEL = 0.05
# Below this ratio of festival to 2021 orders a day, the festival's trust-buy orders read as the 2021 run-rate.
RUN_RATE_RATIO = 1.5


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 forecast', '3 forecasts', '0 forecasts'."""
    return f"{prose.number(n)} {noun if n == 1 else (plural or noun + 's')}"


def _method(method: str) -> str:
    return "the model" if method == "model" else f"the {METHOD_LABELS[method]}"


def _mapes(mape: Mapping[str, float | None], methods: Sequence[str]) -> str:
    """'4.4% for the model, 4.9% for the seasonal naive (...)' over ``methods`` with a MAPE."""
    scored = {m: value for m in methods if (value := mape.get(m)) is not None}
    return prose.join(f"{prose.error_percent(value)} for {_method(m)}" for m, value in scored.items())


def skill_of(results: Mapping[str, Any], where: str) -> float | None:
    """The model's skill against the best benchmark, 1 - relative MAPE, from the run's recorded
    ``{where}_relative_mape`` (where: selection, backtest, holdout); None when undefined."""
    ratio = results[f"{where}_relative_mape"]
    return None if ratio is None else 1.0 - ratio


def skill_verdict(skill_value: float | None) -> str:
    """'has no skill' unless the model beats the best benchmark (skill > 0); 'has little skill' below 10 %."""
    if skill_value is None or skill_value <= 0:
        return "has no skill"
    return "has little skill" if skill_value < 0.1 else "has skill"


def coverage_verdict(inside: int, n: int, nominal: float) -> str:
    """Whether ``inside`` of ``n`` actuals inside nominal ``nominal`` intervals says the intervals are
    "too narrow" or "too wide" (one-sided binomial tests at :data:`COVERAGE_TEST_LEVEL`), "consistent
    with their nominal level", or, when no outcome of ``n`` forecasts could show either, that ``n`` is
    "too few to judge". Forecasts from one origin are correlated, so the tests are optimistic."""
    from scipy.stats import binom

    if n == 0:
        return "not scored"
    if binom.cdf(inside, n, nominal) < COVERAGE_TEST_LEVEL:
        return "too narrow"
    if binom.sf(inside - 1, n, nominal) < COVERAGE_TEST_LEVEL:
        return "too wide"
    if binom.cdf(0, n, nominal) >= COVERAGE_TEST_LEVEL and nominal**n >= COVERAGE_TEST_LEVEL:
        return f"too few to judge ({counted(n, 'forecast')})"
    return "consistent with their nominal level"


def _level(alpha: float) -> str:
    """The intervals' nominal coverage 1 - alpha as a percentage, to as many decimals as it needs
    (90%, 99.9%, 0.1%), so an extreme alpha never reads as 100% or 0%."""
    level = 100 * (1 - alpha)
    decimals = next((d for d in range(3) if abs(round(level, d) - level) < 1e-9), 3)
    return prose.percent(1 - alpha, decimals)


def coverage_clause(covered: Sequence[int], alpha: float, where: str) -> str:
    """'before train_end 12 of 22 actuals (54.5%) fall inside the model's nominal 90% intervals: too narrow'."""
    inside, n = int(covered[0]), int(covered[1])
    return (
        f"{where} {prose.number(inside)} of {counted(n, 'actual')} ({prose.percent(inside / n, 1)}) "
        f"{'falls' if n == 1 else 'fall'} inside the "
        f"model's nominal {_level(alpha)} intervals: {coverage_verdict(inside, n, 1 - alpha)}"
    )


def model_unavailable(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """Why the model makes no forecast at train_end, or "" when it does."""
    p = {**DEFAULTS, **dict(params)}
    if results["model_status"] == TOO_SHORT:
        return (
            f"The model ({p['model']}) makes no forecast: it needs {counted(results['model_min_quarters'], 'quarter')} "
            f"of GMV up to train_end (two full seasonal cycles of the series it models) and {p['train_end']} leaves "
            f"{prose.number(results['train_quarters'])}."
        )
    if results["model_status"] == NOT_CONVERGED:
        return (
            f"The model ({p['model']}) makes no forecast: its fit at train_end = {p['train_end']} did not converge, "
            "and a fit that did not converge supports no forecast."
        )
    return ""


def headline_reason(results: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> str:
    """Which method the headline forecast uses and why, from the backtest on data up to train_end only."""
    p = {**DEFAULTS, **dict(params or {})}
    method = results["headline_method"]
    needed = f"at least {counted(results['selection_min_origins'], 'origin')} (a year of origins)"
    if not results["selection_chosen_by_data"]:
        scored = results["selection_n_origins"]
        evidence = (
            f"only {counted(scored, 'backtest origin')} before train_end could be scored on every method"
            if scored
            else "no backtest origin before train_end could be scored on every method"
        )
        return (
            f"The headline forecast uses {_method(method)}, the benchmark for seasonal data: {evidence}, and the data "
            f"choose a method only with {needed}, so the methods cannot be told apart on the data available at train_end."
        )
    mape = results["selection_mape_by_method"]
    first, last = results["selection_origins"]
    others = [m for m in METHODS if m != method]
    scored = {m: v for m, v in mape.items() if v is not None}
    ranked_first = min(scored.values()) == mape[method]
    tied = [m for m in others if scored.get(m) == mape[method]]
    if not ranked_first:
        rank = "lower than every other benchmark's"
    elif tied:
        rank = f"the lowest, tied with {prose.join(_method(m) for m in tied)} (ties go to the method listed first: the model, then the benchmarks)"
    else:
        rank = "the lowest"
    reason = (
        f"The headline forecast uses {_method(method)}: in a rolling-origin backtest on the data up to train_end only "
        f"({counted(results['selection_n'], 'forecast')} per method from {counted(results['selection_n_origins'], 'origin')}, "
        f"{first}..{last}) its MAPE, {prose.error_percent(mape[method])}, is {rank}, against {_mapes(mape, others)}."
    )
    if not ranked_first:
        reason += f" The model ranked first but makes no forecast at train_end = {p['train_end']}."
    return reason


def _skill_clause(skill_value: float | None, where: str) -> str:
    if skill_value is None:
        return f"{where} the model's skill is undefined (the best benchmark is perfect or the model is not scored)"
    return (
        f"{where} the model {skill_verdict(skill_value)} against the best benchmark (skill {prose.signed_percent(skill_value)})"
    )


def forecast_summary(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """Summary bullets on the forecasts: which method the headline uses and why (data up to train_end),
    with the model's skill and interval coverage there; then how every method did after train_end
    (rolling-origin backtest from train_end; holdout), each coverage with its verdict."""
    p = {**DEFAULTS, **dict(params)}
    choice = headline_reason(results, p)
    unavailable = model_unavailable(results, p)
    if unavailable:
        choice += " " + unavailable
    if results["selection_n"]:
        choice += (
            " "
            + _skill_clause(skill_of(results, "selection"), "Before train_end")
            + "; "
            + coverage_clause(results["selection_covered"], p["alpha"], "there")
            + "."
        )
    lines = [choice]
    if results["backtest_n"]:
        bt, mase = results["backtest_mape_by_method"], results["backtest_mase_by_method"]
        best = results["backtest_best_benchmark"]
        lines.append(
            f"Judged after train_end (those quarters evaluate the methods; they did not choose among them), in the "
            f"rolling-origin backtest from {p['train_end']} ({counted(results['backtest_n'], 'forecast')} per method) "
            f"the model ({p['model']}) has MAPE {prose.error_percent(bt['model'])} (MASE {_mase(mase['model'])}) against "
            f"{prose.error_percent(bt[best])} (MASE {_mase(mase[best])}) for {_method(best)}: "
            + _skill_clause(skill_of(results, "backtest"), "after train_end")
            + "; "
            + coverage_clause(results["backtest_covered"], p["alpha"], "there")
            + "."
        )
    if results["holdout_n"]:
        ho = results["holdout_mape"]
        line = (
            f"On the {counted(results['holdout_n'], 'reported quarter')} after {p['train_end']} the forecasts from "
            f"{p['train_end']} score MAPE {_mapes(ho, METHODS)}: the headline method scores "
            f"{prose.error_percent(results['headline_holdout_mape'])} and the best there is {_method(results['holdout_best_method'])}"
        )
        if results["holdout_covered"][1]:
            line += "; " + coverage_clause(results["holdout_covered"], p["alpha"], "there")
        lines.append(line + ".")
    if not results["backtest_n"] and not results["holdout_n"]:
        lines.append(
            f"No quarter after train_end = {p['train_end']} is reported, so the forecasts cannot be evaluated "
            "and the model's skill after train_end is unknown."
        )
    return lines


def _mase(value: float | None) -> str:
    return "n/a" if value is None else prose.number(value, 2)


def decomposition_sentence(gmv_growth: float, merchant_multiple: float, per_merchant_change: float) -> str:
    """The growth decomposition in words: GMV change, merchant multiple, GMV per merchant change."""
    return (
        f"With brand-merchant GMV {prose.change(1, 1 + gmv_growth)} and {prose.times_as_many(merchant_multiple, 'merchants')}, "
        f"GMV per merchant is {prose.change(1, 1 + per_merchant_change)}"
    )


def breakeven_sentence(breakeven_multiple: float) -> str:
    """At which merchant multiple GMV per merchant would be unchanged (1 + GMV growth), in words."""
    if round(100 * abs(breakeven_multiple - 1), 1) == 0:
        return "GMV per merchant would be unchanged if the merchant count had stayed at its level."
    return f"GMV per merchant would be unchanged only if the merchant count had {prose.grown(breakeven_multiple)}."


def festival_versus_quarter(quarter_growth: float, per_dau_growth: float, gmv_growth: float) -> str:
    """2022Q2's year-on-year growth against the festival's reported growth for brand merchants."""
    return (
        f"In 2022Q2, the quarter of the 616 festival, GMV grew {prose.signed_percent(quarter_growth)} year on year and GMV per "
        f"DAU {prose.signed_percent(per_dau_growth)}, against {prose.signed_percent(gmv_growth, 0)} reported for brand "
        "merchants at the festival: the festival figure is a slice (brand merchants, a festival window), not the platform."
    )


def top_rooms_share(share: float) -> str:
    """The top rooms' minimum share of fast-brand GMV: a percentage up to 100 %, else that the
    assumed order value makes the figures contradict each other."""
    if share <= 1:
        return f"at least {prose.percent(share, 0)} of"
    return f"more than all ({prose.number(share)} times) of"


def trust_buy_sentence(results: Mapping[str, Any]) -> str:
    """The 信任購 festival run rate against 2021, with the caveat that the 2021 total cannot all date
    from the November launch (notebook 00)."""
    since_launch = results["trust_buy_daily_since_launch_2021"]
    festival = results["trust_buy_daily_festival"]
    return (
        f"信任購 covered at least {prose.number(festival)} orders a day over its {prose.number(results['trust_buy_days'])}-day "
        f"window, {prose.number(results['trust_buy_ratio_to_2021'])} times its 2021 daily average if the 5 bn orders of 2021 "
        f"are spread over the whole year; over the {prose.number(results['trust_buy_days_since_launch_2021'])} days from its "
        f"November launch they would be {prose.number(since_launch)} a day, {prose.number(since_launch / festival)} times "
        "the festival rate, so the 2021 total must count orders from before the launch and the comparison is uncertain "
        "(notebook 00)"
    )


def summary(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """Notebook 02's answer in bullets, formatted from the run's results and parameters."""
    p = {**DEFAULTS, **dict(params)}
    lines = [
        decomposition_sentence(p["gmv_growth"], p["merchant_multiple"], results["gmv_per_merchant_change"])
        + "; the two figures have different bases, so this is an illustration, and the article gives nothing per buyer.",
        f"Fast brands took {prose.number(results['fast_brand_orders_per_day'])} orders a day over their "
        f"{prose.number(results['fast_brand_days'])}-day window; " + trust_buy_sentence(results) + ".",
        effects_summary(results),
    ]
    return lines + forecast_summary(results, p)


def excluded_fits_caveat(results: Mapping[str, Any], model: str) -> str:
    """A sentence naming the fits that did not converge and were left out (the headline fit at
    train_end, backtest origins before and after it), or "" when every fit converged."""
    parts = []
    if results["model_status"] == NOT_CONVERGED:
        parts.append("at train_end itself")
    for key, where in (("selection", "before train_end"), ("backtest", "from train_end on")):
        origins = results[f"{key}_origins_not_converged"]
        if origins:
            parts.append(f"at the backtest {'origin' if len(origins) == 1 else 'origins'} {prose.join(origins)} {where}")
    if not parts:
        return ""
    return (
        f"The {model.upper()} fit did not converge {prose.join(parts)}: its optimizer stopped without meeting its "
        "criterion (or at the edge of the stationary region), so those fits were left out: they score nothing, "
        "choose nothing and are not drawn, and every method is compared without those origins."
    )


def seasonal_ar_caveat(phi: float) -> str:
    """What the estimated seasonal AR coefficient does to the forecast, by its sign and size."""
    shown = prose.number(round(phi, 2)) if round(phi, 2) != 0 else "0.00"
    if abs(phi) < 0.3:
        return (
            f"The seasonal autoregression is estimated at {shown}: the seasonal term is weak, so the model's forecast "
            "is close to trend growth."
        )
    if phi > 0:
        return (
            f"The seasonal autoregression is estimated at {shown}: each quarter's growth repeats {prose.percent(phi, 0)} "
            "of last year's deviation from the average growth in the same quarter, so last year's seasonal pattern "
            "carries forward."
        )
    return (
        f"The seasonal autoregression is estimated at {shown}: a quarter that grew faster than average last year is "
        "forecast to grow slower this year, so the model inverts last year's seasonal pattern."
    )


def interpolation_caveat(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """How many quarters the methods saw, which were filled by interpolation and why each had no value,
    and which were derived rather than quoted."""
    p = {**DEFAULTS, **dict(params)}
    text = f"The methods saw {counted(results['train_quarters'], 'quarter')} ({results['train_start']}..{p['train_end']})"
    reasons = results["interpolated_reasons"]
    if reasons:
        text += (
            f", of which {prose.join(list(reasons))} {'is' if len(reasons) == 1 else 'are'} interpolated: "
            + gap_reason_clauses(reasons)
            + ", so the methods saw less than an analyst at train_end could have"
        )
    else:
        text += "; none is interpolated"
    derived = results["derived_quarters"]
    if derived:
        text += "; " + "; ".join(f"{q} GMV is derived, not quoted: {how}" for q, how in derived.items())
    return text + "."


def caveats(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """Caveats that depend on the run, formatted from its values."""
    p = {**DEFAULTS, **dict(params)}
    out = [interpolation_caveat(results, p)]
    unavailable = model_unavailable(results, p)
    if unavailable:
        out.append(unavailable)
    if p["model"] == "sarimax" and results["seasonal_ar"] is not None:
        out.append(seasonal_ar_caveat(results["seasonal_ar"]))
    if results["selection_chosen_by_data"]:
        mape = results["selection_mape_by_method"]
        ranked = sorted((m for m in METHODS if mape[m] is not None), key=lambda m: mape[m])
        runner_up = next((m for m in ranked if m != results["headline_method"]), None)
        out.append(
            f"The headline choice rests on {counted(results['selection_n'], 'scored forecast')} per method before train_end"
            + (
                f"; the runner-up, {_method(runner_up)}, is "
                f"{prose.number(100 * (mape[runner_up] - mape[results['headline_method']]), 2)} points of MAPE behind"
                if runner_up
                else ""
            )
            + ". The choice may change as more quarters are reported."
        )
    elif results["headline_method"] == DEFAULT_METHOD:
        out.append(
            f"The seasonal naive is the headline by rule, not because it was shown to forecast better: with fewer than "
            f"{counted(results['selection_min_origins'], 'origin')} before train_end the methods cannot be told apart."
        )
    excluded = excluded_fits_caveat(results, p["model"])
    if excluded:
        out.append(excluded)
    too_short = results["backtest_origins_too_short"]
    if too_short:
        out.append(
            f"At the backtest {'origin' if len(too_short) == 1 else 'origins'} {prose.join(too_short)} the model had fewer "
            f"than {counted(results['model_min_quarters'], 'quarter')} to fit, so every method is scored without "
            f"{'it' if len(too_short) == 1 else 'them'}."
        )
    if results["backtest_n"] or results["selection_n"]:
        out.append(
            "Forecasts from the same origin share its data and are correlated, so the coverage tests (binomial, "
            f"one-sided at {prose.percent(COVERAGE_TEST_LEVEL, 0)}) treat them as more independent than they are; "
            "MASE scales each error by the training data's mean absolute change from the same quarter a year earlier."
        )
    out.extend(effects_caveats(results, FESTIVAL_START, p["festival_end"]))
    return out


def training_sentence(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """What the methods saw up to train_end and what the model's fit there gives."""
    p = {**DEFAULTS, **dict(params)}
    interp = results["interpolated_quarters"]
    seen = (
        f"The methods saw {counted(results['train_quarters'], 'quarter')}, {results['train_start']}..{p['train_end']} "
        f"({prose.number(len(interp))} interpolated{': ' + prose.join(interp) if interp else ''}); every forecast lies after "
        f"train_end = {p['train_end']}, and the benchmarks use the same training data. The model ({p['model']}) needs "
        f"{counted(results['model_min_quarters'], 'quarter')} (two full seasonal cycles of what it models)."
    )
    return seen + (" " + model_unavailable(results, p) if model_unavailable(results, p) else "")


def selection_caption(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """Caption of the table that chooses the headline method (data up to train_end only)."""
    p = {**DEFAULTS, **dict(params)}
    first, last = results["selection_origins"]
    return (
        f"Choosing the headline method on data up to train_end only: {counted(results['selection_n'], 'scored forecast')} per "
        f"method from {counted(results['selection_n_origins'], 'origin')} ({first}..{last}), 1 to {p['backtest_horizon']} "
        f"quarters ahead, no target after {p['train_end']}; the data choose only with at least "
        f"{counted(results['selection_min_origins'], 'origin')}"
    )


def holdout_caption(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """Caption of the forecasts-from-train_end table."""
    p = {**DEFAULTS, **dict(params)}
    model = "the model's median and its " + _level(p["alpha"]) + " interval, " if results["model_status"] == "ok" else ""
    return (
        f"GMV (RMB bn) after train_end: {model}the benchmarks (point forecasts) and the value reported later; "
        f"headline method: {METHOD_LABELS[results['headline_method']]}"
    )


def holdout_sentence(run: Any) -> str:
    """The holdout in words: the headline method's MAPE, the best method, the model's largest miss and skill."""
    results = run.results
    headline = results["headline_method"]
    text = (
        f"On the holdout the headline method ({METHOD_LABELS[headline]}) scores MAPE "
        f"**{prose.error_percent(results['headline_holdout_mape'])}**; the best method there is the "
        f"{METHOD_LABELS[results['holdout_best_method']]}."
    )
    scored = run.holdout.dropna(subset=["actual", "model"])
    if scored.empty:
        return text + " The model made no forecast to score."
    miss = (scored["model"] - scored["actual"]).abs().idxmax()
    text += (
        f" Largest miss of the model: {miss} (forecast {prose.number(scored.loc[miss, 'model'])}, actual "
        f"{prose.number(scored.loc[miss, 'actual'])} RMB bn). "
    )
    skill_value = skill_of(results, "holdout")
    if skill_value is None:
        return text + "The model's skill against the best benchmark on the holdout is undefined."
    return text + (
        f"Skill of the model against the best benchmark on the holdout: {prose.signed_percent(skill_value)}: "
        f"the model {skill_verdict(skill_value)} there, on {counted(results['holdout_n'], 'quarter')}."
    )


def backtest_caption(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """Caption of the after-train_end backtest table."""
    p = {**DEFAULTS, **dict(params)}
    return (
        f"{counted(results['backtest_n'], 'scored forecast')} per method from "
        f"{counted(results['backtest_n_origins'], 'origin')}, 1 to {p['backtest_horizon']} quarters ahead; every origin refitted "
        "on data up to itself, every method scored on the same (origin, target) pairs"
    )


def backtest_sentence(results: Mapping[str, Any]) -> str:
    """The model's skill after train_end against the best benchmark, in words."""
    best = results["backtest_best_benchmark"]
    skill_value = skill_of(results, "backtest")
    if skill_value is None or not best:
        return "The model's skill against the best benchmark after train_end is undefined."
    return (
        f"Skill of the model against the best benchmark ({METHOD_LABELS[best]}) after train_end: "
        f"**{prose.signed_percent(skill_value)}**: the model {skill_verdict(skill_value)}."
    )


# ------------------------------------------------------------------ the Data and Result sections


def gap_reason_clauses(reasons: Mapping[str, str]) -> str:
    """Quarters grouped by why their GMV has no value, in order of first appearance:
    '2020Q4 and 2021Q4 GMV are not in ...; 2023Q2 GMV is left out ...'."""
    by_reason: dict[str, list[str]] = {}
    for quarter, reason in reasons.items():
        by_reason.setdefault(reason, []).append(quarter)
    return "; ".join(f"{prose.join(qs)} GMV {'is' if len(qs) == 1 else 'are'} {reason}" for reason, qs in by_reason.items())


def festival_dates_paragraph(facts: pd.DataFrame, params: Mapping[str, Any]) -> str:
    """The festival's dates as the article gives them, how each figure is dated, and the growth and
    merchant-multiple parameters against the article's figures (``facts``: data/facts.csv as loaded)."""
    from trustlab.data.facts import fact_date, fact_value

    p = {**DEFAULTS, **dict(params)}
    start = fact_date(facts, "promo_festival_start_2022")
    end, end_alt = fact_date(facts, "promo_festival_end_2022"), fact_date(facts, "promo_festival_end_alt_2022")
    reported_growth = fact_value(facts, "promo_brand_merchant_gmv_growth_616_2022") / 100  # percent -> fraction
    reported_multiple = fact_value(facts, "promo_merchant_multiple_616_vs_116")
    return (
        f"Festival dates in the article: from **{start}** to **{end}** (festival report and "
        f"fast-brand figures) or **{end_alt}** (the trust-buy figure's own sentence). Each figure is put per day "
        f"over its own dated window; `festival_end = {p['festival_end']}` would only date a figure whose sentence gives no end. "
        f"`gmv_growth = {p['gmv_growth']}` (article: {reported_growth:.2f}) and `merchant_multiple = {p['merchant_multiple']:g}` "
        f"(article: {reported_multiple:g})."
    )


def gaps_paragraph(run: PromotionRun) -> str:
    """How each derived GMV quarter was computed, which quarters have no GMV in this run and why, and
    how the methods and charts treat a gap."""
    frame = run.quarterly
    derived = frame[frame["status"].isin(DERIVED_STATUSES) & (frame["metric"] == "gmv_rmb_bn")]
    gaps = [str(q) for q in run.gmv.index[run.gmv.isna()]]
    text = "".join(
        f"**{r.quarter} GMV** was not found as a quarterly figure; its row is {r.note}. " for r in derived.itertuples()
    )
    text += f"GMV quarters without a value in this run: **{', '.join(gaps) if gaps else 'none'}**. "
    if gaps:
        text += (
            gap_reason_clauses({q: run.gap_reasons[q] for q in gaps}) + ". "
            "Where a method needs a complete series, a gap is filled by a labelled interpolation step (below); "
            "charts of the reported series break at a gap."
        )
    return text


def decomposition_paragraph(decomposition: GrowthDecomposition) -> str:
    """The growth decomposition in words, the merchant multiple at which GMV per merchant would be
    unchanged, and the note on the two figures' different bases."""
    change = decomposition.per_merchant_change
    return (
        f"{decomposition_sentence(decomposition.gmv_growth, decomposition.merchant_multiple, change)} "
        f"(a multiple of {prose.number(1 + change)}). {breakeven_sentence(decomposition.breakeven_multiple)}\n\n"
        f"*Base mismatch:* {decomposition.note}"
    )


def funnel_paragraph(run: PromotionRun) -> str:
    """The fast-brand funnel in words: orders a day over the dated window, views per order, the top
    rooms' floor against all fast-brand GMV at the assumed order value, and why the growth and
    repurchase figures say nothing per buyer."""
    from trustlab.data.facts import fact_value

    funnel, facts = run.funnel, run.facts
    rooms = fact_value(facts, "fastbrand_rooms_over_10m_616_2022")
    threshold = fact_value(facts, "fastbrand_room_sales_threshold_616_2022")
    start, end = run.fast_brand_window[:2]
    return (
        f"Over the {funnel.days} days their sentence dates ({start}..{end}), fast brands took "
        f"**{funnel.orders_per_day:,.0f} orders a day**, and there were at least "
        f"**{funnel.views_per_order:,.0f} room views per order**. The {rooms:,.0f} rooms over RMB {threshold / 1e6:,.0f} m sold at least "
        f"RMB {funnel.min_top_rooms_gmv_rmb / 1e6:,.0f} m; at an assumed RMB {funnel.average_order_value_rmb:,.0f} per order, all "
        f"fast-brand orders were worth RMB {funnel.fast_brand_gmv_rmb / 1e6:,.0f} m, so those {rooms:,.0f} rooms made "
        f"**{top_rooms_share(funnel.top_rooms_min_share)}** fast-brand GMV. Below RMB {funnel.breakeven_order_value_rmb:,.1f} per order "
        f"the figures would contradict each other. The +{fact_value(facts, 'fastbrand_sales_growth_616_2022'):.0f} % "
        f"sales growth has no reported base (number of fast brands, or last year's period), and the "
        f"{fact_value(facts, 'fastbrand_repurchase_rate_max_616_2022'):.0f} % repurchase rate is the best room's "
        "('up to'), not an average: neither can be turned into growth per buyer."
    )


def trust_buy_paragraph(run: PromotionRun) -> str:
    """Trust-buy orders a day in 2021 and over the festival window its sentence dates, the ratio under
    every festival end date, and, below :data:`RUN_RATE_RATIO`, that the festival orders are about the
    2021 run-rate."""
    results, festival = run.results, run.trust_buy.iloc[1:]
    start, end = run.trust_buy_window[:2]
    low, high = festival["ratio_to_2021"].min(), festival["ratio_to_2021"].max()
    text = (
        f"In 2021 trust-buy covered **{prose.number(results['trust_buy_daily_2021'] / 1e6)} m orders a day** on average; "
        f"during its dated festival window ({start}..{end}, {results['trust_buy_days']} days) at least "
        f"**{prose.number(results['trust_buy_daily_festival'] / 1e6)} m a day**, "
        f"{prose.number(results['trust_buy_ratio_to_2021'])} times the 2021 rate "
        f"({prose.number(low)} to {prose.number(high)} across both end dates). "
    )
    if high < RUN_RATE_RATIO:
        orders = festival["orders"].iloc[0]
        text += f"The {orders / 1e6:,.0f} m orders are about the 2021 run-rate, not evidence of festival growth by themselves."
    return text


def festival_quarter_sentence(per_user: pd.DataFrame, gmv_growth: float) -> str:
    """The festival quarter's year-on-year growth of GMV and GMV per DAU against the festival's reported
    growth (:func:`festival_versus_quarter`), from the table of
    :func:`~trustlab.promotion.tables.per_user_table`; "" when that quarter has no year-on-year growth."""
    quarter = str(pd.Period(FESTIVAL_START, "Q"))
    row = per_user[per_user["quarter"] == quarter]
    if row.empty or pd.isna(row["YoY GMV growth"].iloc[0]):
        return ""
    return festival_versus_quarter(row["YoY GMV growth"].iloc[0], row["YoY GMV per DAU"].iloc[0], gmv_growth)


def holdout_scores_caption(results: Mapping[str, Any]) -> str:
    """Caption of the holdout's scores table."""
    return (
        f"Holdout: the {counted(results['holdout_n'], 'reported quarter')} after train_end (evaluation, not used for the choice)"
    )


def no_backtest_sentence(params: Mapping[str, Any]) -> str:
    """Why section 6 has no table: no quarter after train_end can be scored."""
    p = {**DEFAULTS, **dict(params)}
    return f"No quarter after train_end = {p['train_end']} can be scored on every method, so there is nothing to backtest."


# How the explorer and ``trustlab diff`` show the recorded results (schema key ``results``): the
# notebook's sections, each result worded with the function its sentences word it with.
RESULT_GROUPS: dict[str, dict[str, Any]] = {
    "The GMV forecast (RMB bn a quarter)": {
        "model_status": str,
        "headline_method": str,
        "headline_forecast": prose.number,
        "forecast": prose.number,
        "forecasts_by_method": prose.number,
        "selection_chosen_by_data": str,
    },
    "Forecast accuracy": {
        "selection_mape_by_method": prose.error_percent,
        "holdout_mape": prose.error_percent,
        "holdout_mase": _mase,
        "holdout_coverage": prose.percent,
        "backtest_mape": prose.error_percent,
        "backtest_coverage": prose.percent,
        "backtest_mape_by_method": prose.error_percent,
        "backtest_mase_by_method": _mase,
        "backtest_mape_by_horizon": prose.error_percent,
        "backtest_relative_mape": prose.number,
        "selection_origins_not_converged": str,
        "backtest_origins_not_converged": str,
    },
    "The 616 festival": {
        "gmv_per_merchant_change": prose.signed_percent,
        "views_per_order": prose.number,
        "fast_brand_orders_per_day": prose.per_day,
        "trust_buy_daily_2021": prose.per_day,
        "trust_buy_daily_festival": prose.per_day,
    },
    "Quarter effects": {
        "q2_vs_others": prose.number,
        "q4_vs_others": prose.number,
        "effects_bootstrap": prose.number,
        "effects_trend": str,
    },
}
