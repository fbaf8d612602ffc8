"""Issue 3: the base of Kuaishou's trust pyramid, its 2021 platform-governance figures.

Pure functions over plain values and DataFrames (the loader is the only function that reads a file):

- :func:`load_trust_report`: the 2021 trust report's figures (``data/trust_report_2021.csv``), validated.
- :func:`average_users`: 2021 average DAU or MAU (million) from the quarterly table, statuses kept.
- :func:`intensity_table`: each governance count per day, per million DAU and per million MAU.
- :func:`blocks_per_ban`: blocked new-store applications per ban, with the two ways of counting.
- :func:`implied_reports`, :func:`report_rate_test`, :func:`minimum_detectable_relative_change`,
  :func:`orders_needed`, :func:`sensitivity_table`: what the 8.96 % fall of the live-commerce report
  rate means under stated assumptions about the base rate and the order volume.
- :func:`trust_pyramid`: the three layers with the article's figures, for the figure.
- :func:`check_params`: cross-parameter rules of notebook ``01_governance``.

Units: counts are events (listing attempts, person-times, applications); rates per day are events
per calendar day; ``per_million_dau`` is events in the period per million average daily active
users; report rates are reports per order (a share in [0, 1]) unless the name says ``per_10k``.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize, proportions_ztest

from trustlab import config, quotes
from trustlab.facts import day_count as days_between  # calendar days, both ends included
from trustlab import tables
from trustlab.tables import DataFileError, check_columns, numeric_column, provenance_columns
from trustlab.tables import validate as validate_table
from trustlab.params import ParameterError

TRUST_REPORT_CSV = "trust_report_2021.csv"
COLUMNS = ["metric", "period_start", "period_end", "value", "unit", "qualifier", "status", "source_url", "quote", "note"]
STATUSES = tables.STATUSES
SECONDARY_STATUS = tables.SECONDARY_STATUS
QUALIFIERS = ("", "more than", "about", "nearly")
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

# The five 2021 governance figures of the article, by metric in the trust-report CSV, with the id of
# the same figure in data/facts.csv (the article) for the cross-check.
GOVERNANCE_METRICS: dict[str, str] = {
    "counterfeit_listings_intercepted": "gov_counterfeit_listings_intercepted_2021",
    "violators_banned": "gov_violators_banned_2021",
    "live_commerce_report_rate_change": "gov_report_rate_change_2021",
    "new_store_applications_blocked": "gov_new_store_applications_blocked_2021",
    "daily_governance_participants": "gov_daily_governance_participants_2021",
}

# Layers of the pyramid, base first, and the facts topics that feed each.
PYRAMID_LAYERS: dict[str, tuple[str, ...]] = {
    "platform governance": ("platform governance",),
    "consumer rights": ("consumer rights",),
    "community and brand trust": ("community", "brand/fast brand"),
}

_EXPECTED_FORM = {
    "metric": "a snake_case metric name (lower-case letters, digits, underscores)",
    "period_start": "a date YYYY-MM-DD",
    "period_end": "a date YYYY-MM-DD, not before period_start",
    "value": "a number that appears in the quote (sign may come from words such as 'dropped')",
    "unit": "a non-empty unit, e.g. 'listing attempts', 'percent', 'users per day'",
    "qualifier": f"one of {list(QUALIFIERS)}",
    "status": f"one of {list(STATUSES)} exactly as in data/raw/kuaishou-public-figures.md",
    "source_url": "an http(s) URL",
    "quote": "a non-empty verbatim quote containing the value",
    "note": "text (may be empty)",
}


class TrustReportDataError(DataFileError):
    """The trust-report CSV broke its schema; the message names file, line, column and the expected form."""


# --------------------------------------------------------------------------------------------------
# Numbers in quotes


# Reading numbers from quotes lives in trustlab.quotes; this is the name this module has always had.
numbers_in_text = quotes.face_and_scaled


def value_in_quote(value: float, quote: str, rel_tol: float = 1e-9) -> bool:
    """True when ``|value|`` is one of the numbers written in ``quote`` (see :func:`numbers_in_text`)."""
    return quotes.is_stated(abs(float(value)), numbers_in_text(quote), rel_tol, abs_tol=1e-12)


# --------------------------------------------------------------------------------------------------
# Loader


def _schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "metric": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
            "period_start": pa.Column(str, pa.Check.str_matches(DATE_PATTERN)),
            "period_end": pa.Column(str, pa.Check.str_matches(DATE_PATTERN)),
            "value": pa.Column(float, pa.Check(np.isfinite, element_wise=True, error="finite number")),
            "unit": pa.Column(str, pa.Check.str_length(min_value=1)),
            "qualifier": pa.Column(str, pa.Check.isin(list(QUALIFIERS))),
            **provenance_columns(),
        },
        checks=[
            pa.Check(
                lambda df: pd.Series(
                    [value_in_quote(v, q) for v, q in zip(df["value"], df["quote"], strict=True)], index=df.index
                ),
                error="value must appear in its quote",
                name="value_in_quote",
            ),
            pa.Check(
                lambda df: pd.to_datetime(df["period_end"], errors="coerce")
                >= pd.to_datetime(df["period_start"], errors="coerce"),
                error="period_end must be a valid date not before period_start",
                name="period_order",
            ),
        ],
        unique=["metric", "period_start", "period_end"],
        strict=True,
        ordered=False,
    )


# Checks across columns: their error text -> the columns an error names.
_FRAME_CHECK_COLUMNS = {
    "value must appear in its quote": "value/quote",
    "period_end must be a valid date not before period_start": "period_end/period_start",
}


def validate_trust_report(frame: pd.DataFrame, path: Path | str = TRUST_REPORT_CSV) -> pd.DataFrame:
    """Validate a raw trust-report frame (all columns as strings) and return it typed.

    ``value`` becomes float, ``period_start``/``period_end`` become ``datetime64``. Raises
    :class:`TrustReportDataError` naming the file, line, column and expected form of every failure.
    """
    path = Path(path)
    check_columns(frame, COLUMNS, path, TrustReportDataError)
    frame = frame.copy().reset_index(drop=True)
    for col in COLUMNS:
        if col != "value":
            frame[col] = frame[col].fillna("").astype(str)
    frame["value"] = numeric_column(
        frame, "value", path, _EXPECTED_FORM["value"] + " (NF and M rows are left out, not given empty values)",
        TrustReportDataError,
    )
    frame = validate_table(frame, _schema(), path, _EXPECTED_FORM, TrustReportDataError, _FRAME_CHECK_COLUMNS)
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    return frame


def load_trust_report(path: Path | str | None = None, include_secondary: bool = True) -> pd.DataFrame:
    """Read and validate ``data/trust_report_2021.csv``: one row per figure of the 2021 trust report.

    Columns: ``metric, period_start, period_end`` (datetime), ``value`` (float, in ``unit``),
    ``qualifier`` ('more than', 'about', 'nearly' or ''), ``status`` (V/V-c/V-2), ``source_url``,
    ``quote``, ``note``. ``include_secondary=False`` drops V-2 rows (secondary copies).
    """
    path = Path(path) if path is not None else config.DATA_DIR / TRUST_REPORT_CSV
    if not path.exists():
        raise FileNotFoundError(f"{path}: trust-report figures file not found")
    return tables.read_validated(path, validate_trust_report, include_secondary)


def report_value(report: pd.DataFrame, metric: str) -> float | None:
    """The value of ``metric`` in a trust-report frame, or None when the row is absent (e.g. V-2 dropped)."""
    rows = report[report["metric"] == metric]
    if rows.empty:
        return None
    if len(rows) > 1:
        raise ValueError(f"metric {metric!r} has {len(rows)} rows; expected one")
    return float(rows["value"].iloc[0])


# --------------------------------------------------------------------------------------------------
# Users and days


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

    ``quarterly`` is the long form of :func:`trustlab.quarterly.load_quarterly` (columns quarter,
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
        live_days = days_between(blocking_start, blocked["period_end"])
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
            live = days_between(blocking_start, r["period_end"])
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
        rows.append(IntensityInput("users taking part in governance", float(r["value"]), r["unit"], "per_day", days_in_period, r["status"], r["qualifier"]))
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


def blocks_per_ban(
    blocked: float, bans: float, blocked_per_day: float | None = None, days_in_period: int = 365
) -> BlocksPerBan:
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


# --------------------------------------------------------------------------------------------------
# The report rate


@dataclass(frozen=True)
class ImpliedReports:
    """Reports implied by an assumed base rate and order volume, for the previous year and this year.

    ``rate_previous`` and ``rate_current`` are reports per order (shares in [0, 1]); counts are
    rounded to whole reports.
    """

    rate_previous: float
    rate_current: float
    orders_previous: float
    orders_current: float
    reports_previous: int
    reports_current: int

    @property
    def reports_change(self) -> float:
        """Relative change of the absolute number of reports, current on previous (−0.05 = 5 % fewer)."""
        return self.reports_current / self.reports_previous - 1.0


def implied_reports(
    base_report_rate_per_10k_orders: float,
    orders_in_period: float,
    rate_change: float,
    orders_previous_period: float | None = None,
) -> ImpliedReports:
    """Reports in the previous year and this year implied by the assumptions.

    ``base_report_rate_per_10k_orders``: the previous year's rate, reports per 10,000 orders.
    ``rate_change``: relative change of the rate (−0.0896 for the reported fall of 8.96 %).
    ``orders_previous_period``: orders in the previous year (None = same as ``orders_in_period``).
    """
    if orders_in_period <= 0:
        raise ValueError(f"orders_in_period must be positive, got {orders_in_period!r}")
    previous = orders_in_period if orders_previous_period is None else orders_previous_period
    p0 = base_report_rate_per_10k_orders / 10_000
    p1 = p0 * (1.0 + rate_change)
    if not (0 < p0 <= 1 and 0 <= p1 <= 1):
        raise ValueError(f"report rates must be shares in (0, 1]; got {p0!r} and {p1!r}")
    return ImpliedReports(
        rate_previous=p0,
        rate_current=p1,
        orders_previous=float(previous),
        orders_current=float(orders_in_period),
        reports_previous=int(round(p0 * previous)),
        reports_current=int(round(p1 * orders_in_period)),
    )


@dataclass(frozen=True)
class ZTest:
    """Two-proportion z test of current vs previous report rate (pooled variance, two-sided).

    ``z`` < 0 when the current rate is lower; ``log10_p`` is exact where ``p_value`` underflows to 0.
    """

    z: float
    p_value: float
    log10_p: float
    relative_change: float
    ci_relative_change: tuple[float, float]


def report_rate_test(implied: ImpliedReports, alpha: float = 0.05) -> ZTest:
    """Two-proportion z test (``statsmodels.stats.proportion.proportions_ztest``) on implied counts.

    Also gives the observed relative change of the rate and its Wald (1 − ``alpha``) interval on the
    log risk-ratio scale.
    """
    counts = np.array([implied.reports_current, implied.reports_previous], dtype=float)
    nobs = np.array([implied.orders_current, implied.orders_previous], dtype=float)
    if counts.min() < 1:
        raise ValueError("implied reports below 1 in a year: raise the base rate or the order volume")
    z, p = proportions_ztest(counts, nobs, alternative="two-sided")
    log10_p = (stats.norm.logsf(abs(z)) + math.log(2)) / math.log(10)
    p_cur, p_prev = counts / nobs
    rr = p_cur / p_prev
    se = math.sqrt(1 / counts[0] - 1 / nobs[0] + 1 / counts[1] - 1 / nobs[1])
    q = stats.norm.ppf(1 - alpha / 2)
    lo, hi = rr * math.exp(-q * se) - 1, rr * math.exp(q * se) - 1
    return ZTest(
        z=float(z), p_value=float(p), log10_p=float(log10_p), relative_change=float(rr - 1), ci_relative_change=(float(lo), float(hi))
    )


def _rate_after_effect(p0: float, h: float) -> float:
    """The rate p1 < p0 whose Cohen's h from p0 is ``h`` (h = 2 asin √p0 − 2 asin √p1); NaN if none."""
    inner = math.asin(math.sqrt(p0)) - h / 2
    if inner < 0:
        return float("nan")
    return math.sin(inner) ** 2


