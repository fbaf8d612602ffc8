"""Property test of notebook 02's narrative (Summary + run-dependent caveats) over its parameter space,
built by the fast path (trustlab.promotion.analysis) without a kernel; and the README row's numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from trustlab import promotion, prose
from trustlab.runner.params import ParameterError

ROOT = Path(__file__).resolve().parents[2]
QUARTERS = [f"{y}Q{q}" for y in range(2022, 2026) for q in range(1, 5) if f"{y}Q{q}" <= "2025Q3"]

params_strategy = st.fixed_dictionaries(
    {
        "train_end": st.sampled_from(QUARTERS),
        "forecast_quarters": st.integers(1, 12),
        "model": st.sampled_from(["sarimax", "sarimax", "ets"]),
        "merchant_multiple": st.one_of(st.just(1e-3), st.just(1e4), st.floats(0.01, 1000)),
        "gmv_growth": st.one_of(st.just(-0.999), st.just(1e3), st.floats(-0.99, 100)),
        "festival_end": st.sampled_from(["2022-06-19", "2022-06-14"]),
        "include_secondary_sources": st.just(True),
        "average_order_value_rmb": st.one_of(st.just(0.01), st.just(1e5), st.floats(1, 1000)),
        "backtest_horizon": st.integers(1, 8),
        "alpha": st.one_of(st.just(0.001), st.just(0.999), st.floats(0.01, 0.5)),
    }
)


EDGE = {
    "forecast_quarters": 12,
    "merchant_multiple": 1e-3,
    "gmv_growth": -0.999,
    "festival_end": "2022-06-14",
    "include_secondary_sources": True,
    "average_order_value_rmb": 0.01,
    "backtest_horizon": 8,
}


@settings(max_examples=7, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(params=params_strategy)
# The edges of the forecast narrative, always tried: no origin before train_end to choose on (the
# earliest train_end of each model), nothing reported after train_end (the last quarter).
@example(params={**EDGE, "train_end": "2022Q1", "model": "sarimax", "alpha": 0.999})
@example(params={**EDGE, "train_end": "2023Q2", "model": "ets", "alpha": 0.001})
@example(params={**EDGE, "train_end": "2025Q3", "model": "sarimax", "alpha": 0.5, "forecast_quarters": 1, "backtest_horizon": 1})
def test_narrative_is_fit_to_publish_and_verdicts_follow_the_numbers(params: dict) -> None:
    try:
        promotion.check_params(params)
    except ParameterError:
        assume(False)
    results = promotion.analysis(params)
    lines = promotion.summary(results, params) + promotion.caveats(results, params)
    text = "\n".join(lines)
    assert not prose.narrative_problems(text), prose.narrative_problems(text)
    summary = promotion.summary(results, params)
    assert 3 <= len(summary) <= 6
    _headline_follows_the_data_up_to_train_end(results, "\n".join(summary), params["train_end"])
    _skill_is_stated_as_the_numbers_say(results, "\n".join(summary))
    for q in ("q2", "q4"):
        e = results[f"{q}_effect"]
        match = re.search(
            rf"{q.upper()} [^()]*\([^)]*\), (significantly above Q3|significantly below Q3|not distinguishable from Q3)", text
        )
        assert match, text
        clause = match.group(1)
        if e["lower"] > 0:
            assert "above Q3" in clause
        elif e["upper"] < 0:
            assert "below Q3" in clause
        else:
            assert "not distinguishable" in clause
    assert set(results["holdout_mape"]) == set(results["backtest_mape_by_method"]) >= {"model", "seasonal_naive"}


def _headline_follows_the_data_up_to_train_end(results: dict, summary: str, train_end: str) -> None:
    """The headline method is the lowest MAPE of the backtest before train_end (never one after it),
    and the Summary names it with the MAPE that chose it."""
    method = results["headline_method"]
    assert results["headline_forecast"] == results["forecasts_by_method"][method]
    if not results["selection_n"]:
        assert method == "model" and "uses the model by default" in summary
        return
    mape = results["selection_mape_by_method"]
    assert method == promotion.lowest_mape(mape)
    assert all(mape[method] <= v for v in mape.values() if v is not None)
    assert results["selection_origins"][0] <= results["selection_origins"][1] < train_end  # origins before train_end only
    label = "the model" if method == "model" else f"the {promotion.METHOD_LABELS[method]}"
    assert f"The headline forecast uses {label}:" in summary
    assert f"its MAPE, {prose.error_percent(mape[method])}, is the lowest" in summary
    assert "hindsight" not in summary


def _skill_is_stated_as_the_numbers_say(results: dict, summary: str) -> None:
    """'no skill' appears exactly where the model does not beat the best benchmark (before train_end,
    in the backtest from train_end), and a run with nothing after train_end says it cannot be evaluated."""
    for where, n, skill in (
        ("Before train_end", results["selection_n"], results["selection_skill"]),
        ("after train_end", results["backtest_n"], results["backtest_skill"]),
    ):
        if not n:
            assert f"{where} the model" not in summary
            continue
        if skill is None:
            assert f"{where} the model's skill is undefined" in summary
            continue
        assert (f"{where} the model has no skill against the best benchmark" in summary) == (skill <= 0)
        assert f"(skill {prose.signed_percent(skill)})" in summary
    if not results["backtest_n"] and not results["holdout_n"]:
        assert "cannot be evaluated" in summary
    if results["holdout_n"]:
        assert f"the headline method scores {prose.error_percent(results['headline_holdout_mape'])}" in summary


def _committed_results(name: str) -> dict:
    from trustlab.results import collect

    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
    return collect(nb)


def test_readme_row_matches_the_committed_notebook() -> None:
    row = next(
        line
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `02_promotion_growth`")
    )
    r = _committed_results("02_promotion_growth")
    for value in (r["backtest_mape_by_method"]["model"], r["backtest_mape_by_method"]["seasonal_naive_growth"]):
        assert prose.percent(value) in row
    assert prose.signed_percent(r["q4_effect"]["effect"], 0) in row
    assert prose.signed_percent(r["q2_effect"]["effect"], 0) in row
    assert prose.change(1, 1 + r["gmv_per_merchant_change"]) in row
    # the headline method, chosen on data up to train_end, with the MAPE that chose it and its holdout score
    assert {
        "seasonal_naive_growth": "headline forecast uses seasonal naive x growth",
        "model": "headline forecast uses SARIMAX",
        "seasonal_naive": "headline forecast uses seasonal naive",
    }[r["headline_method"]] in row
    for value in (
        r["selection_mape_by_method"][r["headline_method"]],
        r["selection_mape_by_method"]["model"],
        r["holdout_mape"][r["headline_method"]],
        r["holdout_mape"]["model"],
    ):
        assert prose.percent(value) in row


def test_the_nominal_level_never_rounds_to_0_or_100_percent():
    from trustlab.promotion.analysis import _level

    assert [_level(a) for a in (0.1, 0.05, 0.001, 0.999, 0.0125)] == ["90%", "95%", "99.9%", "0.1%", "98.75%"]
