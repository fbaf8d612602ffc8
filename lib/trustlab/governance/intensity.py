"""How intense the 2021 platform governance was: each count per day and per million users.

- :func:`average_users`: 2021 average DAU or MAU (million) from the quarterly table, statuses kept.
- :func:`governance_inputs`, :func:`intensity_table`: each governance count per day, per million
  DAU and per million MAU.
- :func:`blocks_per_ban`: blocked new-store applications per ban, with the two ways of counting.

Units: counts are events (listing attempts, person-times, applications); rates per day are events
per calendar day; ``per_million_dau`` is events in the period per million average daily active users.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from trustlab.source_facts.rates import day_count


def days_in_year(year: int) -> int:
    """Calendar days in ``year`` (365 or 366)."""
    return 366 if calendar.isleap(year) else 365


@dataclass(frozen=True)
class UserBase:
    """A year's average of a quarterly user metric (million), with the quarters and statuses it rests on."""

    metric: str
    year: int
    value_millions: float
    quarters: tuple[str, ...]
    statuses: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """True when all four quarters of the year were available."""
        return len(self.quarters) == 4

    def describe(self) -> str:
        """'307.975 million (2021Q1 V-c, 2021Q2 V, ...)'."""
        parts = ", ".join(f"{q} {s}" for q, s in zip(self.quarters, self.statuses, strict=True))
        return f"{self.value_millions:,.1f} million ({parts})"


def average_users(quarterly: pd.DataFrame, year: int, metric: str = "dau_m") -> UserBase:
    """Mean of ``metric`` (``dau_m`` or ``mau_m``, million) over the quarters of ``year`` present in ``quarterly``.

    ``quarterly`` is the long form of :func:`trustlab.data.quarterly.load_quarterly` (columns quarter,
    metric, value, status); filter V-2 rows before calling to leave them out. Raises ValueError
    when no quarter of the year has the metric.
    """
    rows = quarterly[(quarterly["metric"] == metric) & quarterly["quarter"].astype(str).str.startswith(f"{year}Q")]
    rows = rows.sort_values("quarter")
    if rows.empty:
        raise ValueError(f"no {metric!r} value for any quarter of {year} in the quarterly data")
    return UserBase(
        metric=metric,
        year=year,
        value_millions=float(rows["value"].mean()),
        quarters=tuple(rows["quarter"].astype(str)),
        statuses=tuple(rows["status"].astype(str)),
    )


# --------------------------------------------------------------------------------------------------
# Intensity


def per_day(count: float, days: float) -> float:
    """``count`` events spread over ``days`` calendar days: events per day."""
    if days <= 0:
        raise ValueError(f"days must be positive, got {days!r}")
    return float(count) / float(days)


def per_million(count: float, users_millions: float) -> float:
    """``count`` events per million users (``users_millions`` is the user base in millions)."""
    if users_millions <= 0:
        raise ValueError(f"users_millions must be positive, got {users_millions!r}")
    return float(count) / float(users_millions)


@dataclass(frozen=True)
class IntensityInput:
    """One governance figure for :func:`intensity_table`.

    ``kind`` is 'count' when ``value`` is a total over ``days`` days, 'per_day' when it is already a
    daily average (then the period count is ``value * days``, a derived person-day total).
    """

    label: str
    value: float
    unit: str
    kind: str
    days: int
    status: str = ""
    qualifier: str = ""
    note: str = ""


def governance_inputs(
    report: pd.DataFrame, days_in_period: int, blocking_start: str | date | None = None
) -> list[IntensityInput]:
    """The intensity rows of the 2021 governance figures present in ``report``.

    Annual totals use ``days_in_period``; the new-store blocks are also given over the days the
    blocking system ran (``blocking_start`` to the end of the period) when ``blocking_start`` is set;
    the reported 2,600 per day and the 450,000 participants per day are daily averages.
    """
    rows: list[IntensityInput] = []

    def get(metric: str) -> pd.Series | None:
        hit = report[report["metric"] == metric]
        return None if hit.empty else hit.iloc[0]

    specs = [
        ("counterfeit_listings_intercepted", "counterfeit listings intercepted", "count"),
        ("violators_banned", "streamers and merchants banned", "count"),
        ("new_store_applications_blocked", "new-store applications blocked (whole year)", "count"),
    ]
    for metric, label, kind in specs:
        r = get(metric)
        if r is not None:
            rows.append(IntensityInput(label, float(r["value"]), r["unit"], kind, days_in_period, r["status"], r["qualifier"]))
    blocked = get("new_store_applications_blocked")
    if blocked is not None and blocking_start is not None:
        live_days = day_count(blocking_start, blocked["period_end"])
        rows.append(
            IntensityInput(
                "new-store applications blocked (days system live)",
                float(blocked["value"]),
                blocked["unit"],
                "count",
                live_days,
                blocked["status"],
                blocked["qualifier"],
                f"from {pd.Timestamp(blocking_start).date()} ({live_days} days)",
            )
        )
    r = get("new_store_requests_blocked_per_day")
    if r is not None:
        live = days_in_period
        if blocking_start is not None:
            live = day_count(blocking_start, r["period_end"])
        rows.append(
            IntensityInput(
                "new-store requests blocked (reported daily mean)",
                float(r["value"]),
                r["unit"],
                "per_day",
                live,
                r["status"],
                r["qualifier"],
                f"period count derived: daily mean x {live} days",
            )
        )
    r = get("daily_governance_participants")
    if r is not None:
        rows.append(
            IntensityInput(
                "users taking part in governance",
                float(r["value"]),
                r["unit"],
                "per_day",
                days_in_period,
                r["status"],
                r["qualifier"],
            )
        )
    return rows


