"""Notebook ``00_source_facts``'s checks of the article against itself (:func:`consistency_checks`):
the two festival end dates, a yearly total against a festival run rate, dates in order, bases of
comparison, and the characters the cleaner could not restore near a quote."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from trustlab import prose
from trustlab.data.facts import FESTIVAL_END_IDS, FESTIVAL_START_ID, fact_date, fact_row, fact_value
from trustlab.source_facts.rates import day_count, festival_day_counts, per_day

if TYPE_CHECKING:  # pragma: no cover
    from trustlab.data.sources import CleanedArticle


def unrepaired_positions(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets in the cleaned text of each run of U+FFFD left by the cleaner."""
    return [m.span() for m in re.finditer("\ufffd+", text)]


def consistency_checks(facts: pd.DataFrame, article: CleanedArticle, window: int = 60) -> pd.DataFrame:
    """Check the article against itself; columns ``check, status`` ('ok' or 'warning') and ``detail``.

    ``window``: how many characters around an unrepaired span count as 'near' a quote.
    """
    rows: list[dict] = []

    def add(check: str, ok: bool, detail: str) -> None:
        rows.append({"check": check, "status": "ok" if ok else "warning", "detail": detail})

    start = fact_date(facts, FESTIVAL_START_ID)
    starts = facts[(facts["unit"] == "date") & facts["fact_id"].str.startswith("promo_festival_start")]["value"]
    add(
        "festival start date",
        starts.nunique() == 1,
        f"all {len(starts)} statements of the 616 festival start give {', '.join(sorted(set(starts)))}",
    )
    days = festival_day_counts(facts)
    end_a, end_b = fact_date(facts, FESTIVAL_END_IDS[0]), fact_date(facts, FESTIVAL_END_IDS[1])
    add(
        "festival end date",
        end_a == end_b,
        f"the article ends the festival on {end_a} ({days[end_a.isoformat()]} days from {start}; the 戰報 and fast-brand "
        f"sentences) and on {end_b} ({days[end_b.isoformat()]} days; the 信任購 sentence): per-day rates differ by "
        f"{days[end_a.isoformat()] / days[end_b.isoformat()] - 1:.1%} depending on the reading",
    )

    year_orders = fact_value(facts, "rights_trust_buy_orders_2021")
    fest_orders = fact_value(facts, "rights_trust_buy_orders_616_2022")
    launch = fact_date(facts, "rights_trust_buy_launch_2021")
    fest_row = fact_row(facts, "rights_trust_buy_orders_616_2022")
    fest_rate = per_day(fest_orders, fest_row["period_start"], fest_row["period_end"])
    year_rate = per_day(year_orders, "2021-01-01", "2021-12-31")
    since_launch_rate = per_day(year_orders, launch, "2021-12-31")
    add(
        "信任購 orders: 2021 total vs festival run rate",
        since_launch_rate <= fest_rate,
        f"50億 orders over all of 2021 is {year_rate:,.0f} a day, over the {day_count(launch, '2021-12-31')} days since "
        f"信任購 launched ({launch:%Y-%m}) {since_launch_rate:,.0f} a day, against {fest_rate:,.0f} a day in the festival "
        f"({fest_row['period_start']}..{fest_row['period_end']}); a post-launch reading implies {since_launch_rate / fest_rate:.1f}x "
        "the festival rate, so the 2021 figure must count orders from before the launch (or all orders on the platform)",
    )

    card, trust_buy = fact_date(facts, "rights_trust_card_launch_2021"), launch
    add(
        "trust card (2021 early) precedes 信任購 (Nov 2021)",
        card < trust_buy,
        f"小店信任卡 launched {card} (年初, approximate), 信任購 {trust_buy:%Y-%m} (同年11月); order as stated",
    )

    brand_age, ecom_age = fact_value(facts, "support_brand_age_max_years"), fact_value(facts, "context_ecommerce_age_years")
    add(
        "fast-brand age limit vs age of Kuaishou e-commerce",
        brand_age <= ecom_age,
        f"fast brands may be up to {brand_age:g} years old, while Kuaishou e-commerce is 'more than {ecom_age:g} years' old: "
        "a qualifying brand can predate Kuaishou e-commerce, so 'fast brand' does not mean 'born on Kuaishou'",
    )

    mult = fact_row(facts, "promo_merchant_multiple_616_vs_116")
    add(
        "merchant multiple base",
        "116" not in mult["quote"],
        f"the {float(mult['value']):g}x merchant count compares the 2022 616 festival with last year's 116 promotion "
        "(November, a different festival), not with last year's 616: it is not a year-on-year growth figure",
    )

    text = article.text
    spans = unrepaired_positions(text)
    add(
        "unrepaired spans counted",
        len(spans) == len(article.unrepaired),
        f"{prose.count(len(spans), 'U+FFFD run')} in the cleaned text, {prose.count(len(article.unrepaired), 'span')} reported by the cleaner",
    )
    inside = [fid for fid, q in zip(facts["fact_id"], facts["quote"]) if "\ufffd" in q]
    add("no quote contains an unrepaired span", not inside, f"quotes containing U+FFFD: {inside or 'none'}")
    for s, e in spans:
        near = []
        for fid, q in zip(facts["fact_id"], facts["quote"]):
            pos = text.find(q)
            if pos < 0:
                continue
            gap = max(s - (pos + len(q)), pos - e, 0)
            if gap <= window:
                near.append(f"{fid} ({gap} chars)")
        context = text[max(0, s - 12) : e + 12].replace("\n", " ")
        add(
            f"unrepaired span at cleaned-text offset {s}",
            not near,
            f"'{context}': quotes within {window} characters: {', '.join(near) if near else 'none'}",
        )
    return pd.DataFrame(rows, columns=["check", "status", "detail"])
