"""The case numbers of the shoe launch (discount depth, units per minute, revenue) and the fast-brand
support threshold in units per month. Money is in RMB; shares are in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LaunchNumbers:
    """The shoe launch: discount depth (share of list price), units per minute, revenues in RMB."""

    discount_depth: float
    units_per_minute: float
    revenue_at_promo: float
    revenue_at_list: float
    foregone_revenue: float


def launch_numbers(list_price: float, promo_price: float, units: float, sellout_minutes: float) -> LaunchNumbers:
    """Discount depth 1 - promo/list, units sold per minute, revenue at the promo price, and the revenue
    foregone against selling the same units at list price (RMB)."""
    return LaunchNumbers(
        discount_depth=1.0 - promo_price / list_price,
        units_per_minute=units / sellout_minutes,
        revenue_at_promo=promo_price * units,
        revenue_at_list=list_price * units,
        foregone_revenue=(list_price - promo_price) * units,
    )


def support_threshold_units(monthly_gmv_threshold_rmb: float, unit_price_rmb: float) -> float:
    """Units a month a live room must sell at ``unit_price_rmb`` to reach the monthly GMV threshold (RMB)."""
    return monthly_gmv_threshold_rmb / unit_price_rmb
