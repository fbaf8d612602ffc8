"""trustlab.community_trust: the computation of notebook 04_community_trust, its fast path and its Summary."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustlab import prose, community_trust
from trustlab.runner import params, sweep


def test_project_compounds_the_growth_rate():
    assert community_trust.project(100.0, 0.1, 2) == pytest.approx([100.0, 110.0, 121.0])
    assert community_trust.project(50.0, -0.5, 1) == pytest.approx([50.0, 25.0])
    assert community_trust.project(7.0, 0.3, 0) == [7.0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0.0, 0.1, 2), "start_value: expected a finite number > 0, got 0.0"),
        ((math.nan, 0.1, 2), "start_value: expected a finite number > 0, got nan"),
        ((100.0, -1.0, 2), "growth_rate: expected a finite fraction > -1, got -1.0"),
        ((100.0, 0.1, -1), "periods: expected a whole number >= 0, got -1"),
        ((100.0, 0.1, 2.5), "periods: expected a whole number >= 0, got 2.5"),
    ],
)
def test_project_refuses_values_it_cannot_project(args, message):
    with pytest.raises(ValueError) as info:
        community_trust.project(*args)
    assert str(info.value) == message


def test_the_contract_names_this_analysis_as_the_fast_path():
    assert sweep.fast_function("04_community_trust") is community_trust.analysis
    defaults = params.resolve("04_community_trust")
    results = community_trust.analysis(defaults)
    path = community_trust.project(defaults["start_value"], defaults["growth_rate"], defaults["periods"])
    assert results == {"final_value": path[-1], "total_change": path[-1] / path[0] - 1}


@settings(max_examples=60, deadline=None)
@given(
    start_value=st.floats(min_value=1e-6, max_value=1e9),
    growth_rate=st.floats(min_value=-0.999, max_value=1.0),
    periods=st.integers(min_value=1, max_value=120),
)
def test_the_summary_reads_well_across_the_contract(start_value, growth_rate, periods):
    overrides = {"start_value": start_value, "growth_rate": growth_rate, "periods": periods}
    values = params.resolve("04_community_trust", overrides=overrides)
    lines = community_trust.summary(community_trust.analysis(values), values)
    text = "\n".join(lines)
    assert prose.narrative_problems(text) == []
    assert prose.number(values["start_value"]) in text
