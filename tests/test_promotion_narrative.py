"""Property test of notebook 02's narrative (Summary + run-dependent caveats) over its parameter space,
built by the fast path (trustlab.promotion.analysis) without a kernel; and the README row's numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from trustlab import promotion, prose
from trustlab.runner.params import ParameterError

ROOT = Path(__file__).resolve().parents[1]
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


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(params=params_strategy)
def test_narrative_is_fit_to_publish_and_verdicts_follow_the_numbers(params: dict) -> None:
    try:
        promotion.check_params(params)
    except ParameterError:
        assume(False)
    results = promotion.analysis(params)
    lines = promotion.summary(results, params) + promotion.caveats(results, params)
    text = "\n".join(lines)
    assert not prose.narrative_problems(text), prose.narrative_problems(text)
    assert 3 <= len(promotion.summary(results, params)) <= 6
    if results["backtest_n"]:
        skill = results["backtest_skill"]
        assert ("it has no skill" in text) == (skill is None or skill <= 0)
        best = min(results["backtest_mape_by_method"], key=results["backtest_mape_by_method"].get)
        assert results["headline_method"] == best
    else:
        assert results["headline_method"] == "model" and "cannot be scored" in text
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
