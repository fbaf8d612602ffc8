"""What the source article's facts say once put on a common scale, and where the article disagrees with itself.

Computation over the facts table of :func:`trustlab.data.facts.load_facts` (notebook
``00_source_facts``): calendar days counted inclusively (:func:`day_count`, :func:`per_day`), rates
derived from the facts with their arithmetic spelled out (:func:`derived_rates`,
:func:`festival_rate_sensitivity`), and the article checked against itself
(:func:`consistency_checks`). :data:`PYRAMID_LAYER` places each topic in the trust pyramid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import pandas as pd
from pydantic import Field, model_validator

from trustlab.contract import Contract
from trustlab.data.facts import TOPICS, fact_date, fact_row, fact_value
from trustlab.errors import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from trustlab.data.sources import CleanedArticle

PYRAMID_LAYER = {
    "platform governance": "base",
    "consumer rights": "middle",
    "community": "top",
    "brand/fast brand": "top",
}


# --------------------------------------------------------------------------- derived rates


def _as_date(value: date | str) -> date:
    return pd.Timestamp(value).date()  # an ISO string, a date or a pandas Timestamp


def day_count(start: date | str, end: date | str) -> int:
    """Number of days from ``start`` to ``end``, both included (2022-05-20..2022-06-19 is 31)."""
    s, e = _as_date(start), _as_date(end)
    if e < s:
        raise ValueError(f"period end {e} is before its start {s}")
    return (e - s).days + 1


def per_day(count: float, start: date | str, end: date | str) -> float:
    """A count over a period as a rate per day, the period's days counted inclusively (count / day)."""
    return float(count) / day_count(start, end)


FESTIVAL_START_ID = "promo_festival_start_2022"
FESTIVAL_END_IDS = ("promo_festival_end_2022", "promo_festival_end_alt_2022")
_FESTIVAL_FLOW_UNITS = ("orders", "views")


def festival_day_counts(facts: pd.DataFrame) -> dict[str, int]:
    """Days of the 2022 616 festival under each end date the article gives: {ISO end date: days}."""
    start = fact_date(facts, FESTIVAL_START_ID)
    return {fact_date(facts, fid).isoformat(): day_count(start, fact_date(facts, fid)) for fid in FESTIVAL_END_IDS}


def figure_window(facts: pd.DataFrame, fact_id: str, festival_end: date | str | None = None) -> tuple[date, date, str]:
    """The dated window of a festival figure: (start, end, basis).

    A figure whose own sentence dates it (``period_start`` and ``period_end`` in the facts table)
    keeps that window whatever ``festival_end`` says: the 信任購 figure is dated 2022-05-20..06-14,
    the fast-brand figures 2022-05-20..06-19. Only a festival figure without a stated end (the
    source is ambiguous) takes the festival start and ``festival_end``; without ``festival_end``
    such a figure is an error naming it. ``basis`` says which rule applied.
    """
    row = fact_row(facts, fact_id)
    start, end = row.get("period_start"), row.get("period_end")
    has = lambda v: isinstance(v, str) and v.strip() != ""  # noqa: E731
    if has(start) and has(end):
        return _as_date(start), _as_date(end), "dated in its own sentence"
    if festival_end is None:
        raise ValueError(
            f"fact {fact_id!r}: no dated window in data/facts.csv (period_start/period_end) and no festival_end given"
        )
    begin = _as_date(start) if has(start) else fact_date(facts, FESTIVAL_START_ID)
    return begin, _as_date(festival_end), "festival_end parameter (the source gives no end)"


def figure_per_day(facts: pd.DataFrame, fact_id: str, festival_end: date | str | None = None) -> float:
    """A festival figure per day over its own dated window (:func:`figure_window`), days counted inclusively."""
    start, end, _ = figure_window(facts, fact_id, festival_end)
    return per_day(fact_value(facts, fact_id), start, end)


def festival_rate_sensitivity(facts: pd.DataFrame) -> pd.DataFrame:
    """Per-day rates of the festival-period counts (orders, views) under both festival end dates.

    One row per count fact whose period starts on the festival start; columns ``fact_id, metric,
    count, unit, stated_end`` (the end date of the sentence the fact comes from), ``per_day_<end>``
    for each end date (unit per day) and ``relative_difference`` (rate under the shorter reading
    divided by the rate under the longer reading, minus 1: a share).
    """
    start = fact_date(facts, FESTIVAL_START_ID)
    ends = [fact_date(facts, fid) for fid in FESTIVAL_END_IDS]
    longest, shortest = max(ends), min(ends)
    flows = facts[(facts["period_start"] == start.isoformat()) & facts["unit"].isin(_FESTIVAL_FLOW_UNITS)]
    rows = []
    for _, fact in flows.iterrows():
        row = {
            "fact_id": fact["fact_id"],
            "metric": fact["metric"],
            "count": float(fact["value"]),
            "unit": fact["unit"],
            "stated_end": fact["period_end"],
        }
        for end in ends:
            row[f"per_day_{end.isoformat()}"] = per_day(float(fact["value"]), start, end)
        row["relative_difference"] = row[f"per_day_{shortest.isoformat()}"] / row[f"per_day_{longest.isoformat()}"] - 1
        rows.append(row)
    return pd.DataFrame(rows)


