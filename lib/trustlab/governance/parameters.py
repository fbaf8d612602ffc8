"""The parameter contract of notebook ``01_governance``: every parameter declared once, with the rules across them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import Field, model_validator

from trustlab.contract import Contract
from trustlab.data.trust_report import DATE_PATTERN
from trustlab.errors import ParameterError
from trustlab.governance.intensity import days_in_year
from trustlab.governance.report_rate import MIN_EFFECTIVE_REPORTS, expected_reports, orders_for_effective_reports

# How far a user base given by parameter may lie from the year's reported quarterly values: at
# least the lowest divided by this factor, at most the highest times it. Kuaishou's DAU moved by
# less than 10 % between the quarters of 2021; a factor of 2 leaves room for any other definition of
# "average" while ruling out a platform of a different size.
USER_BASE_FACTOR = 2.0
# The least average order value taken as possible, RMB: the year's GMV divided by it bounds the
# orders from above (Kuaishou's live-commerce orders averaged about RMB 70 per product in 2020).
MIN_AVERAGE_ORDER_RMB = 1.0
# The largest design effect the contract accepts (a verdict that would turn beyond it is worded so).
MAX_DESIGN_EFFECT = 1_000_000


@dataclass(frozen=True)
class DataFigures:
    """The figures of the data that the cross-parameter rules need (None where not in the data)."""

    report_rate_change: float  # relative change of the report rate, share (−0.0896)
    daily_participants: float | None  # users taking part in governance a day (V-2)
    dau_millions: float | None  # the year's mean DAU from the quarterly data, million
    mau_millions: float | None
    dau_range: tuple[float, float] | None = None  # lowest and highest quarterly DAU of the year, million
    mau_range: tuple[float, float] | None = None
    gmv_growth: float | None = None  # year-on-year growth of the year's e-commerce GMV, share (0.784); V-2
    gmv_rmb: float | None = None  # the year's e-commerce GMV, RMB (the annual figure, else see gmv_basis)
    gmv_basis: str = ""  # where gmv_rmb comes from, for messages


@lru_cache(maxsize=8)
def _data_figures(data_dir: str, year: int, include_secondary: bool) -> DataFigures:
    from trustlab.data.annual import annual_value, load_annual
    from trustlab.data.quarterly import load_quarterly
    from trustlab.data.trust_report import load_trust_report, report_value
    from trustlab.governance.intensity import average_users

    report = load_trust_report(include_secondary=include_secondary)
    quarterly = load_quarterly(include_secondary=include_secondary)
    annual = load_annual(include_secondary=include_secondary)

    def mean(metric: str) -> float | None:
        try:
            return average_users(quarterly, year, metric).value_millions
        except ValueError:
            return None

    def of_year(metric: str) -> pd.Series:
        rows = quarterly[(quarterly["metric"] == metric) & quarterly["quarter"].astype(str).str.startswith(f"{year}Q")]
        return rows["value"].astype(float)

    def value_range(metric: str) -> tuple[float, float] | None:
        values = of_year(metric)
        return None if values.empty else (float(values.min()), float(values.max()))

    change = report_value(report, "live_commerce_report_rate_change")
    growth = annual_value(annual, "ecommerce_gmv_growth", year)
    gmv = annual_value(annual, "ecommerce_gmv", year)
    basis = f"the reported e-commerce GMV of {year} (data/kuaishou_annual.csv)"
    quarters_gmv = of_year("gmv_rmb_bn")
    if gmv is None and not quarters_gmv.empty:  # the annual figure is V-2: bound by the quarters left
        gmv, basis = 4 * float(quarters_gmv.max()) * 1e9, f"four times the largest quarterly GMV of {year} in the data"
    return DataFigures(
        report_rate_change=(change if change is not None else 0.0) / 100,
        daily_participants=report_value(report, "daily_governance_participants"),
        dau_millions=mean("dau_m"),
        mau_millions=mean("mau_m"),
        dau_range=value_range("dau_m"),
        mau_range=value_range("mau_m"),
        gmv_growth=None if growth is None else growth / 100,
        gmv_rmb=gmv,
        gmv_basis=basis if gmv is not None else "",
    )


def data_figures(year: int = 2021, include_secondary: bool = True) -> DataFigures:
    """The report-rate change, daily participants, mean and range of DAU/MAU, GMV and its growth of
    ``year`` from the project's data (loaded once per data folder)."""
    from trustlab import config

    return _data_figures(str(config.DATA_DIR), year, include_secondary)