_REFERENCE_NOBS = 100.0


def _detectable_effect_size(nobs1: float, ratio: float, alpha: float, power: float) -> float:
    """Cohen's h detectable with ``power`` at ``alpha`` (two-sided) with ``nobs1`` and ``nobs1 * ratio``.

    ``NormalIndPower.solve_power`` finds h with an absolute tolerance that is coarse next to the
    tiny effects detectable with billions of orders (3 % off at 5 bn), so it is solved at a reference
    size and rescaled: the power depends on h and the sizes only through h * sqrt(nobs1 * ratio /
    (1 + ratio)), so h(n) = h(n_ref) * sqrt(n_ref / n) exactly.
    """
    h_ref = NormalIndPower().solve_power(
        effect_size=None, nobs1=_REFERENCE_NOBS, alpha=alpha, power=power, ratio=ratio, alternative="two-sided"
    )
    return float(np.asarray(h_ref).item()) * math.sqrt(_REFERENCE_NOBS / nobs1)


def minimum_detectable_relative_change(
    base_rate: float, orders_current: float, orders_previous: float | None = None, alpha: float = 0.05, power: float = 0.8
) -> float:
    """Smallest relative fall of a report rate ``base_rate`` (reports per order, share) detectable
    with probability ``power`` by a two-sided test at ``alpha``, with ``orders_current`` and
    ``orders_previous`` orders (``statsmodels.stats.power.NormalIndPower`` on Cohen's h).

    Returned as a share of the base rate (0.001 = a 0.1 % relative fall). NaN when not even a fall
    to zero would be detectable.
    """
    previous = orders_current if orders_previous is None else orders_previous
    h = _detectable_effect_size(orders_current, previous / orders_current, alpha, power)
    p1 = _rate_after_effect(base_rate, h)
    return float("nan") if math.isnan(p1) else 1.0 - p1 / base_rate


