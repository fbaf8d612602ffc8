"""The consumer-rights layer: what 信任購's order coverage implies as a share of all orders, and
whether repurchase figures before and after its launch can be compared at all.

Kuaishou publishes GMV, not orders: the orders of a period are its GMV over an average order value
that is a parameter (an assumption, stated in the run). A window inside a quarter takes the
quarter's GMV pro rata to its days (:func:`window_gmv`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd


def window_gmv(quarter_gmv_rmb: float, quarter: pd.Period, start: date, end: date) -> float:
    """GMV of the days ``start`` to ``end`` (both included, inside ``quarter``), RMB: the quarter's
    GMV (RMB) times the window's share of the quarter's days, i.e. GMV spread evenly over the quarter."""
    first, last = quarter.start_time.date(), quarter.end_time.date()
    if not first <= start <= end <= last:
        raise ValueError(f"window {start}..{end}: expected days inside {quarter} ({first}..{last})")
    return quarter_gmv_rmb * ((end - start).days + 1) / ((last - first).days + 1)


@dataclass(frozen=True)
class Coverage:
    """Orders a guarantee covered against the orders a GMV implies at an assumed order value.

    ``share`` is ``covered / orders`` (above 1 when the covered orders exceed every order the GMV
    implies); ``breakeven_order_value_rmb`` is the order value at which the covered orders would be
    all orders (GMV / covered), RMB."""

    label: str
    covered_orders: float
    gmv_rmb: float
    order_value_rmb: float

    @property
    def orders(self) -> float:
        """Orders the GMV implies at the assumed order value."""
        return self.gmv_rmb / self.order_value_rmb

    @property
    def share(self) -> float:
        return self.covered_orders / self.orders

    @property
    def breakeven_order_value_rmb(self) -> float:
        return self.gmv_rmb / self.covered_orders


def coverage(label: str, covered_orders: float, gmv_rmb: float, order_value_rmb: float) -> Coverage:
    """A :class:`Coverage`, refusing a count, GMV or order value that is not positive (naming it)."""
    for name, value in (("covered_orders", covered_orders), ("gmv_rmb", gmv_rmb), ("order_value_rmb", order_value_rmb)):
        if not value > 0:
            raise ValueError(f"{name}: expected a positive number, got {value!r}")
    return Coverage(label, float(covered_orders), float(gmv_rmb), float(order_value_rmb))


@dataclass(frozen=True)
class RepurchaseFigure:
    """A published repurchase figure: a ``level`` (a rate) or a ``change`` of one, over
    ``start``..``end``, with its definition (window, base) when the source gives one."""

    label: str
    kind: str  # "level" or "change"
    start: date
    end: date
    definition: str | None
    status: str

    def side(self, launch: date) -> str:
        """'before' (ends before ``launch``), 'after' (starts on or after it) or 'spans'."""
        if self.end < launch:
            return "before"
        if self.start >= launch:
            return "after"
        return "spans"


def comparable_pairs(figures: list[RepurchaseFigure], launch: date) -> list[tuple[str, str]]:
    """Pairs of figures that compare a repurchase rate before ``launch`` with one after it: two
    levels, one wholly before and one wholly after, with the same stated definition. A change that
    spans the launch compares two periods, but not at a stated level or definition, so it is not one."""
    before = [f for f in figures if f.kind == "level" and f.definition and f.side(launch) == "before"]
    after = [f for f in figures if f.kind == "level" and f.definition and f.side(launch) == "after"]
    return [(b.label, a.label) for b in before for a in after if b.definition == a.definition]


def repurchase_table(figures: list[RepurchaseFigure], launch: date) -> pd.DataFrame:
    """One row per figure: label, kind, period, status, stated definition and side of ``launch``."""
    return pd.DataFrame(
        [
            {
                "figure": f.label,
                "kind": f.kind,
                "period": f"{f.start:%Y-%m-%d} to {f.end:%Y-%m-%d}",
                "status": f.status,
                "definition": f.definition or "not stated",
                "side of launch": f.side(launch),
            }
            for f in figures
        ]
    )
