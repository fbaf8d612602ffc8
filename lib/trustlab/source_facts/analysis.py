"""Notebook ``00_source_facts`` as one function of its parameters: :func:`run` loads the article and its
facts (through :mod:`trustlab.data`) and computes every table and recorded result the notebook
shows; :func:`recorded_results` is its fast path (``fast:`` in the schema, ``trustlab sweep --fast``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from trustlab.data.facts import FAST_BRAND_ORDERS_ID, FESTIVAL_START_ID, TOPICS, TRUST_BUY_FESTIVAL_ID, fact_date
from trustlab.source_facts.checks import consistency_checks
from trustlab.source_facts.parameters import check_params
from trustlab.source_facts.rates import day_count, derived_rates, festival_day_counts, festival_rate_sensitivity, figure_window

if TYPE_CHECKING:  # pragma: no cover
    from trustlab.data.sources import CleanedArticle

# The article's trust pyramid: platform governance at the base, consumer rights in the middle,
# community relations and brand trust at the top (the other topics sit outside it).
PYRAMID_LAYER = {
    "platform governance": "base",
    "consumer rights": "middle",
    "community": "top",
    "brand/fast brand": "top",
}
# The columns of a fact the notebook's per-topic tables show.
FACT_TABLE_COLUMNS = ["fact_id", "metric", "value", "unit", "qualifier", "period_start", "period_end", "entity", "quote"]


@dataclass(frozen=True)
class SourceFactsRun:
    """One run of notebook 00: the recorded ``results`` and the tables they were computed from."""

    params: dict[str, Any]
    source: pd.Series  # the source's row of data/sources.csv
    article: CleanedArticle
    facts: pd.DataFrame  # every fact of the source
    shown: pd.DataFrame  # the facts of the topics shown, with their pyramid ``layer``
    by_topic: pd.Series  # facts shown per topic, in the order of data.facts.TOPICS
    problems: pd.DataFrame  # facts whose quote or value does not match the article
    derived: pd.DataFrame
    sensitivity: pd.DataFrame
    checks: pd.DataFrame
    results: dict[str, Any]


def topic_counts(by_topic: pd.Series) -> pd.DataFrame:
    """Facts per topic as a frame ``topic, facts, layer`` (the trust-pyramid layer, or "outside the pyramid")."""
    frame = by_topic.rename_axis("topic").reset_index(name="facts")
    frame["layer"] = frame["topic"].map(PYRAMID_LAYER).fillna("outside the pyramid")
    return frame


def topic_tables(run: SourceFactsRun) -> list[tuple[str, pd.DataFrame]]:
    """One (heading, table) per topic shown: the heading names the pyramid layer and, when the topic
    has more facts than ``max_rows_per_topic``, how many of them the table shows."""
    limit = int(run.params["max_rows_per_topic"])
    tables = []
    for topic in run.by_topic.index:
        rows = run.shown[run.shown["topic"] == topic]
        layer = PYRAMID_LAYER.get(topic)
        heading = f"#### {topic}" + (f" (pyramid {layer})" if layer else "")
        heading += f" (first {limit} of {len(rows)})" if len(rows) > limit else ""
        tables.append((heading, rows[FACT_TABLE_COLUMNS].head(limit)))
    return tables


def unrepaired_table(article: CleanedArticle) -> pd.DataFrame:
    """The spans the cleaner could not restore: ``raw offset, raw text, raw context`` (offsets in the raw scrape)."""
    return pd.DataFrame(
        [{"raw offset": u.raw_offset, "raw text": u.original, "raw context": u.context} for u in article.unrepaired],
        columns=["raw offset", "raw text", "raw context"],
    )


def _warns(checks: pd.DataFrame, selected: pd.Series) -> bool:
    return bool((checks.loc[selected, "status"] == "warning").any())


def run(params: Mapping[str, Any]) -> SourceFactsRun:
    """Compute notebook 00 for ``params`` (missing keys take the contract's defaults), checked by
    :class:`~trustlab.source_facts.parameters.Parameters`.

    Each festival figure is put per day over its own dated window (:func:`figure_window`), so every
    metric has one value per run. Besides what the notebook records, ``results`` holds ``n_checks``,
    ``n_warnings``, ``fast_brand_days``, ``trust_buy_days`` and ``undated_festival_figures``.
    """
    from trustlab.data import facts as facts_data
    from trustlab.data.sources import load_article, load_sources

    p = check_params(params)
    source_id, topics, festival_end = p["source_id"], list(p["topics"]), p["festival_end"]
    registry = load_sources()
    article = load_article(source_id)
    all_facts = facts_data.load_facts(source_id=source_id)
    shown = all_facts[all_facts["topic"].isin(topics)].copy()
    shown["layer"] = shown["topic"].map(PYRAMID_LAYER).fillna("—")
    by_topic = shown["topic"].value_counts().reindex([t for t in TOPICS if t in topics], fill_value=0)
    derived = derived_rates(all_facts, festival_end)
    rate = derived.set_index("quantity")["value"]
    checks = consistency_checks(all_facts, article)
    problems = facts_data.verify_quotes(all_facts, article.text)
    fb_start, fb_end, _ = figure_window(all_facts, FAST_BRAND_ORDERS_ID, festival_end)
    tb_start, tb_end, _ = figure_window(all_facts, TRUST_BUY_FESTIVAL_ID, festival_end)
    festival_ids = all_facts.loc[all_facts["period_start"] == fact_date(all_facts, FESTIVAL_START_ID).isoformat(), "fact_id"]
    results = {
        "n_unrepaired_spans": len(article.unrepaired),
        "n_facts": int(len(shown)),
        "n_facts_by_topic": {t: int(n) for t, n in by_topic.items()},
        "quote_problems": int(len(problems)),
        "interceptions_per_day_2021": float(rate["suspected counterfeit listings intercepted per day, 2021"]),
        "trust_buy_orders_per_day_2021": float(rate["orders covered by 信任購 per day, 2021 (whole year)"]),
        "festival_days": festival_day_counts(all_facts),
        "fast_brand_orders_per_day": float(rate["fast-brand orders per day, 616 festival 2022"]),
        "trust_buy_orders_per_day_festival": float(rate["orders covered by 信任購 per day, 616 festival 2022"]),
        "fast_brand_days": day_count(fb_start, fb_end),
        "trust_buy_days": day_count(tb_start, tb_end),
        "n_checks": int(len(checks)),
        "n_warnings": int((checks["status"] == "warning").sum()),
        "festival_end_conflict": _warns(checks, checks["check"] == "festival end date"),
        "trust_buy_total_conflict": _warns(checks, checks["check"].str.startswith("信任購 orders")),
        "undated_festival_figures": int(
            sum(figure_window(all_facts, fid, festival_end)[2] != "dated in its own sentence" for fid in festival_ids)
        ),
    }
    return SourceFactsRun(
        params=p,
        source=registry[registry["source_id"] == source_id].iloc[0],
        article=article,
        facts=all_facts,
        shown=shown,
        by_topic=by_topic,
        problems=problems,
        derived=derived,
        sensitivity=festival_rate_sensitivity(all_facts),
        checks=checks,
        results=results,
    )


def recorded_results(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every recorded result of notebook 00 from its parameters, without the notebook: the ``results``
    of :func:`run` (the fast path of ``trustlab sweep --fast``)."""
    return run(params).results