class Parameters(Contract):
    """The parameter contract of notebook ``01_governance``.

    Rules across parameters (:meth:`_rules`): ``days_in_period`` equals the calendar days of
    ``year`` (the figures are full-year totals); DAU cannot exceed MAU (a value left at None is the
    data's mean of the year), and the trust report's daily governance participants (when loaded)
    cannot exceed the DAU; with the base rate, the reported change of the rate and the design
    effect, the orders must imply at least
    :data:`~trustlab.governance.report_rate.MIN_EFFECTIVE_REPORTS` effective reports (reports /
    design effect) in each year, the least the z test's normal approximation needs; ``power`` >
    ``alpha``; ``blocking_system_start`` a date inside ``year``. Values the reported figures rule out
    are refused: a DAU or MAU outside 1 / :data:`USER_BASE_FACTOR` times the lowest to
    :data:`USER_BASE_FACTOR` times the highest quarterly value of ``year``, and more orders than the
    year's GMV (``data/kuaishou_annual.csv``) at :data:`MIN_AVERAGE_ORDER_RMB` an order. The previous
    year's orders default to ``orders_in_period`` over 1 + the reported GMV growth (:func:`previous_orders`).
    """

    notebook: ClassVar[str] = "01_governance"
    groups: ClassVar[dict[str, tuple[str, ...]]] = {
        "The year and its users": ("year", "days_in_period", "dau_millions", "mau_millions"),
        "Orders and reports": ("orders_in_period", "orders_previous_period", "base_report_rate_per_10k_orders"),
        "The report-rate test": ("design_effect", "alpha", "power", "practical_relative_change"),
        "New-store blocking": ("blocking_system_start",),
        "Data": ("include_secondary_sources",),
    }

    year: Literal[2021] = Field(2021, description="calendar year of the governance figures (the 2021 trust report)")
    days_in_period: int = Field(
        365, ge=365, le=366, description="calendar days the annual totals cover; must equal the days of `year`"
    )
    dau_millions: float | None = Field(
        None,
        gt=0,
        json_schema_extra={"expected": "None or a positive number of millions"},
        description="average daily active users, million; None: mean of the year's quarters in the data",
    )
    mau_millions: float | None = Field(
        None,
        gt=0,
        json_schema_extra={"expected": "None or a positive number of millions"},
        description="average monthly active users, million; None: mean of the year's quarters in the data",
    )
    base_report_rate_per_10k_orders: float = Field(
        1.0, gt=0, le=10000, description="ASSUMED 2020 live-commerce report rate, reports per 10,000 orders"
    )
    orders_in_period: float = Field(
        5.0e9,
        gt=0,
        json_schema_extra={"expected": "a positive number of orders"},
        description="ASSUMED orders in the year; the trust-buy guarantees alone covered about 5 bn",
    )
    orders_previous_period: float | None = Field(
        None,
        gt=0,
        json_schema_extra={"expected": "None or a positive number of orders"},
        description="ASSUMED orders in the previous year; None: orders_in_period over 1 + the reported GMV growth "
        "(the same average order value; orders_in_period itself when that V-2 figure is left out)",
    )
    blocking_system_start: str = Field(
        "2021-06-01",
        pattern=DATE_PATTERN,
        json_schema_extra={"expected": "a date YYYY-MM-DD"},
        description='first day the new-store blocking ran; the source says only "from June 2021"',
    )
    practical_relative_change: float = Field(
        0.05, gt=0, lt=1, description="smallest relative fall of the report rate taken to matter in practice, share"
    )
    alpha: float = Field(0.05, gt=0, lt=1, description="significance level of the two-proportion test, in (0, 1)")
    power: float = Field(0.8, gt=0, lt=1, description="power for the minimum detectable change, in (0, 1)")
    design_effect: float = Field(
        10.0,
        ge=1,
        le=MAX_DESIGN_EFFECT,
        json_schema_extra={"expected": "a finite number >= 1 (1: independent orders) and <= 1000000"},
        description="ASSUMED variance of the report rate relative to independent orders (Kish deff, at least 1; "
        "1: independent); reports cluster by merchant, category and campaign",
    )
    include_secondary_sources: bool = Field(
        True, description="keep V-2 (secondary copy) rows of the trust report and the quarterly data"
    )

    @model_validator(mode="after")
    def _rules(self) -> Parameters:
        _check_rules(self.model_dump())
        return self