def orders_needed(base_rate: float, relative_change: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Orders per year (equal in both years) needed to detect a relative fall ``relative_change``
    (share, e.g. 0.0896) of a report rate ``base_rate`` (reports per order) with ``power`` at ``alpha``."""
    h = abs(float(proportion_effectsize(base_rate, base_rate * (1 - relative_change))))
    # n is proportional to 1 / h**2: solve at the effect detectable with the reference size and rescale
    h_ref = _detectable_effect_size(_REFERENCE_NOBS, 1.0, alpha, power)
    return _REFERENCE_NOBS * (h_ref / h) ** 2


def sensitivity_table(
    base_rates_per_10k: Iterable[float],
    order_volumes: Iterable[float],
    rate_change: float,
    alpha: float = 0.05,
    power: float = 0.8,
    orders_growth: float = 0.0,
) -> pd.DataFrame:
    """z, p and minimum detectable relative change over a grid of base rates and order volumes.

    One row per (``base_rate_per_10k``, ``orders``): ``reports_previous``, ``reports_current``, ``z``,
    ``p_value``, ``log10_p``, ``significant`` (p < ``alpha``), ``mdc`` (share). Cells where the
    implied reports are below one get NaN. ``orders_growth`` (share) sets previous-year orders to
    ``orders / (1 + orders_growth)``.
    """
    records = []
    for rate in base_rates_per_10k:
        for orders in order_volumes:
            previous = orders / (1 + orders_growth)
            rec: dict[str, Any] = {"base_rate_per_10k": float(rate), "orders": float(orders)}
            imp = implied_reports(rate, orders, rate_change, previous)
            rec["reports_previous"] = imp.reports_previous
            rec["reports_current"] = imp.reports_current
            if min(imp.reports_previous, imp.reports_current) >= 1:
                t = report_rate_test(imp, alpha)
                rec.update(z=t.z, p_value=t.p_value, log10_p=t.log10_p, significant=t.p_value < alpha)
            else:
                rec.update(z=np.nan, p_value=np.nan, log10_p=np.nan, significant=False)
            rec["mdc"] = minimum_detectable_relative_change(rate / 10_000, orders, previous, alpha, power)
            records.append(rec)
    return pd.DataFrame.from_records(records)


# --------------------------------------------------------------------------------------------------
# The pyramid


@dataclass(frozen=True)
class PyramidMetric:
    """One figure shown in a layer: the fact id, its metric text, value (in ``unit``) and qualifier."""

    fact_id: str
    metric: str
    value: float
    unit: str
    qualifier: str
    period: str


@dataclass(frozen=True)
class PyramidLayer:
    """A layer of the trust pyramid (level 0 = base) and its figures."""

    name: str
    level: int
    topics: tuple[str, ...]
    metrics: tuple[PyramidMetric, ...]


def _period_text(start: Any, end: Any) -> str:
    s = "" if start is None or (isinstance(start, float) and math.isnan(start)) else str(start)
    e = "" if end is None or (isinstance(end, float) and math.isnan(end)) else str(end)
    s, e = s.split(" ")[0], e.split(" ")[0]
    if s and e and s != e:
        return f"{s} – {e}"
    return s or e


def trust_pyramid(
    facts: pd.DataFrame,
    layers: Mapping[str, Sequence[str]] = PYRAMID_LAYERS,
    max_per_layer: int = 5,
    require_period: bool = True,
) -> list[PyramidLayer]:
    """The pyramid's layers, base first, each with up to ``max_per_layer`` numeric facts of its topics.

    ``facts`` is :func:`trustlab.facts.load_facts` (columns fact_id, topic, metric, number, unit,
    qualifier, period_start, period_end); facts keep their order in the file. Facts without a
    number (dates) are skipped; with ``require_period`` so are facts without a period (the
    article's framing numbers, e.g. thresholds or counts of steps), keeping measured figures.
    """
    out = []
    for level, (name, topics) in enumerate(layers.items()):
        keep = facts["topic"].isin(list(topics)) & facts["number"].notna()
        if require_period:
            keep &= facts["period_start"].fillna("").astype(str).str.strip() != ""
        rows = facts[keep].head(max_per_layer)
        metrics = tuple(
            PyramidMetric(
                fact_id=str(r["fact_id"]),
                metric=str(r["metric"]),
                value=float(r["number"]),
                unit="" if pd.isna(r.get("unit")) else str(r.get("unit")),
                qualifier="" if pd.isna(r.get("qualifier")) else str(r.get("qualifier")),
                period=_period_text(r.get("period_start"), r.get("period_end")),
            )
            for _, r in rows.iterrows()
        )
        out.append(PyramidLayer(name=name, level=level, topics=tuple(topics), metrics=metrics))
    return out


def format_number(value: float) -> str:
    """Compact form of a count for labels: 62,440,000 -> '62.44 m', 1.88e10 -> '18.8 bn', 128.1 -> '128.1'."""
    a = abs(value)
    if a >= 1e9:
        return f"{value / 1e9:,.3g} bn"
    if a >= 1e6:
        return f"{value / 1e6:,.4g} m"
    if a >= 1e4:
        return f"{value:,.0f}"
    return f"{value:,.4g}"


def cross_check(report: pd.DataFrame, facts: pd.DataFrame, fact_value_fn: Any, mapping: Mapping[str, str] = GOVERNANCE_METRICS) -> pd.DataFrame:
    """The article's figures (facts) beside the trust report's for the same metric.

    ``fact_value_fn(facts, fact_id) -> float`` is :func:`trustlab.facts.fact_value`. Columns:
    ``metric, fact_id, article, trust_report, status, agree`` (relative difference below 1e-9).
    Rows missing from ``report`` (e.g. V-2 dropped) have NaN and ``agree`` False.
    """
    records = []
    for metric, fact_id in mapping.items():
        article = float(fact_value_fn(facts, fact_id))
        rep = report[report["metric"] == metric]
        value = float(rep["value"].iloc[0]) if not rep.empty else float("nan")
        status = str(rep["status"].iloc[0]) if not rep.empty else "(not loaded)"
        records.append(
            {
                "metric": metric,
                "fact_id": fact_id,
                "article": article,
                "trust_report": value,
                "status": status,
                "agree": bool(not math.isnan(value) and math.isclose(article, value, rel_tol=1e-9)),
            }
        )
    return pd.DataFrame.from_records(records)


# --------------------------------------------------------------------------------------------------
# Parameters


def check_params(params: Mapping[str, Any]) -> None:
    """Rules of notebook ``01_governance`` across parameters; raises ParameterError naming the parameter.

    - ``days_in_period`` must equal the calendar days of ``year``: the figures are full-year totals.
    - ``dau_millions``/``mau_millions``: None or positive; DAU cannot exceed MAU.
    - ``base_report_rate_per_10k_orders`` in (0, 10,000] (a share of orders once divided by 10,000).
    - ``orders_in_period``/``orders_previous_period``: positive; together with the base rate they
      must imply at least one report a year.
    - ``alpha`` and ``power`` in (0, 1) and ``power`` > ``alpha``.
    - ``practical_relative_change`` in (0, 1); ``blocking_system_start`` a date inside ``year``.
    """
    year = params.get("year", 2021)
    if not isinstance(year, int) or isinstance(year, bool) or year < 1:
        raise ParameterError(f"parameter 'year': expected a positive int, got {year!r}")
    if "days_in_period" in params:
        days = params["days_in_period"]
        if days != days_in_year(year):
            raise ParameterError(
                f"parameter 'days_in_period': expected {days_in_year(year)} (calendar days of year {year}; "
                f"the governance figures are full-year totals), got {days!r}"
            )
    for name in ("dau_millions", "mau_millions"):
        v = params.get(name)
        if v is not None and not v > 0:
            raise ParameterError(f"parameter {name!r}: expected None or a positive number of millions, got {v!r}")
    dau, mau = params.get("dau_millions"), params.get("mau_millions")
    if dau is not None and mau is not None and dau > mau:
        raise ParameterError(f"parameter 'dau_millions': expected at most mau_millions ({mau!r}), got {dau!r}")
    rate = params.get("base_report_rate_per_10k_orders")
    if rate is not None and not 0 < rate <= 10_000:
        raise ParameterError(
            f"parameter 'base_report_rate_per_10k_orders': expected > 0 and <= 10000 (reports per 10,000 orders), got {rate!r}"
        )
    for name in ("orders_in_period", "orders_previous_period"):
        v = params.get(name)
        if v is not None and not v > 0:
            raise ParameterError(f"parameter {name!r}: expected a positive number of orders, got {v!r}")
    orders = params.get("orders_in_period")
    if rate is not None and orders is not None:
        prev = params.get("orders_previous_period") or orders
        for name, n in (("orders_in_period", orders), ("orders_previous_period", prev)):
            if rate / 10_000 * n < 1:
                raise ParameterError(
                    f"parameter {name!r}: with base_report_rate_per_10k_orders={rate!r} it implies fewer than one "
                    f"report a year; expected at least {math.ceil(10_000 / rate):,} orders, got {n!r}"
                )
    for name in ("alpha", "power", "practical_relative_change"):
        v = params.get(name)
        if v is not None and not 0 < v < 1:
            raise ParameterError(f"parameter {name!r}: expected > 0 and < 1, got {v!r}")
    alpha, power = params.get("alpha"), params.get("power")
    if alpha is not None and power is not None and not power > alpha:
        raise ParameterError(f"parameter 'power': expected greater than alpha ({alpha!r}), got {power!r}")
    start = params.get("blocking_system_start")
    if start is not None:
        try:
            ts = date.fromisoformat(str(start)) if re.fullmatch(DATE_PATTERN, str(start)) else None
        except ValueError:
            ts = None
        if ts is None:
            raise ParameterError(f"parameter 'blocking_system_start': expected a date YYYY-MM-DD, got {start!r}")
        if ts.year != year:
            raise ParameterError(f"parameter 'blocking_system_start': expected a date in {year}, got {start!r}")
