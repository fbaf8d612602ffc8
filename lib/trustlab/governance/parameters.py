"""The parameter contract of notebook ``01_governance``: every parameter declared once, with the rules across them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from trustlab.contract import Contract
from trustlab.data.trust_report import DATE_PATTERN
from trustlab.errors import ParameterError
from trustlab.governance.intensity import days_in_year
from trustlab.governance.report_rate import MIN_EFFECTIVE_REPORTS, expected_reports, orders_for_effective_reports


@dataclass(frozen=True)
class DataFigures:
    """The figures of the data that the cross-parameter rules need (None where not in the data)."""

    report_rate_change: float  # relative change of the report rate, share (−0.0896)
    daily_participants: float | None  # users taking part in governance a day (V-2)
    dau_millions: float | None  # the year's mean DAU from the quarterly data, million
    mau_millions: float | None


@lru_cache(maxsize=8)
def _data_figures(data_dir: str, year: int, include_secondary: bool) -> DataFigures:
    from trustlab.data.quarterly import load_quarterly
    from trustlab.data.trust_report import load_trust_report, report_value
    from trustlab.governance.intensity import average_users

    report = load_trust_report(include_secondary=include_secondary)
    quarterly = load_quarterly(include_secondary=include_secondary)

    def mean(metric: str) -> float | None:
        try:
            return average_users(quarterly, year, metric).value_millions
        except ValueError:
            return None

    change = report_value(report, "live_commerce_report_rate_change")
    return DataFigures(
        report_rate_change=(change if change is not None else 0.0) / 100,
        daily_participants=report_value(report, "daily_governance_participants"),
        dau_millions=mean("dau_m"),
        mau_millions=mean("mau_m"),
    )


def data_figures(year: int = 2021, include_secondary: bool = True) -> DataFigures:
    """The report-rate change, daily participants and mean DAU/MAU of ``year`` from the project's data
    (loaded once per data folder)."""
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
    ``alpha``; ``blocking_system_start`` a date inside ``year``.
    """

    notebook: ClassVar[str] = "01_governance"

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
        description="ASSUMED orders in the previous year; None: same as orders_in_period",
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
        le=1000000,
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
    rate, deff, orders = p["base_report_rate_per_10k_orders"], p["design_effect"], p["orders_in_period"]
    prev = p["orders_previous_period"] or orders
    change = figures.report_rate_change
    prev_name = "orders_previous_period" if p["orders_previous_period"] else "orders_in_period"
    for name, n, factor, when in (
        ("orders_in_period", orders, 1.0 + change, f"{year} (after the reported change of {change:+.2%})"),
        (prev_name, prev, 1.0, f"{year - 1} (at the base rate)"),
    ):
        reports = expected_reports(n, rate, factor)
        if reports / deff < MIN_EFFECTIVE_REPORTS:
            needed = orders_for_effective_reports(MIN_EFFECTIVE_REPORTS, rate, deff, factor)
            raise ParameterError(
                f"parameter {name!r}: with base_report_rate_per_10k_orders={rate!r} and design_effect={deff!r} "
                f"it implies {reports:,.3g} reports in {when}, {reports / deff:,.3g} effective reports; the "
                f"two-proportion test needs at least {MIN_EFFECTIVE_REPORTS:g} effective reports a year: expected "
                f"at least {math.ceil(needed):,} orders (or a higher base rate), got {n!r}"
            )
    if not p["power"] > p["alpha"]:
        raise ParameterError(f"parameter 'power': expected greater than alpha ({p['alpha']!r}), got {p['power']!r}")
    start = p["blocking_system_start"]
    try:
        ts = date.fromisoformat(start)
    except ValueError:
        raise ParameterError(f"parameter 'blocking_system_start': expected a date YYYY-MM-DD, got {start!r}") from None
    if ts.year != year:
        raise ParameterError(f"parameter 'blocking_system_start': expected a date in {year}, got {start!r}")
