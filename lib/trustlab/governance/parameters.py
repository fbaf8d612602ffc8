"""Rules across the parameters of notebook ``01_governance``."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from trustlab.data.trust_report import DATE_PATTERN
from trustlab.governance.intensity import days_in_year
from trustlab.governance.report_rate import MIN_EFFECTIVE_REPORTS


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


def check_params(params: Mapping[str, Any]) -> None:
    """Rules of notebook ``01_governance`` across parameters; raises ParameterError naming the parameter.

    - ``days_in_period`` must equal the calendar days of ``year``: the figures are full-year totals.
    - ``dau_millions``/``mau_millions``: None or positive; DAU cannot exceed MAU (a value left at
      None is the data's mean of the year); the trust report's daily governance participants (when
      loaded) cannot exceed the DAU.
    - ``base_report_rate_per_10k_orders`` in (0, 10,000] (a share of orders once divided by 10,000).
    - ``design_effect``: finite and at least 1 (1 = independent orders).
    - ``orders_in_period``/``orders_previous_period``: positive; with the base rate, the reported
      change of the rate and the design effect they must imply at least
      :data:`~trustlab.governance.report_rate.MIN_EFFECTIVE_REPORTS` effective reports
      (reports / design effect) in each year, the least the z test's normal approximation needs.
    - ``alpha`` and ``power`` in (0, 1) and ``power`` > ``alpha``.
    - ``practical_relative_change`` in (0, 1); ``blocking_system_start`` a date inside ``year``.
    """
    from trustlab.errors import ParameterError

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
    figures = None
    if ("dau_millions" in params or "base_report_rate_per_10k_orders" in params) and year == 2021:
        figures = data_figures(year, bool(params.get("include_secondary_sources", True)))
    if figures is not None and (dau is None) != (mau is None):
        if dau is not None and figures.mau_millions is not None and dau > figures.mau_millions:
            raise ParameterError(
                f"parameter 'dau_millions': expected at most the data's mean MAU of {year} "
                f"({figures.mau_millions:,.1f} million, mau_millions = None), got {dau!r}"
            )
        if mau is not None and figures.dau_millions is not None and mau < figures.dau_millions:
            raise ParameterError(
                f"parameter 'mau_millions': expected at least the data's mean DAU of {year} "
                f"({figures.dau_millions:,.1f} million, dau_millions = None), got {mau!r}"
            )
    if figures is not None and dau is not None and figures.daily_participants is not None:
        if figures.daily_participants > dau * 1e6:
            raise ParameterError(
                f"parameter 'dau_millions': the trust report's {figures.daily_participants:,.0f} users taking part "
                f"in governance every day would exceed the daily active users ({dau!r} million); expected at least "
                f"{figures.daily_participants / 1e6:g} (or include_secondary_sources = false, which leaves that V-2 figure out)"
            )
    rate = params.get("base_report_rate_per_10k_orders")
    if rate is not None and not 0 < rate <= 10_000:
        raise ParameterError(
            f"parameter 'base_report_rate_per_10k_orders': expected > 0 and <= 10000 (reports per 10,000 orders), got {rate!r}"
        )
    deff = params.get("design_effect", 1.0)
    if not (isinstance(deff, (int, float)) and not isinstance(deff, bool) and math.isfinite(deff) and deff >= 1):
        raise ParameterError(f"parameter 'design_effect': expected a finite number >= 1 (1 = independent orders), got {deff!r}")
    for name in ("orders_in_period", "orders_previous_period"):
        v = params.get(name)
        if v is not None and not v > 0:
            raise ParameterError(f"parameter {name!r}: expected a positive number of orders, got {v!r}")
    orders = params.get("orders_in_period")
    if rate is not None and orders is not None:
        prev = params.get("orders_previous_period") or orders
        change = figures.report_rate_change if figures is not None else 0.0
        prev_name = "orders_previous_period" if params.get("orders_previous_period") else "orders_in_period"
        for name, n, factor, when in (
            ("orders_in_period", orders, 1.0 + change, f"{year} (after the reported change of {change:+.2%})"),
            (prev_name, prev, 1.0, f"{year - 1} (at the base rate)"),
        ):
            reports = rate / 10_000 * factor * n
            if reports / deff < MIN_EFFECTIVE_REPORTS:
                needed = MIN_EFFECTIVE_REPORTS * deff / (rate / 10_000 * factor)
                raise ParameterError(
                    f"parameter {name!r}: with base_report_rate_per_10k_orders={rate!r} and design_effect={deff!r} "
                    f"it implies {reports:,.3g} reports in {when}, {reports / deff:,.3g} effective reports; the "
                    f"two-proportion test needs at least {MIN_EFFECTIVE_REPORTS:g} effective reports a year: expected "
                    f"at least {math.ceil(needed):,} orders (or a higher base rate), got {n!r}"
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
