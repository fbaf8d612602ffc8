"""Rules across the parameters of notebook ``01_governance``."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from trustlab.data.trust_report import DATE_PATTERN
from trustlab.governance.intensity import days_in_year


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
