"""Semi-presale against batch production: a newsvendor with normal demand against producing exactly
to pre-orders. Money is in RMB, quantities in units, shares in [0, 1]. scipy is imported where the
normal distribution is used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


def standard_normal_loss(z: np.ndarray | float) -> np.ndarray:
    """L(z) = E[(Z - z)+] for a standard normal Z: pdf(z) - z (1 - cdf(z))."""
    from scipy import stats

    z = np.asarray(z, dtype=float)
    return stats.norm.pdf(z) - z * stats.norm.sf(z)


@dataclass(frozen=True)
class NewsvendorResult:
    """A batch ordered before demand: critical ratio in (0, 1), quantity (units), expected sales,
    leftovers and lost sales (units), fill rate (expected sales / mean demand) and expected profit (RMB)."""

    critical_ratio: float
    quantity: float
    expected_sales: float
    expected_leftovers: float
    expected_lost_sales: float
    fill_rate: float
    expected_profit: float
    profit_std_err: float = 0.0


def critical_ratio(price: float, unit_cost: float, salvage: float) -> float:
    """(p - c) / (p - s): underage cost over underage + overage cost, in (0, 1) when s < c < p."""
    return (price - unit_cost) / (price - salvage)


def newsvendor(
    price: float, unit_cost: float, salvage: float, demand_mean: float, demand_cv: float, quantity: float | None = None
) -> NewsvendorResult:
    """Analytic newsvendor with normal demand N(mean, (cv mean)^2), price p, unit cost c, salvage s (RMB).

    Without ``quantity`` the optimal one, mean + sigma z* with z* = Phi^-1((p-c)/(p-s)), is used.
    Expected lost sales = sigma L(z); expected sales = mean - lost; leftovers = Q - sales;
    profit = (p - s) sales - (c - s) Q. Demand is the untruncated normal (negative with probability
    Phi(-1/cv)).
    """
    from scipy import stats

    sigma = demand_cv * demand_mean
    cr = critical_ratio(price, unit_cost, salvage)
    q = demand_mean + sigma * stats.norm.ppf(cr) if quantity is None else float(quantity)
    z = (q - demand_mean) / sigma
    lost = sigma * float(standard_normal_loss(z))
    sales = demand_mean - lost
    leftovers = q - sales
    profit = (price - salvage) * sales - (unit_cost - salvage) * q
    return NewsvendorResult(cr, q, sales, leftovers, lost, sales / demand_mean, profit)


def newsvendor_monte_carlo(
    price: float,
    unit_cost: float,
    salvage: float,
    demand_mean: float,
    demand_cv: float,
    quantity: float,
    draws: int,
    seed: int,
) -> NewsvendorResult:
    """Monte Carlo estimate of the newsvendor at ``quantity`` from ``draws`` normal demand draws.

    Same model as :func:`newsvendor` (untruncated normal demand); ``profit_std_err`` is the standard
    error of the mean profit (RMB).
    """
    rng = np.random.default_rng(seed)
    # Two buffers worked in place instead of a fresh array per step (fresh large arrays cost page
    # faults): the same operations in the same order, so the same bits.
    demand = rng.normal(demand_mean, demand_cv * demand_mean, size=draws)
    sales = np.minimum(demand, quantity)
    sales_mean = sales.mean()
    scratch = np.subtract(demand, sales, out=demand)  # lost sales; demand is not needed after this
    lost_mean = scratch.mean()
    np.subtract(quantity, sales, out=scratch)  # leftovers
    leftovers_mean = scratch.mean()
    np.multiply(salvage, scratch, out=scratch)
    profit = np.multiply(price, sales, out=sales)  # sales is not needed after this
    np.add(profit, scratch, out=profit)
    np.subtract(profit, unit_cost * quantity, out=profit)
    del demand, scratch  # freed, so the temporary of profit.std() can reuse the memory instead of fresh pages
    return NewsvendorResult(
        critical_ratio(price, unit_cost, salvage),
        float(quantity),
        float(sales_mean),
        float(leftovers_mean),
        float(lost_mean),
        float(sales_mean / demand_mean),
        float(profit.mean()),
        float(profit.std(ddof=1) / math.sqrt(draws)),
    )


def presale_expected_profit(price: float, unit_cost: float, demand_mean: float, cancel_share: float) -> float:
    """Expected profit (RMB) of producing exactly to pre-orders: every buyer orders, a share
    ``cancel_share`` cancels during the wait, the rest are made and shipped: (p - c)(1 - k) mean."""
    return (price - unit_cost) * (1.0 - cancel_share) * demand_mean


def breakeven_cancel_share(price: float, unit_cost: float, salvage: float, demand_mean: float, demand_cv: float) -> float:
    """Cancellation share at which presale and the optimal batch earn the same: 1 - profit_NV / ((p-c) mean).

    Below it presale earns more. In [0, 1] because the optimal batch earns between 0 and (p-c) mean.
    """
    return _breakeven_cancel_share(newsvendor(price, unit_cost, salvage, demand_mean, demand_cv), price, unit_cost, demand_mean)


def _breakeven_cancel_share(optimal: NewsvendorResult, price: float, unit_cost: float, demand_mean: float) -> float:
    """:func:`breakeven_cancel_share` from the optimal batch already computed."""
    return 1.0 - optimal.expected_profit / ((price - unit_cost) * demand_mean)


def newsvendor_profit_curve(
    price: float, unit_cost: float, salvage: float, demand_mean: float, demand_cv: float, quantities: Sequence[float]
) -> pd.DataFrame:
    """Expected batch profit (RMB) at each order quantity (units)."""
    return pd.DataFrame(
        {
            "quantity": list(quantities),
            "expected_profit": [
                newsvendor(price, unit_cost, salvage, demand_mean, demand_cv, q).expected_profit for q in quantities
            ],
        }
    )
