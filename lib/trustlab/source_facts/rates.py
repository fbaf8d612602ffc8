"""Notebook ``00_source_facts``'s arithmetic: the article's facts put on a common scale.

Calendar days are counted inclusively (:func:`day_count`, :func:`per_day`); a festival figure is put
per day over its own dated window (:func:`figure_window`, :func:`figure_per_day`); rates derived from
the facts carry their arithmetic spelled out (:func:`derived_rates`, :func:`festival_rate_sensitivity`).
Notebooks 01 and 02 count days with the same :func:`day_count`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from trustlab.data.facts import FESTIVAL_END_IDS, FESTIVAL_START_ID, fact_date, fact_row, fact_value


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
