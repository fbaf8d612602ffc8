"""Notebook ``00_source_facts``'s words: the Summary (:func:`summary`) and the sentences under its
tables, formatted from the run's results (:mod:`trustlab.prose`), never typed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from trustlab import prose
from trustlab.data.facts import FAST_BRAND_ORDERS_ID, FESTIVAL_START_ID, fact_date, fact_value
from trustlab.source_facts.parameters import check_params

if TYPE_CHECKING:  # pragma: no cover
    from trustlab.source_facts.analysis import SourceFactsRun


def summary(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """The notebook's answer in four sentences, formatted from the run's results and parameters."""
    params = check_params(params)
    n, problems = int(results["n_facts"]), int(results["quote_problems"])
    topics = [t for t, k in results["n_facts_by_topic"].items() if k]
    quotes = (
        "every quote was found verbatim in the cleaned article and states its value"
        if problems == 0
        else f"{prose.count(problems, 'fact')} {'does' if problems == 1 else 'do'} not match the article (see Provenance)"
    )
    days = results["festival_days"]
    ends = sorted(days)
    warnings_ = int(results["n_warnings"])
    return [
        f"The article makes **{prose.number(n)}** quantitative claims in the {prose.count(len(topics), 'topic')} shown "
        f"({prose.join(topics)}); {quotes}.",
        (
            f"It does not fully hold together: **{prose.number(warnings_)}** of {prose.number(int(results['n_checks']))} "
            "consistency checks raise a warning"
            if warnings_
            else f"It holds together: none of the {prose.number(int(results['n_checks']))} consistency checks raises a warning"
        )
        + (
            f"; the article gives two end dates for the same festival ({prose.join(f'{e}, {days[e]} days' for e in ends)})"
            if results["festival_end_conflict"]
            else ""
        )
        + ("; its 2021 信任購 total cannot all date from the November launch" if results["trust_buy_total_conflict"] else "")
        + ".",
        f"Each festival figure is put per day over its own dated window: fast-brand orders are "
        f"**{prose.number(results['fast_brand_orders_per_day'])}** a day ({prose.number(results['fast_brand_days'])} days) "
        f"and 信任購 orders at least **{prose.number(results['trust_buy_orders_per_day_festival'])}** a day "
        f"({prose.number(results['trust_buy_days'])} days), against {prose.number(results['trust_buy_orders_per_day_2021'])} "
        "a day over 2021.",
        f"`festival_end = {params['festival_end']}` applies only to festival figures without a dated window: "
        + (
            "every figure in this article has one, so it changes no rate here."
            if results["undated_festival_figures"] == 0
            else f"{prose.count(results['undated_festival_figures'], 'figure')} here, whose rates depend on it."
        ),
    ]


def article_text(run: SourceFactsRun) -> str:
    """The Data section's sentence on the article: title, publisher, date and what the cleaner did."""
    article, repairs = run.article, run.article.repair_counts()
    return (
        f"**{article.title}**, {run.source['publisher']}, published {article.published}. "
        f"The cleaner made **{int(repairs.sum())}** repairs ({', '.join(f'{n} {k}' for k, n in repairs.items())}), "
        f"removed {len(article.removed_sections)} lines of site chrome, and left "
        f"{prose.count(len(article.unrepaired), 'span')} it could not restore, marked with U+FFFD in a cleaned text of {len(article.text):,} characters."
    )


def facts_shown_text(run: SourceFactsRun) -> str:
    """How many facts the tables show, in how many topics, of all the source states."""
    return (
        f"**{run.results['n_facts']}** facts in {prose.count(len(run.by_topic), 'topic')} "
        f"(of {len(run.facts)} facts the source states in all)."
    )


def quote_problems_text(run: SourceFactsRun) -> str:
    """How many facts fail the provenance check, of all the source's facts."""
    problems = run.results["quote_problems"]
    return f"Quote problems: **{problems}** of {len(run.facts)} facts." + (
        " The facts below do not match the article:" if problems else ""
    )


def derived_rates_text(results: Mapping[str, Any]) -> str:
    """The two 2021 daily rates of the derived-rates table, in a sentence."""
    return (
        f"In 2021 the platform intercepted about **{results['interceptions_per_day_2021']:,.0f}** suspected counterfeit "
        f"listing attempts a day, and 信任購 covered about **{results['trust_buy_orders_per_day_2021']:,.0f}** orders a "
        "day if its 2021 total is spread over the whole year."
    )


def festival_text(run: SourceFactsRun) -> str:
    """The festival's two lengths, what the shorter one does to a rate, and the window each figure keeps."""
    results, days = run.results, run.results["festival_days"]
    ends = sorted(days)
    start = fact_date(run.facts, FESTIVAL_START_ID)
    orders = fact_value(run.facts, FAST_BRAND_ORDERS_ID)
    return (
        f"The festival from {start} lasts {prose.join(f'**{days[e]}** days to {e}' for e in ends)}: "
        f"the shorter reading raises a per-day rate by {prose.signed_percent(days[ends[1]] / days[ends[0]] - 1)}. "
        f"Each figure keeps the window its own sentence dates: the {prose.number(orders)} fast-brand orders "
        f"are **{prose.number(results['fast_brand_orders_per_day'])}** a day over {results['fast_brand_days']} days, "
        f"the 信任購 orders at least **{prose.number(results['trust_buy_orders_per_day_festival'])}** a day over "
        f"{results['trust_buy_days']} days (the same values as in the derived-rates table and in `results.json`)."
    )


def checks_text(checks: pd.DataFrame, window: int = 60) -> str:
    """How many consistency checks warn, and how many unrepaired spans sit within ``window``
    characters of a quote (the ``window`` :func:`~trustlab.source_facts.checks.consistency_checks` used)."""
    warnings_ = int((checks["status"] == "warning").sum())
    spans = checks[checks["check"].str.startswith("unrepaired span at")]
    inside = checks.loc[checks["check"] == "no quote contains an unrepaired span", "detail"].item().split(": ", 1)[1]
    return (
        f"**{warnings_}** of {len(checks)} checks raise a warning; each is explained in its detail. "
        f"Unrepaired spans within {window} characters of a fact's quote: {int((spans['status'] == 'warning').sum())} "
        f"of {len(spans)}; quotes containing an unrepaired span: {inside}."
    )
