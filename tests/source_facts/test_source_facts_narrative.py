"""Property test of notebook 00's narrative (Summary) over its parameter space, built by the fast path
(trustlab.source_facts.recorded_results) without a kernel."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from trustlab import prose, source_facts
from trustlab.data import facts as facts_data


@settings(max_examples=30, deadline=None)
@given(
    topics=st.lists(st.sampled_from(list(facts_data.TOPICS)), min_size=1, unique=True),
    festival_end=st.sampled_from(["2022-06-19", "2022-06-14"]),
    max_rows=st.integers(1, 100),
)
def test_summary_is_fit_to_publish_and_follows_the_numbers(topics: list[str], festival_end: str, max_rows: int) -> None:
    params = {
        "source_id": "kuaishou-trust-pyramid-2022-06-23",
        "topics": topics,
        "festival_end": festival_end,
        "max_rows_per_topic": max_rows,
    }
    results = source_facts.recorded_results(params)
    lines = source_facts.summary(results, params)
    text = "\n".join(lines)
    assert not prose.narrative_problems(text), prose.narrative_problems(text)
    assert 3 <= len(lines) <= 6
    assert f"**{prose.number(results['n_facts'])}** quantitative claims" in text
    assert ("does not fully hold together" in text) == (results["n_warnings"] > 0)
    assert prose.number(results["fast_brand_orders_per_day"]) in text