def derived_rates(facts: pd.DataFrame, festival_end: date | str | None = None) -> pd.DataFrame:
    """Quantities derived from the facts by simple arithmetic, each with its formula.

    Festival figures are divided by the days of their own dated window (:func:`figure_window`;
    ``festival_end`` only for a figure whose source gives no end).

    Columns ``quantity, value, unit, arithmetic`` (the formula with the numbers put in) and
    ``inputs`` (the fact_ids used, comma-separated). Annual rates use 365 days (2021); festival rates
    use the period stated in the fact's own sentence.
    """
    v = lambda fid: fact_value(facts, fid)  # noqa: E731
    rows: list[dict] = []

    def add(quantity: str, value: float, unit: str, arithmetic: str, inputs: list[str]) -> None:
        rows.append({"quantity": quantity, "value": value, "unit": unit, "arithmetic": arithmetic, "inputs": ", ".join(inputs)})

    def fmt(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else f"{x:.10g}"

    def annual(fid: str, quantity: str, unit: str) -> None:
        row = fact_row(facts, fid)
        days = day_count(row["period_start"], row["period_end"])
        add(quantity, per_day(v(fid), row["period_start"], row["period_end"]), unit, f"{fmt(v(fid))} / {days}", [fid])

    annual(
        "gov_counterfeit_listings_intercepted_2021",
        "suspected counterfeit listings intercepted per day, 2021",
        "listing attempts per day",
    )
    annual("gov_violators_banned_2021", "violating streamers and merchants banned per day, 2021", "person-times per day")
    annual(
        "gov_new_store_applications_blocked_2021",
        "new-store applications of past violators blocked per day, 2021",
        "applications per day",
    )
    annual("rights_trust_buy_orders_2021", "orders covered by 信任購 per day, 2021 (whole year)", "orders per day")
    p = v("gov_daily_governance_participants_2021")
    add(
        "person-days of user participation in governance, 2021",
        p * 365,
        "person-days",
        f"{fmt(p)} * 365",
        ["gov_daily_governance_participants_2021"],
    )

    for fid, quantity, unit in (
        ("rights_trust_buy_orders_616_2022", "orders covered by 信任購 per day, 616 festival 2022", "orders per day"),
        ("fastbrand_orders_616_2022", "fast-brand orders per day, 616 festival 2022", "orders per day"),
        ("fastbrand_room_views_616_2022", "fast-brand live-room views per day, 616 festival 2022", "views per day"),
    ):
        start, end, _ = figure_window(facts, fid, festival_end)
        add(
            quantity,
            figure_per_day(facts, fid, festival_end),
            unit,
            f"{fmt(v(fid))} / {day_count(start, end)} ({start}..{end})",
            [fid],
        )

    views, orders = v("fastbrand_room_views_616_2022"), v("fastbrand_orders_616_2022")
    add(
        "fast-brand live-room views per fast-brand order, 616 festival 2022",
        views / orders,
        "views per order",
        f"{fmt(views)} / {fmt(orders)}",
        ["fastbrand_room_views_616_2022", "fastbrand_orders_616_2022"],
    )
    target = v("fastbrand_target_2022")
    add(
        "fast-brand festival orders per targeted fast brand (500 is a 2022 target, not a count)",
        orders / target,
        "orders per brand",
        f"{fmt(orders)} / {fmt(target)}",
        ["fastbrand_orders_616_2022", "fastbrand_target_2022"],
    )
    traffic = v("fastbrand_traffic_support")
    add(
        "dedicated traffic support per targeted fast brand",
        traffic / target,
        "traffic units per brand (unit not stated)",
        f"{fmt(traffic)} / {fmt(target)}",
        ["fastbrand_traffic_support", "fastbrand_target_2022"],
    )
    rooms, threshold = v("fastbrand_rooms_over_10m_616_2022"), v("fastbrand_room_sales_threshold_616_2022")
    add(
        "lower bound of the sales of the fast-brand rooms above 10 million RMB, 616 festival 2022",
        rooms * threshold,
        "RMB",
        f"{fmt(rooms)} * {fmt(threshold)}",
        ["fastbrand_rooms_over_10m_616_2022", "fastbrand_room_sales_threshold_616_2022"],
    )
    for fid, quantity in (
        ("fastbrand_sales_growth_616_2022", "fast-brand sales as a multiple of the same period last year"),
        ("promo_brand_merchant_gmv_growth_616_2022", "brand-merchant GMV as a multiple of the same period last year"),
        ("community_mutual_follow_growth_2022q1", "mutual-follow pairs as a multiple of 2021Q1"),
    ):
        g = v(fid)
        add(quantity, 1 + g / 100, "multiple", f"1 + {fmt(g)} / 100", [fid])
    pairs, growth = v("community_mutual_follow_pairs_2022q1"), v("community_mutual_follow_growth_2022q1")
    add(
        "implied mutual-follow pairs in 2021Q1",
        pairs / (1 + growth / 100),
        "pairs",
        f"{fmt(pairs)} / (1 + {fmt(growth)} / 100)",
        ["community_mutual_follow_pairs_2022q1", "community_mutual_follow_growth_2022q1"],
    )

    listp, promo = v("pricing_shoe_list_price"), v("pricing_shoe_promo_price")
    add(
        "shoe anniversary discount off list price",
        1 - promo / listp,
        "share in [0, 1]",
        f"1 - {fmt(promo)} / {fmt(listp)}",
        ["pricing_shoe_promo_price", "pricing_shoe_list_price"],
    )
    units, minutes = v("pricing_shoe_units_sold"), v("pricing_shoe_sellout_minutes")
    add(
        "shoe revenue of the anniversary sale",
        units * promo,
        "RMB",
        f"{fmt(units)} * {fmt(promo)}",
        ["pricing_shoe_units_sold", "pricing_shoe_promo_price"],
    )
    add(
        "shoe sell-out rate (lower bound: sold out within 2 minutes)",
        units / minutes,
        "pairs per minute",
        f"{fmt(units)} / {fmt(minutes)}",
        ["pricing_shoe_units_sold", "pricing_shoe_sellout_minutes"],
    )
    customers, voucher_b = v("pricing_recall_customers"), v("pricing_recall_voucher_b")
    add(
        "recall vouchers issued under option B, all customers choosing it (lower bound: 'over a thousand' customers)",
        customers * voucher_b,
        "RMB of vouchers",
        f"{fmt(customers)} * {fmt(voucher_b)}",
        ["pricing_recall_customers", "pricing_recall_voucher_b"],
    )
    add(
        "option-B voucher as a share of the price paid",
        voucher_b / promo,
        "share",
        f"{fmt(voucher_b)} / {fmt(promo)}",
        ["pricing_recall_voucher_b", "pricing_shoe_promo_price"],
    )
    monthly = v("support_monthly_live_gmv_min")
    add(
        "fast-brand support threshold, live-room GMV per year",
        monthly * 12,
        "RMB per year",
        f"{fmt(monthly)} * 12",
        ["support_monthly_live_gmv_min"],
    )
    scale = v("brand_challenge_sales_threshold")
    add(
        "sales scale at which the two challenges appear, as a multiple of the annualised support threshold",
        scale / (monthly * 12),
        "multiple",
        f"{fmt(scale)} / ({fmt(monthly)} * 12)",
        ["brand_challenge_sales_threshold", "support_monthly_live_gmv_min"],
    )
    return pd.DataFrame(rows, columns=["quantity", "value", "unit", "arithmetic", "inputs"])


# --------------------------------------------------------------------------- consistency


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
        f"{len(spans)} U+FFFD run(s) in the cleaned text, {len(article.unrepaired)} span(s) reported by the cleaner",
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


class Parameters(Contract):
    """The parameter contract of notebook ``00_source_facts``."""

    notebook: ClassVar[str] = "00_source_facts"

    source_id: Literal["kuaishou-trust-pyramid-2022-06-23"] = Field(
        "kuaishou-trust-pyramid-2022-06-23", description="source in data/sources.csv whose facts are shown"
    )
    topics: list[Literal[tuple(TOPICS)]] = Field(  # type: ignore[valid-type]
        list(TOPICS), min_length=1, description="fact topics shown and counted (trust-pyramid layers first)"
    )
    festival_end: Literal["2022-06-19", "2022-06-14"] = Field(
        "2022-06-19",
        description="end of the 2022 616 festival for a festival figure whose sentence gives no end (each dated "
        "figure keeps its own window): 2022-06-19 (戰報, 31 days) or 2022-06-14 (信任購 sentence, 26 days)",
    )
    max_rows_per_topic: int = Field(30, ge=1, le=100, description="facts shown per topic in the tables (all are counted)")

    @model_validator(mode="after")
    def _topics_listed_once(self) -> Parameters:
        repeated = sorted({t for t in self.topics if self.topics.count(t) > 1})
        if repeated:
            raise ParameterError(f"parameter 'topics': each topic may be listed once; repeated: {repeated}")
        return self


def check_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Notebook 00's complete parameter set: ``params`` over the defaults, checked by :class:`Parameters`."""
    return Parameters.check(params)


# --------------------------------------------------------------------------- the notebook's fast path

FAST_BRAND_ORDERS_ID = "fastbrand_orders_616_2022"
TRUST_BUY_FESTIVAL_ID = "rights_trust_buy_orders_616_2022"


def analysis(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every recorded result of notebook 00_source_facts from its parameters, without the notebook.

    The notebook calls the same functions (and these values are what it records): one value per
    metric per run, each festival figure per day over its own dated window (:func:`figure_window`).
    Besides the recorded results: ``n_checks``, ``n_warnings``, ``fast_brand_days``,
    ``trust_buy_days`` and ``trust_buy_orders_per_day_festival``.
    """
    from trustlab.data import facts as facts_data
    from trustlab.data.sources import load_article

    params = check_params(params)
    source_id, topics, festival_end = params["source_id"], list(params["topics"]), params["festival_end"]
    article = load_article(source_id)
    all_facts = facts_data.load_facts(source_id=source_id)
    shown = all_facts[all_facts["topic"].isin(topics)]
    order = [t for t in facts_data.TOPICS if t in topics]
    by_topic = shown["topic"].value_counts().reindex(order, fill_value=0)
    derived = derived_rates(all_facts, festival_end).set_index("quantity")["value"]
    checks = consistency_checks(all_facts, article)
    fb_start, fb_end, _ = figure_window(all_facts, FAST_BRAND_ORDERS_ID, festival_end)
    tb_start, tb_end, _ = figure_window(all_facts, TRUST_BUY_FESTIVAL_ID, festival_end)
    return {
        "n_unrepaired_spans": len(article.unrepaired),
        "n_facts": int(len(shown)),
        "n_facts_by_topic": {t: int(n) for t, n in by_topic.items()},
        "quote_problems": int(len(facts_data.verify_quotes(all_facts, article.text))),
        "interceptions_per_day_2021": float(derived["suspected counterfeit listings intercepted per day, 2021"]),
        "trust_buy_orders_per_day_2021": float(derived["orders covered by 信任購 per day, 2021 (whole year)"]),
        "festival_days": festival_day_counts(all_facts),
        "fast_brand_orders_per_day": float(derived["fast-brand orders per day, 616 festival 2022"]),
        "trust_buy_orders_per_day_festival": float(derived["orders covered by 信任購 per day, 616 festival 2022"]),
        "fast_brand_days": day_count(fb_start, fb_end),
        "trust_buy_days": day_count(tb_start, tb_end),
        "n_checks": int(len(checks)),
        "n_warnings": int((checks["status"] == "warning").sum()),
        "festival_end_conflict": bool((checks.loc[checks["check"] == "festival end date", "status"] == "warning").any()),
        "trust_buy_total_conflict": bool(
            (checks.loc[checks["check"].str.startswith("信任購 orders"), "status"] == "warning").any()
        ),
        "undated_festival_figures": int(
            sum(
                figure_window(all_facts, fid, festival_end)[2] != "dated in its own sentence"
                for fid in all_facts.loc[
                    all_facts["period_start"] == fact_date(all_facts, FESTIVAL_START_ID).isoformat(), "fact_id"
                ]
            )
        ),
    }


def summary(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """The notebook's answer in four sentences, formatted from the run's results and parameters."""
    from trustlab import prose

    params = check_params(params)
    n, problems = int(results["n_facts"]), int(results["quote_problems"])
    topics = [t for t, k in results["n_facts_by_topic"].items() if k]
    quotes = (
        "every quote was found verbatim in the cleaned article and states its value"
        if problems == 0
        else f"{prose.number(problems)} fact(s) do not match the article (see Provenance)"
    )
    days = results["festival_days"]
    ends = sorted(days)
    warnings_ = int(results["n_warnings"])
    return [
        f"The article makes **{prose.number(n)}** quantitative claims in the {prose.number(len(topics))} topic(s) shown "
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
            else f"{prose.number(results['undated_festival_figures'])} figure(s) here, whose rates depend on it."
        ),
    ]