def previous_orders(p: Mapping[str, Any]) -> tuple[float, str]:
    """The previous year's orders of a checked parameter set and how they were set: ``"parameter"``
    (``orders_previous_period``), ``"gmv_growth"`` (``orders_in_period`` / (1 + the year's reported
    GMV growth): the average order value assumed unchanged) or ``"same"`` (``orders_in_period``: the
    growth figure, V-2, was left out)."""
    if p["orders_previous_period"] is not None:
        return float(p["orders_previous_period"]), "parameter"
    growth = data_figures(p["year"], bool(p["include_secondary_sources"])).gmv_growth
    if growth is None:
        return float(p["orders_in_period"]), "same"
    return float(p["orders_in_period"]) / (1.0 + growth), "gmv_growth"


def check_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Notebook 01's complete parameter set: ``params`` over the defaults, checked by :class:`Parameters`."""
    return Parameters.check(params)


def _check_rules(p: dict[str, Any]) -> None:
    year = p["year"]
    if p["days_in_period"] != days_in_year(year):
        raise ParameterError(
            f"parameter 'days_in_period': expected {days_in_year(year)} (calendar days of year {year}; "
            f"the governance figures are full-year totals), got {p['days_in_period']!r}"
        )
    dau, mau = p["dau_millions"], p["mau_millions"]
    if dau is not None and mau is not None and dau > mau:
        raise ParameterError(f"parameter 'dau_millions': expected at most mau_millions ({mau!r}), got {dau!r}")
    figures = data_figures(year, bool(p["include_secondary_sources"]))
    if (dau is None) != (mau is None):
        if dau is not None and figures.mau_millions is not None and dau > figures.mau_millions:
            raise ParameterError(
                f"parameter 'dau_millions': expected at most the data's mean MAU of {year} "
                f"({figures.mau_millions:,.1f} million, mau_millions None), got {dau!r}"
            )
        if mau is not None and figures.dau_millions is not None and mau < figures.dau_millions:
            raise ParameterError(
                f"parameter 'mau_millions': expected at least the data's mean DAU of {year} "
                f"({figures.dau_millions:,.1f} million, dau_millions None), got {mau!r}"
            )
    if dau is not None and figures.daily_participants is not None and figures.daily_participants > dau * 1e6:
        raise ParameterError(
            f"parameter 'dau_millions': the trust report's {figures.daily_participants:,.0f} users taking part "
            f"in governance every day would exceed the daily active users ({dau!r} million); expected at least "
            f"{figures.daily_participants / 1e6:g} (or include_secondary_sources = false, which leaves that V-2 figure out)"
        )
    _check_user_bases(p, figures)
    rate, deff, orders = p["base_report_rate_per_10k_orders"], p["design_effect"], p["orders_in_period"]
    prev, basis = previous_orders(p)
    change = figures.report_rate_change
    prev_name = "orders_previous_period" if basis == "parameter" else "orders_in_period"
    # the previous year's orders are orders_in_period / scale when derived from it
    prev_scale = 1.0 if basis == "parameter" else orders / prev
    for name, n, factor, scale, when in (
        ("orders_in_period", orders, 1.0 + change, 1.0, f"{year} (after the reported change of {change:+.2%})"),
        (prev_name, prev, 1.0, prev_scale, f"{year - 1} (at the base rate)"),
    ):
        reports = expected_reports(n, rate, factor)
        if reports / deff < MIN_EFFECTIVE_REPORTS:
            needed = orders_for_effective_reports(MIN_EFFECTIVE_REPORTS, rate, deff, factor) * scale
            raise ParameterError(
                f"parameter {name!r}: with base_report_rate_per_10k_orders={rate!r} and design_effect={deff!r} "
                f"it implies {reports:,.3g} reports in {when}, {reports / deff:,.3g} effective reports; the "
                f"two-proportion test needs at least {MIN_EFFECTIVE_REPORTS:g} effective reports a year: expected "
                f"at least {math.ceil(needed):,} orders (or a higher base rate), got {p[name]!r}"
            )
    _check_order_volumes(p, figures, prev)
    if not p["power"] > p["alpha"]:
        raise ParameterError(f"parameter 'power': expected greater than alpha ({p['alpha']!r}), got {p['power']!r}")
    start = p["blocking_system_start"]
    try:
        ts = date.fromisoformat(start)
    except ValueError:
        raise ParameterError(f"parameter 'blocking_system_start': expected a date YYYY-MM-DD, got {start!r}") from None
    if ts.year != year:
        raise ParameterError(f"parameter 'blocking_system_start': expected a date in {year}, got {start!r}")


