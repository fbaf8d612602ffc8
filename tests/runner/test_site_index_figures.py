"""The site index's key figures: the numbers a notebook's result groups name, in their order, worded
with the notebook's own formatters (units included), instead of raw ``name = 0.4553…`` pairs."""

from __future__ import annotations

from trustlab.runner import report
from trustlab.runner.compare import notebook_result_groups


def test_key_figures_follow_the_groups_order_and_word_each_number_with_its_formatter():
    groups = {"First": {"cost_b": lambda v: f"RMB {v:,.0f}", "count_a": str}, "Second": {"share": lambda v: f"{v:.0%}"}}
    results = {"count_a": 2, "cost_b": 1234.0, "share": 0.25, "verdict": True, "unlisted": 9.0}
    assert report.key_figures(results, groups) == [("cost b", "RMB 1,234"), ("count a", "2"), ("share", "25%")]


def test_key_figures_skip_verdicts_lists_and_missing_values_and_stop_at_the_limit():
    results = {"flag": True, "series": [1, 2], "missing": None, "text": "ok", "a": 1.0, "b": 2.0, "c": 3.0}
    assert report.key_figures(results, {}, limit=2) == [("a", "1"), ("b", "2")]


def test_a_collection_notebook_words_its_key_figures_with_their_units():
    figures = dict(report.key_figures({"interceptions_per_day": 1234.4}, notebook_result_groups({"notebook": "01_governance"})))
    assert figures == {"interceptions per day": "1,234 a day"}  # governance words a daily count "N a day"
