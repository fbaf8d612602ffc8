"""Notebook 02's sentences on the quarter effects (:mod:`trustlab.promotion.effects`): each verdict
follows the interval and p-value as printed, at the precision printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from trustlab.promotion.effects import EffectSpecifications, interval_side
from trustlab.prose import MINUS

MAX_PERCENT_DECIMALS = 3  # a bound still 0 at this precision makes the verdict "borderline"
FESTIVAL_NAMES = {"Q2": "the 616 quarter (Q2)", "Q4": "the Double 11 quarter (Q4)"}


def _shows_zero(text: str) -> bool:
    return float(text.rstrip("%").replace(MINUS, "-").lstrip("+")) == 0


def _p_text(p: float, alpha: float) -> tuple[str, bool]:
    """The p-value as :func:`trustlab.prose.p_value` prints it, with more decimals (up to 6) when that
    reads as exactly alpha; and whether it still does (then no side of alpha is shown)."""
    from trustlab import prose

    text = prose.p_value(p)
    if not text.startswith("p = "):
        return text, False
    decimals = len(text.split(".")[1])
    while float(text[4:]) == alpha and decimals < 6:
        decimals += 1
        text = f"p = {p:.{decimals}f}"
    return text, float(text[4:]) == alpha


def signed_percent_off_zero(value: float, decimals: int = 1) -> str:
    """A signed percentage with more decimals (up to :data:`MAX_PERCENT_DECIMALS`) while a nonzero
    value would print as 0, so a bound shows which side of zero it is on ("−0.02%", not "0.0%")."""
    from trustlab import prose

    while value != 0 and decimals < MAX_PERCENT_DECIMALS and _shows_zero(prose.signed_percent(value, decimals)):
        decimals += 1
    return prose.signed_percent(value, decimals)


def shown_effect(e: Mapping[str, float], alpha: float = 0.05, decimals: int = 1) -> dict[str, str]:
    """How an effect with its interval is printed and which side of zero the printed interval is on.

    The bounds get more decimals (up to :data:`MAX_PERCENT_DECIMALS`) while the bound that decides the
    side would print as 0. ``side``: "above", "below", "straddles", or "borderline" when the deciding
    bound or the p-value still prints as 0 or as alpha. Returns ``effect``, ``lower``, ``upper``, ``p``, ``side``.
    """
    from trustlab import prose

    side = interval_side(e["lower"], e["upper"])
    deciding = {"above": e["lower"], "below": e["upper"]}.get(side)
    while deciding is not None and decimals < MAX_PERCENT_DECIMALS and _shows_zero(prose.signed_percent(deciding, decimals)):
        decimals += 1
    lower, upper = prose.signed_percent(e["lower"], decimals), prose.signed_percent(e["upper"], decimals)
    p_text, p_at_alpha = _p_text(e["p_value"], alpha)
    if (deciding is not None and _shows_zero(lower if side == "above" else upper)) or p_at_alpha:
        side = "borderline"
    return {"effect": prose.signed_percent(e["effect"], decimals), "lower": lower, "upper": upper, "p": p_text, "side": side}


def contrast_clause(against: str, e: Mapping[str, float], alpha: float = 0.05) -> str:
    """'+6.2% against Q1 (95% CI +1.3% to +11.3%, p = 0.017: significantly above Q1)': the verdict
    words follow the printed interval (above 0, below 0, including 0, or borderline)."""
    shown = shown_effect(e, alpha)
    verdict = {
        "above": f"significantly above {against}",
        "below": f"significantly below {against}",
        "straddles": f"not distinguishable from {against}: the interval includes no difference",
        "borderline": f"borderline against {against}: at the precision shown the test sits on the {_level(alpha)} threshold",
    }[shown["side"]]
    return (
        f"{shown['effect']} against {against} ({_level(alpha)} CI {shown['lower']} to {shown['upper']}, {shown['p']}: {verdict})"
    )


def _level(alpha: float) -> str:
    return f"{100 * (1 - alpha):g}%"


def _peak_sides(against_others: Mapping[str, Mapping[str, float]], alpha: float) -> tuple[list[str], list[str]]:
    sides = {a: shown_effect(e, alpha)["side"] for a, e in against_others.items()}
    return [a for a, s in sides.items() if s == "below"], [a for a, s in sides.items() if s in ("straddles", "borderline")]


def is_peak(against_others: Mapping[str, Mapping[str, float]], alpha: float = 0.05) -> bool | None:
    """True: above every other quarter (as printed); False: below at least one; None: neither shown."""
    below, unclear = _peak_sides(against_others, alpha)
    return False if below else None if unclear else True


def peak_verdict(quarter: str, against_others: Mapping[str, Mapping[str, float]], alpha: float = 0.05) -> str:
    """Whether ``quarter`` is a visible peak: significantly above every other quarter (each contrast's
    interval above 0; requiring all of them is an intersection-union test, level alpha without adjustment)."""
    from trustlab import prose

    below, unclear = _peak_sides(against_others, alpha)
    if not below and not unclear:
        return f"{quarter} is above every other quarter, a visible peak"
    if below:
        return f"{quarter} is below {prose.join(below)}, so it is not a peak"
    return f"{quarter} is not distinguishable from {prose.join(unclear)}, so it is not shown to be a peak"


def _against_all(quarter: str, against_others: Mapping[str, Mapping[str, float]], alpha: float) -> str:
    from trustlab import prose

    clauses = prose.join(contrast_clause(a, e, alpha) for a, e in against_others.items())
    return f"{FESTIVAL_NAMES.get(quarter, quarter)} is {clauses}; {peak_verdict(quarter, against_others, alpha)}"


def effects_summary(results: Mapping[str, Any]) -> str:
    """The Summary bullet on the Q4 and Q2 effects, each against every other quarter, from the recorded results."""
    q2_peak = is_peak(results["q2_vs_others"])
    return (
        f"In quarterly GMV, after a {results['effects_trend']} trend (lowest {results['effects_criterion']} among linear, "
        f"quadratic and log-time trends; HAC errors, t with {results['effects_df']} df), "
        f"{_against_all('Q4', results['q4_vs_others'], 0.05)}. Against the same trend "
        f"{_against_all('Q2', results['q2_vs_others'], 0.05)}"
        + (
            ": Q2 stands out in the quarterly GMV, which does not make the rise 616's own (see Caveats)."
            if q2_peak
            else ": 616 is not a visible peak in the platform's quarterly GMV."
        )
    )


def effects_paragraph(results: Mapping[str, Any], specs: EffectSpecifications) -> str:
    """Notebook 02's section 7 text: the chosen trend's Q4 and Q2 contrasts, their range across the
    trends, and whether Q2 is a peak, worded from the recorded results."""
    from trustlab import prose

    by_trend = specs.contrasts.set_index(["quarter", "against"])
    ranges = []
    for quarter, against in (("Q4", "Q3"), ("Q2", "Q1"), ("Q2", "Q3")):
        effects = by_trend.loc[(quarter, against), "effect"]
        ranges.append(
            f"{quarter} against {against} from {prose.signed_percent(effects.min())} to {prose.signed_percent(effects.max())}"
        )
    return (
        f"Under the {results['effects_trend']} trend {_against_all('Q4', results['q4_vs_others'], 0.05)}; "
        f"{_against_all('Q2', results['q2_vs_others'], 0.05)}. Across the three trends {prose.join(ranges)}."
    )


def trend_caveat(results: Mapping[str, Any], alpha: float = 0.05) -> str:
    """Which Q2 and Q4 verdicts change with the trend (linear, quadratic, log-time), and whether the
    peak verdicts do, from ``effects_by_trend``."""
    from trustlab import prose

    by_trend = results["effects_by_trend"]
    chosen = results["effects_trend"]
    changed = []
    for key, e in by_trend[chosen].items():
        if key == "bic":
            continue
        side = shown_effect(e, alpha)["side"]
        others = [(t, row[key]) for t, row in by_trend.items() if t != chosen and shown_effect(row[key], alpha)["side"] != side]
        if others:
            quarter, against = key.upper().split("_VS_")
            changed.append(
                f"{quarter} against {against} is "
                + prose.join(
                    f"{_SIDE_WORDS[shown_effect(row, alpha)['side']]} under the {t} trend "
                    f"({shown_effect(row, alpha)['lower']} to {shown_effect(row, alpha)['upper']}, {shown_effect(row, alpha)['p']})"
                    for t, row in others
                )
            )

    def peaks(trend: str) -> dict[str, bool | None]:
        row = by_trend[trend]
        return {
            q: is_peak({k[-2:].upper(): v for k, v in row.items() if k.startswith(f"{q.lower()}_vs_")}, alpha)
            for q in ("Q2", "Q4")
        }

    same_peaks = all(peaks(t) == peaks(chosen) for t in by_trend)
    if not changed:
        return "Every verdict on Q2 and Q4 is the same under the linear, quadratic and log-time trends."
    return (
        f"Some verdicts depend on the trend: under the {chosen} trend they are as in the Summary, but "
        + "; ".join(changed)
        + (
            ". Whether Q2 and Q4 are peaks does not change with the trend."
            if same_peaks
            else ". Whether Q2 or Q4 is a peak changes with the trend, so that verdict rests on the trend chosen."
        )
    )


_SIDE_WORDS = {
    "above": "significantly above",
    "below": "significantly below",
    "straddles": "not distinguishable",
    "borderline": "borderline",
}


def effects_caveats(results: Mapping[str, Any], festival_start: str, festival_end: str) -> list[str]:
    """Caveats of the quarter effects, from the run: residual autocorrelation, the bootstrap check of the
    HAC verdicts, and why 616's own effect cannot be identified from quarterly GMV."""
    from trustlab import prose
    from trustlab.source_facts.rates import day_count

    dw, dw_lin = results["durbin_watson"], results["durbin_watson_linear"]
    n, df = results["effects_n"], results["effects_df"]
    boot = results["effects_bootstrap"]
    disagree = boot["disagreements"]
    checked = (
        "gives the same side of zero for every contrast of Q2 and Q4 shown"
        if not disagree
        else "disagrees with the HAC verdict for "
        + prose.join(
            f"{name} (bootstrap interval {prose.signed_percent(b['lower'])} to {prose.signed_percent(b['upper'])})"
            for name, b in disagree.items()
        )
        + ", so those verdicts rest on the HAC approximation"
    )
    q2_start = pd.Period(festival_start, freq="Q").start_time.date()
    q2_end = pd.Period(festival_start, freq="Q").end_time.date()
    days, q2_days = day_count(festival_start, festival_end), day_count(q2_start, q2_end)
    return [
        trend_caveat(results),
        f"The quarter effects rest on {prose.number(n)} observed quarters; Durbin-Watson is "
        f"{prose.number(dw, 3)} under the chosen trend ({prose.number(dw_lin, 3)} under a linear one)"
        + ("; residual autocorrelation remains, which the HAC errors allow for but do not remove." if dw < 1.5 else "."),
        f"With {prose.number(n)} observations and {prose.number(n - df)} parameters the HAC intervals lean on large-sample "
        f"theory: a moving-block bootstrap of the residuals ({prose.number(boot['replications'])} replications, blocks of "
        f"{prose.number(boot['block_length'])} quarters, seed {boot['seed']}) {checked}.",
        f"The 616 festival ran {prose.number(days)} days ({festival_start} to {festival_end}), inside a quarter of "
        f"{prose.number(q2_days)} days that also holds 618, the industry's June sale; quarterly GMV has one Q2 figure a "
        "year, so the festival's own effect cannot be identified from it: the contrasts compare whole quarters, not festivals.",
    ]


def specification_caption(results: Mapping[str, Any], specs: EffectSpecifications) -> str:
    """Caption of the table of trend specifications (:func:`~trustlab.promotion.tables.specification_table`)."""
    return (
        f"log GMV ~ trend + quarter dummies, each quarter against each other, n = {results['effects_n']}; "
        f"HAC (Newey-West, {int(specs.table['lags'].iloc[0])} lags) errors, t tests; chosen by lowest BIC: {specs.chosen}"
    )


def effects_caption(results: Mapping[str, Any], specs: EffectSpecifications) -> str:
    """Caption of the chosen trend's contrasts (:func:`~trustlab.promotion.tables.effects_table`): both
    intervals and the bootstrap's replications, block length and seed."""
    boot = results["effects_bootstrap"]
    return (
        f"Under the chosen trend ({specs.chosen}): 95 % HAC intervals (lower, upper) and moving-block bootstrap "
        f"intervals (boot_lower, boot_upper; {boot['replications']:,} replications, blocks of {boot['block_length']} "
        f"quarters, seed {boot['seed']}); agree: both on the same side of 0"
    )
