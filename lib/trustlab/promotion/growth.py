"""How much of the growth reported for Kuaishou's 2022 616 festival is growth per merchant and per
buyer: GMV growth split into merchant count and GMV per merchant, the fast-brand funnel, and the
trust-buy (信任购) run rate against 2021.

Growth rates are fractions (5.15 means +515 %), shares are in [0, 1], money is RMB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from trustlab.source_facts.rates import day_count

FESTIVAL_START = "2022-05-20"
FESTIVAL_ENDS = ("2022-06-19", "2022-06-14")

BASE_MISMATCH_NOTE = (
    "The two figures have different bases: GMV growth (+515 %) is brand merchants' GMV year on year "
    "(616 of 2022 against the same festival of 2021), while the merchant multiple (x8) compares this "
    "year's 616 participants with last year's 116 (Double 11) festival, and counts all participating "
    "merchants, not only brand merchants. The implied per-merchant change is therefore an arithmetic "
    "illustration under the assumption that the merchant count grew by the same multiple against "
    "616 of 2021, not a measured quantity."
)


def gmv_per_merchant_change(gmv_growth: float, merchant_multiple: float) -> float:
    """Implied change of GMV per merchant, as a fraction: (1 + gmv_growth) / merchant_multiple - 1.

    ``gmv_growth`` is a fraction (5.15 for +515 %), ``merchant_multiple`` the ratio of merchant counts
    (8 for eight times as many). From GMV = merchants x GMV-per-merchant.
    """
    if merchant_multiple <= 0:
        raise ValueError(f"merchant_multiple must be > 0, got {merchant_multiple!r}")
    if gmv_growth <= -1:
        raise ValueError(f"gmv_growth must be > -1 (a fall of more than 100 % is impossible), got {gmv_growth!r}")
    return (1.0 + gmv_growth) / merchant_multiple - 1.0


@dataclass(frozen=True)
class GrowthDecomposition:
    """GMV growth split into merchant-count growth and GMV-per-merchant change (all fractions)."""

    gmv_growth: float
    merchant_multiple: float
    per_merchant_change: float
    note: str = BASE_MISMATCH_NOTE

    @property
    def breakeven_multiple(self) -> float:
        """Merchant multiple at which GMV per merchant would be unchanged: 1 + gmv_growth."""
        return 1.0 + self.gmv_growth


def decompose_growth(gmv_growth: float, merchant_multiple: float) -> GrowthDecomposition:
    """Decompose GMV growth (fraction) given the merchant-count multiple; the note states the base mismatch."""
    return GrowthDecomposition(gmv_growth, merchant_multiple, gmv_per_merchant_change(gmv_growth, merchant_multiple))


def decomposition_table(gmv_growths: Sequence[float], merchant_multiples: Sequence[float]) -> pd.DataFrame:
    """Implied GMV-per-merchant change for every assumption pair (long table).

    Columns: ``gmv_growth`` (fraction), ``merchant_multiple`` (x), ``per_merchant_change`` (fraction),
    ``per_merchant_multiple`` (x, = 1 + change).
    """
    rows = [
        {
            "gmv_growth": float(g),
            "merchant_multiple": float(m),
            "per_merchant_change": gmv_per_merchant_change(g, m),
        }
        for g in gmv_growths
        for m in merchant_multiples
    ]
    frame = pd.DataFrame(rows)
    frame["per_merchant_multiple"] = 1.0 + frame["per_merchant_change"]
    return frame


@dataclass(frozen=True)
class FastBrandFunnel:
    """Per-unit figures derived from the fast-brand (快品牌) festival report.

    views_per_order: room views per order (>= because views are 'more than'); orders_per_day: orders a
    day over the festival; min_top_rooms_gmv_rmb: lower bound of the GMV of the rooms over the sales
    threshold (RMB); fast_brand_gmv_rmb: orders x assumed average order value (RMB);
    top_rooms_min_share: lower bound of the top rooms' share of that GMV (may exceed 1 if the assumed
    order value is too low); breakeven_order_value_rmb: the average order value (RMB) below which the
    reported figures contradict each other.
    """

    orders: float
    room_views: float
    days: int
    views_per_order: float
    orders_per_day: float
    min_top_rooms_gmv_rmb: float
    average_order_value_rmb: float
    fast_brand_gmv_rmb: float
    top_rooms_min_share: float
    breakeven_order_value_rmb: float

    def table(self) -> pd.DataFrame:
        """The figures as a display table with units and bound direction."""
        rows = [
            ("views per order", self.views_per_order, "views / order", "lower bound (views 'more than')"),
            ("orders per day", self.orders_per_day, "orders / day", f"over {self.days} days"),
            ("GMV of the top rooms", self.min_top_rooms_gmv_rmb / 1e6, "RMB m", "lower bound (each 'over' the threshold)"),
            ("assumed average order value", self.average_order_value_rmb, "RMB / order", "assumption (parameter)"),
            ("fast-brand GMV = orders x order value", self.fast_brand_gmv_rmb / 1e6, "RMB m", "under the assumption"),
            ("top rooms' share of fast-brand GMV", self.top_rooms_min_share, "share", "lower bound"),
            (
                "order value at which the figures conflict",
                self.breakeven_order_value_rmb,
                "RMB / order",
                "below it the top rooms alone exceed all fast-brand GMV",
            ),
        ]
        return pd.DataFrame(rows, columns=["quantity", "value", "unit", "note"])


def fast_brand_funnel(
    orders: float,
    room_views: float,
    rooms_over_threshold: int,
    room_sales_threshold_rmb: float,
    average_order_value_rmb: float,
    days: int,
) -> FastBrandFunnel:
    """Funnel ratios of the fast-brand report (orders, views in counts; money in RMB; days of the festival)."""
    for name, value in (
        ("orders", orders),
        ("room_views", room_views),
        ("average_order_value_rmb", average_order_value_rmb),
        ("days", days),
    ):
        if value <= 0:
            raise ValueError(f"{name} must be > 0, got {value!r}")
    min_top = rooms_over_threshold * room_sales_threshold_rmb
    gmv = orders * average_order_value_rmb
    return FastBrandFunnel(
        orders=float(orders),
        room_views=float(room_views),
        days=int(days),
        views_per_order=room_views / orders,
        orders_per_day=orders / days,
        min_top_rooms_gmv_rmb=float(min_top),
        average_order_value_rmb=float(average_order_value_rmb),
        fast_brand_gmv_rmb=float(gmv),
        top_rooms_min_share=min_top / gmv,
        breakeven_order_value_rmb=min_top / orders,
    )


def trust_buy_run_rate(
    orders_2021: float,
    orders_festival: float,
    festival_start: str = FESTIVAL_START,
    festival_ends: Sequence[str] = FESTIVAL_ENDS,
    days_2021: int = 365,
    dated_end: str | None = None,
) -> pd.DataFrame:
    """Orders covered by trust-buy (信任購) per day: 2021 average vs the festival, for each festival end date.

    Returns columns ``period``, ``days``, ``orders``, ``orders_per_day``, ``ratio_to_2021`` (festival
    daily rate / 2021 daily rate) and ``dated`` (True on the row whose end is ``dated_end``, the end
    the figure's own sentence gives; the others are readings for comparison). Festival orders are
    'more than', so festival rates are lower bounds.
    """
    base = orders_2021 / days_2021
    rows = [
        {
            "period": "2021 (full year)",
            "days": days_2021,
            "orders": orders_2021,
            "orders_per_day": base,
            "ratio_to_2021": 1.0,
            "dated": False,
        }
    ]
    for end in festival_ends:
        d = day_count(festival_start, end)
        rate = orders_festival / d
        rows.append(
            {
                "period": f"festival {festival_start}..{end}",
                "days": d,
                "orders": orders_festival,
                "orders_per_day": rate,
                "ratio_to_2021": rate / base,
                "dated": str(end) == str(dated_end),
            }
        )
    return pd.DataFrame(rows)
