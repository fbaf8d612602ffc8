"""Notebook 00's tables and sentences (trustlab.source_facts.analysis and .narrative) say what the run
computed: each expected value is written out by hand or counted from data/facts.csv directly."""

from __future__ import annotations

import csv
from types import SimpleNamespace

import pandas as pd
import pytest
from trustlab import config, source_facts
from trustlab.data.sources import CleanedArticle, Repair, UnrepairedSpan
from trustlab.source_facts import narrative


@pytest.fixture(scope="module")
def run() -> source_facts.SourceFactsRun:
    return source_facts.run({"festival_end": "2022-06-19"})


def _article() -> CleanedArticle:
    return CleanedArticle(
        text="x" * 1234,
        title="標題",
        published="2022-06-23",
        repairs=[Repair("html tag", 0, "<p>", ""), Repair("html tag", 9, "</p>", ""), Repair("injected pinyin", 4, "a", "")],
        unrepaired=[UnrepairedSpan(17, "??", "ab??cd")],
        removed_sections=["disclaimer", "share"],
    )


def test_topic_counts_place_each_topic_in_the_pyramid():
    by_topic = pd.Series({"platform governance": 5, "consumer rights": 2, "pricing": 4})
    frame = source_facts.topic_counts(by_topic)
    assert frame.to_dict("list") == {
        "topic": ["platform governance", "consumer rights", "pricing"],
        "facts": [5, 2, 4],
        "layer": ["base", "middle", "outside the pyramid"],
    }


def test_topic_tables_head_each_topic_and_say_when_rows_are_cut():
    shown = pd.DataFrame({c: ["v"] * 4 for c in source_facts.FACT_TABLE_COLUMNS})
    shown["topic"] = ["community", "community", "community", "pricing"]
    fake = SimpleNamespace(params={"max_rows_per_topic": 2}, shown=shown, by_topic=pd.Series({"community": 3, "pricing": 1}))
    tables = source_facts.topic_tables(fake)
    assert [heading for heading, _ in tables] == ["#### community (pyramid top) (first 2 of 3)", "#### pricing"]
    assert [len(table) for _, table in tables] == [2, 1]
    assert list(tables[0][1].columns) == source_facts.FACT_TABLE_COLUMNS


def test_the_unrepaired_spans_are_listed_with_their_raw_offsets():
    assert source_facts.unrepaired_table(_article()).to_dict("records") == [
        {"raw offset": 17, "raw text": "??", "raw context": "ab??cd"}
    ]
    empty = source_facts.unrepaired_table(CleanedArticle(text="", title="", published=None))
    assert empty.empty and list(empty.columns) == ["raw offset", "raw text", "raw context"]


def test_the_article_sentence_counts_what_the_cleaner_did():
    fake = SimpleNamespace(article=_article(), source={"publisher": "某網站"})
    assert narrative.article_text(fake) == (
        "**標題**, 某網站, published 2022-06-23. The cleaner made **3** repairs (2 html tag, 1 injected pinyin), "
        "removed 2 lines of site chrome, and left 1 span it could not restore, marked with U+FFFD in a "
        "cleaned text of 1,234 characters."
    )


def test_the_counts_in_the_result_sentences(run):
    with (config.DATA_DIR / "facts.csv").open(encoding="utf-8", newline="") as stream:
        n_all = sum(1 for _ in csv.DictReader(stream))
    assert narrative.facts_shown_text(run) == f"**{n_all}** facts in 8 topics (of {n_all} facts the source states in all)."
    assert narrative.quote_problems_text(run) == f"Quote problems: **0** of {n_all} facts."
    two = SimpleNamespace(results={"quote_problems": 2}, facts=range(9))
    assert narrative.quote_problems_text(two) == "Quote problems: **2** of 9 facts. The facts below do not match the article:"


def test_the_derived_rates_sentence_rounds_to_whole_units():
    results = {"interceptions_per_day_2021": 62_440_000 / 365, "trust_buy_orders_per_day_2021": 5e9 / 365}
    assert narrative.derived_rates_text(results) == (
        "In 2021 the platform intercepted about **171,068** suspected counterfeit listing attempts a day, and 信任購 "
        "covered about **13,698,630** orders a day if its 2021 total is spread over the whole year."
    )


def test_the_festival_sentence_gives_both_lengths_and_each_figures_window(run):
    # 2022-05-20..06-19 is 31 days, ..06-14 is 26: the shorter reading raises a rate by 31/26 - 1 = 19.2 %;
    # 12,000,000 fast-brand orders over 31 days, 400,000,000 信任購 orders over 26 days
    assert narrative.festival_text(run) == (
        "The festival from 2022-05-20 lasts **26** days to 2022-06-14 and **31** days to 2022-06-19: the shorter "
        "reading raises a per-day rate by +19.2%. Each figure keeps the window its own sentence dates: the "
        "12,000,000 fast-brand orders are **387,097** a day over 31 days, the 信任購 orders at least "
        "**15,384,615** a day over 26 days (the same values as in the derived-rates table and in `results.json`)."
    )


def test_the_checks_sentence_counts_warnings_and_spans_near_quotes():
    checks = pd.DataFrame(
        {
            "check": [
                "festival end date",
                "no quote contains an unrepaired span",
                "unrepaired span at 10",
                "unrepaired span at 99",
            ],
            "status": ["warning", "ok", "warning", "ok"],
            "detail": ["", "quotes containing U+FFFD: none", "", ""],
        }
    )
    assert narrative.checks_text(checks) == (
        "**2** of 4 checks raise a warning; each is explained in its detail. Unrepaired spans within 60 characters "
        "of a fact's quote: 1 of 2; quotes containing an unrepaired span: none."
    )


def test_the_run_shows_what_it_records(run):
    assert len(run.shown) == run.results["n_facts"] == int(run.by_topic.sum())
    assert run.results["n_facts_by_topic"] == run.by_topic.to_dict()
    assert run.results["n_checks"] == len(run.checks) and run.results["quote_problems"] == len(run.problems)
    assert run.source["source_id"] == "kuaishou-trust-pyramid-2022-06-23"
    assert source_facts.recorded_results({"festival_end": "2022-06-19"}) == run.results
