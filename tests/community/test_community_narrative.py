"""Notebook 04's narrative (Summary, result sentences, caveats) over its parameter space, built from
the one orchestration (community.run, the fast path) without a kernel. Fails on
prose.narrative_problems or on a verdict that contradicts the numbers it cites."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from trustlab import community, prose
from trustlab.community import narrative
from trustlab.errors import ParameterError

QUARTERS = [str(q) for q in pd.period_range("2021Q1", "2025Q3", freq="Q")]


def edge(lo: float, hi: float) -> st.SearchStrategy[float]:
    """A float in [lo, hi], the bounds themselves drawn often."""
    return st.one_of(st.sampled_from([lo, hi]), st.floats(min_value=lo, max_value=hi, allow_nan=False))


@st.composite
def parameter_sets(draw) -> dict:
    start = draw(st.integers(min_value=0, max_value=len(QUARTERS) - 5))
    end = draw(st.integers(min_value=start + 4, max_value=len(QUARTERS) - 1))
    alpha = draw(edge(1e-6, 0.499999))
    p = {
        "start_quarter": QUARTERS[start],
        "end_quarter": QUARTERS[end],
        "include_secondary_sources": draw(st.booleans()),
        "min_pairs": draw(st.integers(min_value=3, max_value=16)),
        "alpha": alpha,
        "target_correlation": draw(edge(1e-6, 0.999999)),
        "power": draw(edge(min(alpha * 1.001 + 1e-9, 0.999999), 0.999999)),
        "order_value_rmb": draw(edge(1.0, 10000.0)),
    }
    return community.Parameters.check(p)


_LOAD_INPUTS = community.analysis.load_inputs


@cache
def _inputs(include_secondary: bool = True) -> community.Inputs:
    return _LOAD_INPUTS(include_secondary)


@cache
def _run(key: tuple) -> dict:
    """community.run on the data read once per include_secondary_sources (the run reads its files each time)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(community.analysis, "load_inputs", _inputs)
        return community.run(dict(key))


def narrative_of(p: dict) -> tuple[dict, list[str], list[str]]:
    results = _run(tuple(sorted(p.items())))
    summary = community.summary(results, p)
    lines = [
        *summary,
        narrative.growth_sentence(results, p),
        narrative.power_sentence(results, p),
        narrative.mutual_follow_sentence(results),
        *narrative.coverage_sentences(results, p),
        narrative.repurchase_sentence(results),
        *community.caveats(results, p),
    ]
    return results, summary, lines


def check_verdicts(results: dict, p: dict, summary: list[str]) -> None:
    first = summary[0]
    assert first.startswith("**"), first  # the answer first, in bold
    if results["slope"] is None:
        assert (
            "cannot test" in first
            and f"give {results['growth_pairs']} quarter{'' if results['growth_pairs'] == 1 else 's'} in" in first
        )
    elif results["slope_lower"] > 0:
        assert first.startswith("**Consistent with the claim, but not a test of it**")
    elif results["slope_upper"] < 0:
        assert first.startswith("**Against the claim's mechanism**")
    else:
        assert first.startswith("**No relation the public numbers can detect**") and "holds zero" in first
    text = "\n".join(summary)
    share = results["trust_buy_share_2021"]
    if share is None:
        assert "cannot be computed" in text
    elif share <= 1:
        assert f"are {prose.percent(share)} of them" in text
    else:
        assert f"are {prose.number(share)} times them" in text
    since = results["trust_buy_share_since_launch"]
    if since is not None:
        assert ("must count orders from before" in text) == (since > 1)
    assert "No repurchase figure before" in text  # the data hold no comparable pair


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parameter_sets())
def test_narrative_is_fit_to_publish_and_its_verdicts_follow_the_numbers(p):
    results, summary, lines = narrative_of(p)
    text = "\n".join(lines)
    assert not prose.narrative_problems(text), prose.narrative_problems(text)
    check_verdicts(results, p, summary)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"include_secondary_sources": False},  # two pairs: no slope, no 2021 GMV
        {"start_quarter": "2024Q3", "end_quarter": "2025Q3"},  # the narrowest window
        {"order_value_rmb": 10000.0},  # covered orders above every order
        {"order_value_rmb": 1.0},
        {"min_pairs": 16},
        {"alpha": 0.499999, "power": 0.999999, "target_correlation": 0.999999},
    ],
)
def test_named_cases(overrides):
    p = community.Parameters.check(overrides)
    results, summary, lines = narrative_of(p)
    assert not prose.narrative_problems("\n".join(lines))
    check_verdicts(results, p, summary)


def test_the_default_run_says_what_the_public_numbers_can_and_cannot_show():
    p = community.Parameters.check({})
    results, summary, _ = narrative_of(p)
    assert results["slope_lower"] < 0 < results["slope_upper"]  # today's data: no detectable relation
    assert summary[0].startswith("**No relation the public numbers can detect**")
    assert "for 2 quarters only" in summary[2]  # mutual-follow growth: 2021Q4 and 2022Q1
    assert results["trust_buy_share_since_launch"] > 1 and "must count orders from before" in "\n".join(summary)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("start_quarter", "2020Q4"),
        ("end_quarter", "2026Q1"),
        ("min_pairs", 17),
        ("alpha", 0.0),
        ("target_correlation", 0.0),
        ("power", 1.0),
        ("order_value_rmb", 10000.5),
        ("include_secondary_sources", "no"),
    ],
)
def test_values_outside_the_contract_are_refused_naming_the_parameter(name, value):
    with pytest.raises(ParameterError) as info:
        community.run({name: value})
    assert f"parameter {name!r}" in str(info.value)


def test_readme_row_gives_the_committed_notebooks_answer():
    import json
    import re

    from trustlab import config
    from trustlab.results import collect

    notebook = json.loads((config.NOTEBOOKS_DIR / "04_community_trust.ipynb").read_text(encoding="utf-8"))
    recorded = collect(notebook)
    readme = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `04_community_trust` |") and "**Answer" in line]
    assert len(rows) == 1
    numbers = {
        "growth_pairs": f"in the {recorded['growth_pairs']} quarters",
        "slope": prose.number(recorded["slope"]),
        "slope_lower": prose.number(recorded["slope_lower"]),
        "slope_upper": prose.number(recorded["slope_upper"]),
        "power_at_target": prose.percent(recorded["power_at_target"]),
        "mutual_follow_growth_quarters": f"published for {recorded['mutual_follow_growth_quarters']} quarters",
        "trust_buy_share_2021": prose.percent(recorded["trust_buy_share_2021"]),
        "trust_buy_share_since_launch": f"{prose.number(recorded['trust_buy_share_since_launch'])} times",
    }
    for name, text in numbers.items():
        assert re.search(rf"(?<![\d.,]){re.escape(text)}(?![\d])", rows[0]), f"README row lacks {name} = {text}"
    assert ("no relation they can detect" in rows[0]) == (recorded["slope_lower"] < 0 < recorded["slope_upper"])