def intensity_table(inputs: Sequence[IntensityInput], dau_millions: float, mau_millions: float) -> pd.DataFrame:
    """Each figure on a common scale.

    Columns: ``count_in_period`` (events; for daily figures value x days, marked derived),
    ``days``, ``per_day`` (events per day), ``per_million_dau`` / ``per_million_mau`` (events in the
    period per million average DAU / MAU), ``per_day_per_million_dau`` (events per day per million
    DAU), plus ``unit``, ``qualifier``, ``status``, ``note``. Indexed by label.
    """
    records = []
    for item in inputs:
        if item.kind == "count":
            count = item.value
            daily = per_day(item.value, item.days)
        elif item.kind == "per_day":
            daily = item.value
            count = item.value * item.days
        else:
            raise ValueError(f"{item.label}: kind must be 'count' or 'per_day', got {item.kind!r}")
        note = item.note or ("period count derived: daily mean x days" if item.kind == "per_day" else "")
        records.append(
            {
                "figure": item.label,
                "unit": item.unit,
                "qualifier": item.qualifier,
                "status": item.status,
                "count_in_period": count,
                "days": item.days,
                "per_day": daily,
                "per_million_dau": per_million(count, dau_millions),
                "per_million_mau": per_million(count, mau_millions),
                "per_day_per_million_dau": per_million(daily, dau_millions),
                "note": note,
            }
        )
    return pd.DataFrame.from_records(records).set_index("figure")


@dataclass(frozen=True)
class BlocksPerBan:
    """Blocked new-store applications per ban (both counts in the same period).

    ``reported_total``: the annual total (about 500,000) / bans. ``from_daily_full_year``: the
    reported daily mean x ``days_in_period`` / bans, i.e. what a full year at the reported pace
    would give. ``implied_live_days``: annual total / daily mean, the days the system must have run
    for the two figures to agree. Caveats: bans are person-times (one account banned twice counts
    twice), blocks are applications (one violator may apply many times), so this is not the share
    of banned users who tried to come back.
    """

    blocked: float
    bans: float
    reported_total: float
    blocked_per_day: float | None
    from_daily_full_year: float | None
    implied_live_days: float | None
    caveats: tuple[str, ...] = field(default_factory=tuple)


def blocks_per_ban(blocked: float, bans: float, blocked_per_day: float | None = None, days_in_period: int = 365) -> BlocksPerBan:
    """Blocked new-store applications per ban; see :class:`BlocksPerBan` for the variants and caveats."""
    if bans <= 0:
        raise ValueError(f"bans must be positive, got {bans!r}")
    if blocked < 0:
        raise ValueError(f"blocked must be non-negative, got {blocked!r}")
    full_year = None if blocked_per_day is None else blocked_per_day * days_in_period / bans
    live = None if not blocked_per_day else blocked / blocked_per_day
    return BlocksPerBan(
        blocked=float(blocked),
        bans=float(bans),
        reported_total=float(blocked) / float(bans),
        blocked_per_day=None if blocked_per_day is None else float(blocked_per_day),
        from_daily_full_year=full_year,
        implied_live_days=live,
        caveats=(
            "bans are person-times (人次), not distinct accounts",
            "blocks are applications (次), one past violator may apply many times",
            "the blocking system ran only from June 2021, so the annual total covers about seven months",
            "blocked applicants include violators banned before 2021, so blocks and bans are different populations",
        ),
    )
