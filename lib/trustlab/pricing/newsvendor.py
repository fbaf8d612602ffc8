"""Semi-presale against batch production: a newsvendor with lognormal demand against producing to the
pre-orders of the buyers who accept the wait. Money is in RMB, quantities in units, shares in [0, 1].
scipy is imported where the normal distribution is used.

Demand is lognormal with the stated mean and coefficient of variation (never negative, unlike a
normal demand, which at a CV of 0.5 is negative 2.3 % of the time).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


def lognormal_parameters(demand_mean: float, demand_cv: float) -> tuple[float, float]:
    """(mu, sigma) of the log of a lognormal demand with mean ``demand_mean`` and coefficient of
    variation ``demand_cv``: sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2."""
    sigma2 = math.log1p(demand_cv * demand_cv)
    return math.log(demand_mean) - sigma2 / 2, math.sqrt(sigma2)


def lognormal_lost_sales(quantity: float, demand_mean: float, demand_cv: float) -> float:
    """E[(D - Q)+] (units) for lognormal demand D: mean Phi(d1) - Q Phi(d2), with
    d1 = (mu + sigma^2 - ln Q) / sigma and d2 = d1 - sigma; the whole mean when Q <= 0."""
    from scipy import stats

    if quantity <= 0:
        return float(demand_mean)
    mu, sigma = lognormal_parameters(demand_mean, demand_cv)
    d1 = (mu + sigma * sigma - math.log(quantity)) / sigma
    return float(demand_mean * stats.norm.cdf(d1) - quantity * stats.norm.cdf(d1 - sigma))


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
    """Analytic newsvendor with lognormal demand (mean ``demand_mean``, coefficient of variation
    ``demand_cv``), price p, unit cost c, salvage s (RMB).

    Without ``quantity`` the optimal one, the critical-ratio quantile exp(mu + sigma z*) with
    z* = Phi^-1((p-c)/(p-s)), is used. Expected lost sales: :func:`lognormal_lost_sales`; expected
    sales = mean - lost; leftovers = Q - sales; profit = (p - s) sales - (c - s) Q.
    """
    from scipy import stats

    cr = critical_ratio(price, unit_cost, salvage)
    if quantity is None:
        mu, sigma = lognormal_parameters(demand_mean, demand_cv)
        q = math.exp(mu + sigma * float(stats.norm.ppf(cr)))
    else:
        q = float(quantity)
    lost = lognormal_lost_sales(q, demand_mean, demand_cv)
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
    """Monte Carlo estimate of the newsvendor at ``quantity`` from ``draws`` lognormal demand draws.

    Same model as :func:`newsvendor`; ``profit_std_err`` is the standard error of the mean profit (RMB).
    """
    rng = np.random.default_rng(seed)
    mu, sigma = lognormal_parameters(demand_mean, demand_cv)
    # Two buffers worked in place instead of a fresh array per step (fresh large arrays cost page
    # faults): the same operations in the same order, so the same bits.
    demand = rng.lognormal(mu, sigma, size=draws)
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


def presale_expected_profit(
    price: float, unit_cost: float, demand_mean: float, cancel_share: float | np.ndarray, accept_share: float = 1.0
) -> np.ndarray:
    """Expected profit (RMB) of producing exactly to pre-orders: a share ``accept_share`` of demand
    accepts the wait and orders (the rest buys elsewhere), a share ``cancel_share`` of those cancels
    during the wait, the rest are made and shipped: (p - c) a (1 - k) mean. Vectorised."""
    return (price - unit_cost) * accept_share * (1.0 - np.asarray(cancel_share)) * demand_mean


def breakeven_cancel_share(
    price: float, unit_cost: float, salvage: float, demand_mean: float, demand_cv: float, accept_share: float = 1.0
) -> float:
    """Cancellation share at which presale and the optimal batch earn the same: 1 - profit_NV / ((p-c) a mean).

    Below it presale earns more. At most 1 (the optimal batch earns at least 0); below 0 when presale
    earns less even with no cancellation (too few buyers accept the wait).
    """
    optimal = newsvendor(price, unit_cost, salvage, demand_mean, demand_cv)
    return breakeven_cancel_share_of(optimal, price, unit_cost, demand_mean, accept_share)


def breakeven_cancel_share_of(
    optimal: NewsvendorResult, price: float, unit_cost: float, demand_mean: float, accept_share: float = 1.0
) -> float:
    """:func:`breakeven_cancel_share` from the optimal batch already computed (-inf when no buyer accepts the wait)."""
    presale_without_cancellation = (price - unit_cost) * accept_share * demand_mean
    if presale_without_cancellation <= 0:
        return -math.inf
    return 1.0 - optimal.expected_profit / presale_without_cancellation


def breakeven_accept_share(
    optimal: NewsvendorResult, price: float, unit_cost: float, demand_mean: float, cancel_share: float
) -> float:
    """Share of demand that must accept the wait for presale to earn what the optimal batch earns:
    profit_NV / ((p-c)(1 - k) mean); above 1 when no acceptance suffices, inf when every buyer cancels."""
    presale_per_accepting_share = (price - unit_cost) * (1.0 - cancel_share) * demand_mean
    if presale_per_accepting_share <= 0:
        return math.inf
    return optimal.expected_profit / presale_per_accepting_share


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