def _check_user_bases(p: Mapping[str, Any], figures: DataFigures) -> None:
    """A DAU or MAU given by parameter must lie within :data:`USER_BASE_FACTOR` of the year's
    reported quarterly range: a value outside describes another platform."""
    year, k = p["year"], USER_BASE_FACTOR
    for name, value, reported, label in (
        ("dau_millions", p["dau_millions"], figures.dau_range, "DAU"),
        ("mau_millions", p["mau_millions"], figures.mau_range, "MAU"),
    ):
        if value is None or reported is None:
            continue
        low, high = reported[0] / k, reported[1] * k
        if not low <= value <= high:
            bound = f"at least {low:,.1f}" if value < low else f"at most {high:,.1f}"
            raise ParameterError(
                f"parameter {name!r}: expected {bound} million: the quarterly data (data/kuaishou_quarterly.csv) put "
                f"Kuaishou's average {label} of {year} at {reported[0]:,.1f} to {reported[1]:,.1f} million, and a "
                f"value outside {1 / k:g} to {k:g} times that range describes a platform of another size; got {value!r}"
            )


def _check_order_volumes(p: Mapping[str, Any], figures: DataFigures, previous: float) -> None:
    """Orders cannot exceed the year's GMV at :data:`MIN_AVERAGE_ORDER_RMB` per order (the previous
    year's GMV from the reported growth when loaded)."""
    if figures.gmv_rmb is None:
        return
    year = p["year"]
    cap = figures.gmv_rmb / MIN_AVERAGE_ORDER_RMB
    checks = [("orders_in_period", p["orders_in_period"], cap, f"{figures.gmv_basis}, RMB {figures.gmv_rmb / 1e9:,.0f} bn")]
    if p["orders_previous_period"] is not None and figures.gmv_growth is not None:
        gmv_previous = figures.gmv_rmb / (1 + figures.gmv_growth)
        checks.append(
            (
                "orders_previous_period",
                previous,
                gmv_previous / MIN_AVERAGE_ORDER_RMB,
                f"the GMV of {year - 1} implied by the reported growth of {figures.gmv_growth:+.1%}, "
                f"RMB {gmv_previous / 1e9:,.0f} bn",
            )
        )
    for name, orders, most, what in checks:
        if orders > most:
            raise ParameterError(
                f"parameter {name!r}: expected at most {most:,.0f} orders ({what}, at an average order of at least "
                f"RMB {MIN_AVERAGE_ORDER_RMB:g}); got {orders!r}"
            )
