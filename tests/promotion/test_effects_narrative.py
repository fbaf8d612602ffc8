"""Tests of trustlab.promotion.effects_narrative: every effect verdict agrees with the interval and
p-value it prints, at the precision printed (hand-made intervals and a property test at the edges)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats
from trustlab import prose
from trustlab.promotion import effects as ef
from trustlab.promotion import effects_narrative as en

CLAUSE = re.compile(
    r"(?P<effect>\S+) against (?P<against>Q\d) \((?P<level>\S+) CI (?P<lower>\S+) to (?P<upper>\S+), "
    r"p (?P<p_rel>[=<]) (?P<p>[0-9.e-]+): (?P<verdict>[^)]*)\)"
)


def _number(text: str) -> float:
    return float(text.replace(prose.MINUS, "-").rstrip("%"))


def check_clause(m: re.Match, alpha: float = 0.05) -> str:
    """The verdict of one printed clause, checked against the numbers printed beside it."""
    lower, upper, effect = _number(m["lower"]), _number(m["upper"]), _number(m["effect"])
    p = float(m["p"])  # "p < x" means below x, and x <= 0.001 < alpha
    significant = m["p_rel"] == "<" or p < alpha
    verdict = m["verdict"]
    assert lower <= effect <= upper, m.group(0)
    if verdict.startswith("significantly above"):
        assert lower > 0 and significant, m.group(0)
    elif verdict.startswith("significantly below"):
        assert upper < 0 and significant, m.group(0)
    elif verdict.startswith("not distinguishable"):
        assert lower <= 0 <= upper and not significant, m.group(0)
        assert "includes no difference" in verdict
    else:
        assert verdict.startswith("borderline"), m.group(0)
        assert lower == 0 or upper == 0 or (m["p_rel"] == "=" and p == alpha), m.group(0)
    assert m["against"] in verdict
    return verdict.split(" ")[0]


def _effect(log_effect: float, se: float, df: int, alpha: float = 0.05) -> dict[str, float]:
    """An effect, its t interval and p-value from a log estimate and its standard error, by hand."""
    t_crit = stats.t.ppf(1 - alpha / 2, df)
    return {
        "effect": float(np.expm1(log_effect)),
        "lower": float(np.expm1(log_effect - t_crit * se)),
        "upper": float(np.expm1(log_effect + t_crit * se)),
        "p_value": float(2 * stats.t.sf(abs(log_effect / se), df)),
    }


@pytest.mark.parametrize(
    ("e", "words", "shown"),
    [
        ({"effect": 0.062, "lower": 0.013, "upper": 0.113, "p_value": 0.017}, "significantly above Q1", "+1.3% to +11.3%"),
        ({"effect": -0.06, "lower": -0.10, "upper": -0.021, "p_value": 0.007}, "significantly below Q1", "−10.0% to −2.1%"),
        ({"effect": 0.03, "lower": -0.01, "upper": 0.07, "p_value": 0.2}, "not distinguishable from Q1", "−1.0% to +7.0%"),
        # the run without V-2 rows: an upper bound of -0.02 % printed as "0 %" beside "significantly below"
        (
            {"effect": -0.068, "lower": -0.1313, "upper": -0.0002, "p_value": 0.0495},
            "significantly below Q1",
            "to −0.02%, p = 0.0495",
        ),
        ({"effect": -0.068, "lower": -0.1313, "upper": -1e-9, "p_value": 0.04999999}, "borderline against Q1", "to 0.000%"),
        ({"effect": 0.05, "lower": 0.00004, "upper": 0.1, "p_value": 0.0499}, "significantly above Q1", "+0.004% to"),
    ],
)
def test_verdict_words_follow_hand_made_intervals(e, words, shown) -> None:
    clause = en.contrast_clause("Q1", e)
    assert words in clause and shown in clause, clause
    check_clause(CLAUSE.fullmatch(clause))
    assert "includes no" not in clause or e["lower"] <= 0 <= e["upper"]


@settings(max_examples=300, deadline=None)
@given(
    z=st.one_of(st.floats(0.9, 1.1), st.floats(-1.1, -0.9), st.floats(-20, 20), st.sampled_from([1.0, -1.0, 1 + 1e-9, 1 - 1e-9])),
    se=st.one_of(st.floats(1e-7, 1.0), st.just(1e-5)),
    df=st.integers(1, 40),
)
@example(z=1.0, se=0.034, df=8)
@example(z=1 + 1e-12, se=1e-6, df=12)
def test_every_verdict_agrees_with_the_numbers_it_prints(z: float, se: float, df: int) -> None:
    """z is the estimate in units of the critical value: |z| near 1 puts a bound at 0 and p at alpha."""
    e = _effect(z * stats.t.ppf(0.975, df) * se, se, df)
    clause = en.contrast_clause("Q3", e)
    m = CLAUSE.fullmatch(clause)
    assert m, clause
    word = check_clause(m)
    if e["lower"] > 0 and word != "borderline":
        assert word == "significantly"
    if e["lower"] <= 0 <= e["upper"]:
        assert word in ("not", "borderline")


def test_the_run_without_secondary_rows_shows_which_side_of_zero() -> None:
    """`run 02 -p include_secondary_sources false` printed Q2 against Q3 "−13 % to 0 %, p = 0.050"
    beside "significantly below": the upper bound is −0.02 % and p = 0.0495."""
    from trustlab.data import quarterly

    gmv = quarterly.wide(quarterly.load_quarterly(include_secondary=False))["gmv_rmb_bn"]
    text = en.effects_summary(ef.effects_results(ef.effect_specifications(gmv)))
    clauses = list(CLAUSE.finditer(text))
    assert len(clauses) == 6
    for m in clauses:
        check_clause(m)
    q2_q3 = next(m for m in clauses[3:] if m["against"] == "Q3")
    assert q2_q3["upper"] == "−0.02%" and q2_q3["p"] == "0.0495", q2_q3.group(0)


def test_table_percentages_show_which_side_of_zero() -> None:
    assert en.signed_percent_off_zero(-0.0002) == "−0.02%"  # "{:+.1%}" printed it as -0.0%
    assert en.signed_percent_off_zero(0.00004) == "+0.004%"
    assert en.signed_percent_off_zero(-1e-9) == "0.000%"
    assert en.signed_percent_off_zero(0.062) == "+6.2%"
    assert en.signed_percent_off_zero(0.0) == "0.0%"


def test_peak_verdict_needs_every_other_quarter_below() -> None:
    above = {"effect": 0.1, "lower": 0.05, "upper": 0.15, "p_value": 0.001}
    below = {"effect": -0.1, "lower": -0.15, "upper": -0.05, "p_value": 0.001}
    unclear = {"effect": 0.02, "lower": -0.03, "upper": 0.07, "p_value": 0.4}
    assert en.peak_verdict("Q2", {"Q1": above, "Q3": above, "Q4": above}) == "Q2 is above every other quarter, a visible peak"
    assert en.peak_verdict("Q2", {"Q1": above, "Q3": below, "Q4": below}) == "Q2 is below Q3 and Q4, so it is not a peak"
    assert en.peak_verdict("Q2", {"Q1": above, "Q3": unclear, "Q4": above}) == (
        "Q2 is not distinguishable from Q3, so it is not shown to be a peak"
    )


UP = {"effect": 0.062, "lower": 0.013, "upper": 0.113, "p_value": 0.017}
DOWN = {"effect": -0.06, "lower": -0.10, "upper": -0.021, "p_value": 0.007}
FLAT = {"effect": 0.03, "lower": -0.01, "upper": 0.07, "p_value": 0.2}
Q4_UP = {"effect": 0.4, "lower": 0.3, "upper": 0.5, "p_value": 1e-6}


def _by_trend(q2_by_trend: dict[str, dict[str, dict[str, float]]]) -> dict:
    return {
        t: {"bic": -50.0} | {f"q2_vs_{a.lower()}": e for a, e in q2.items()} | {f"q4_vs_{a}": Q4_UP for a in ("q1", "q2", "q3")}
        for t, q2 in q2_by_trend.items()
    }


def _results(q2: dict[str, dict[str, float]]) -> dict:
    q4 = {a: Q4_UP for a in ("Q1", "Q2", "Q3")}
    return {
        "effects_by_trend": _by_trend({"quadratic": q2, "linear": q2, "log-time": q2}),
        "effects_trend": "quadratic",
        "effects_criterion": "BIC",
        "effects_df": 12,
        "effects_n": 18,
        "q2_vs_others": q2,
        "q4_vs_others": q4,
        "durbin_watson": 1.2,
        "durbin_watson_linear": 0.5,
        "effects_bootstrap": {"replications": 1999, "block_length": 3, "seed": 1, "disagreements": {}},
    }


def test_summary_says_616_is_no_peak_only_when_q2_is_not_above_every_quarter() -> None:
    up = {"effect": 0.062, "lower": 0.013, "upper": 0.113, "p_value": 0.017}
    down = {"effect": -0.06, "lower": -0.10, "upper": -0.021, "p_value": 0.007}
    no_peak = en.effects_summary(_results({"Q1": up, "Q3": down, "Q4": down}))
    assert "616 is not a visible peak" in no_peak and "Q2 is below Q3 and Q4" in no_peak
    peak = en.effects_summary(_results({"Q1": up, "Q3": up, "Q4": up}))
    assert "616 is not a visible peak" not in peak and "Q2 stands out" in peak
    for text in (no_peak, peak):
        assert len(list(CLAUSE.finditer(text))) == 6
        for m in CLAUSE.finditer(text):
            check_clause(m)


def test_trend_caveat_names_each_verdict_that_changes() -> None:
    r = _results({"Q1": UP, "Q3": DOWN, "Q4": DOWN})
    assert en.trend_caveat(r) == "Every verdict on Q2 and Q4 is the same under the linear, quadratic and log-time trends."
    r["effects_by_trend"] = _by_trend(
        {
            "quadratic": {"Q1": UP, "Q3": DOWN, "Q4": DOWN},
            "linear": {"Q1": FLAT, "Q3": DOWN, "Q4": DOWN},
            "log-time": {"Q1": UP, "Q3": DOWN, "Q4": DOWN},
        }
    )
    text = en.trend_caveat(r)
    assert "Q2 against Q1 is not distinguishable under the linear trend (−1.0% to +7.0%, p = 0.20)" in text
    assert "log-time" not in text and "Q2 against Q3" not in text
    assert text.endswith("Whether Q2 and Q4 are peaks does not change with the trend.")
    # Q2 above every quarter under one trend only: the peak verdict rests on the trend
    r["effects_by_trend"]["linear"] |= {"q2_vs_q1": UP, "q2_vs_q3": UP, "q2_vs_q4": UP}
    assert en.trend_caveat(r).endswith("so that verdict rests on the trend chosen.")


def test_caveats_count_the_festival_days_and_name_the_bootstrap() -> None:
    r = _results({})
    r["effects_bootstrap"]["disagreements"] = {"Q2 against Q1": {"lower": -0.005, "upper": 0.12}}
    text = "\n".join(en.effects_caveats(r, "2022-05-20", "2022-06-14"))
    # by hand: May 20-31 is 12 days, June 1-14 is 14; April-June is 30 + 31 + 30 days
    assert "ran 26 days (2022-05-20 to 2022-06-14), inside a quarter of 91 days that also holds 618" in text
    assert "cannot be identified" in text
    assert "With 18 observations and 6 parameters" in text and "1,999 replications" in text
    assert "disagrees with the HAC verdict for Q2 against Q1 (bootstrap interval −0.5% to +12.0%)" in text
    assert "31 days" in "\n".join(en.effects_caveats(r, "2022-05-20", "2022-06-19"))


def test_notebook_paragraph_words_follow_the_intervals() -> None:
    """Section 7's text (it used to say 'includes no effect or a fall' of an interval above 0)."""
    idx = pd.period_range("2021Q1", "2025Q3", freq="Q")
    rng = np.random.default_rng(11)
    season = {1: 0.0, 2: np.log(1.06), 3: np.log(1.12), 4: np.log(1.45)}
    y = np.exp(5 + 0.08 * np.arange(len(idx)) + np.array([season[q.quarter] for q in idx]) + rng.normal(0, 0.01, len(idx)))
    specs = ef.effect_specifications(pd.Series(y, index=idx), replications=199)
    text = en.effects_paragraph(ef.effects_results(specs), specs)
    clauses = list(CLAUSE.finditer(text))
    assert len(clauses) == 6
    for m in clauses:
        check_clause(m)
    assert "includes no effect or a fall" not in text


def test_the_captions_of_the_effects_tables_name_the_fit_and_the_bootstrap():
    from types import SimpleNamespace

    from trustlab.promotion.effects_narrative import effects_caption, specification_caption

    specs = SimpleNamespace(table=pd.DataFrame({"trend": ["linear", "log"], "lags": [3, 3]}), chosen="log")
    results = {"effects_n": 27, "effects_bootstrap": {"replications": 2000, "block_length": 4, "seed": 20220616}}
    assert specification_caption(results, specs) == (
        "log GMV ~ trend + quarter dummies, each quarter against each other, n = 27; "
        "HAC (Newey-West, 3 lags) errors, t tests; chosen by lowest BIC: log"
    )
    assert effects_caption(results, specs) == (
        "Under the chosen trend (log): 95 % HAC intervals (lower, upper) and moving-block bootstrap intervals "
        "(boot_lower, boot_upper; 2,000 replications, blocks of 4 quarters, seed 20220616); agree: both on the same side of 0"
    )
