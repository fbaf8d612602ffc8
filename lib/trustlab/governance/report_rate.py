"""What the reported 8.96 % fall of the live-commerce report rate means, under stated assumptions
about the base rate, the order volume and the clustering of reports: the implied reports, a
two-proportion z test, the smallest detectable change and the orders needed to detect one.

Overdispersion. Reports at platform scale are not independent trials: they cluster by merchant,
category and campaign, so the binomial variance understates the real one. Every test here takes a
``design_effect`` (Kish's deff >= 1, the variance relative to independent orders; deff = 1 + (m − 1)ρ
for clusters of m orders with intra-cluster correlation ρ): the variance of each rate is multiplied by
deff, i.e. the effective number of orders is n / deff (a quasi-binomial dispersion φ = deff). The z
statistic shrinks by √deff, the interval widens by √deff, the minimum detectable effect grows by
√deff (in Cohen's h) and the orders needed grow by deff.

Report rates are reports per order (a share in [0, 1]) unless the name says ``per_10k``. statsmodels
and scipy are imported by the functions that use them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


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
        # A count of reports cannot exceed the orders it comes from: with a rate of 1 and a
        # fractional order volume, rounding alone would give more reports than orders.
        reports_previous=min(int(round(p0 * previous)), math.floor(previous)),
        reports_current=min(int(round(p1 * orders_in_period)), math.floor(orders_in_period)),
    )


def expected_reports(orders: float, report_rate_per_10k_orders: float, rate_factor: float = 1.0) -> float:
    """Reports expected among ``orders`` at a report rate of ``report_rate_per_10k_orders`` ×
    ``rate_factor`` (1 + the rate's change, for the current year); not rounded."""
    return report_rate_per_10k_orders / 10_000 * rate_factor * orders


def orders_for_effective_reports(
    effective_reports: float, report_rate_per_10k_orders: float, design_effect: float, rate_factor: float = 1.0
) -> float:
    """The orders at which a report rate of ``report_rate_per_10k_orders`` × ``rate_factor`` (1 +
    the rate's change, for the current year) gives ``effective_reports`` effective reports
    (reports / ``design_effect``)."""
    return effective_reports * design_effect / expected_reports(1.0, report_rate_per_10k_orders, rate_factor)


# The smallest p-value recorded as a number: below it a double loses precision (denormals) and then
# underflows to 0, so a smaller p is recorded as the bound "< 1e-300" (its exact log10 is kept).
P_VALUE_FLOOR = 1e-300

# The smallest number of effective reports (reports / design effect) in either year for which the
# two-proportion z test's normal approximation is used (the textbook rule of at least 5-10 expected
# events per group; the stricter 10 is taken).
MIN_EFFECTIVE_REPORTS = 10.0


@dataclass(frozen=True)
class ZTest:
    """Two-proportion z test of current vs previous report rate (pooled variance, two-sided),
    with the variance inflated by ``design_effect``.

    ``z`` < 0 when the current rate is lower; ``z_independent`` is the z of independent orders
    (``z * sqrt(design_effect)``). ``log10_p`` is exact where ``p_value`` underflows; see
    :attr:`p_value_bound`.
    """

    z: float
    p_value: float
    log10_p: float
    relative_change: float
    ci_relative_change: tuple[float, float]
    design_effect: float = 1.0
    z_independent: float = float("nan")

    @property
    def p_value_bound(self) -> str | None:
        """ "< 1e-300" when the p-value is below :data:`P_VALUE_FLOOR` (cannot be recorded as a number), else None."""
        return f"< {P_VALUE_FLOOR:g}" if self.p_value < P_VALUE_FLOOR else None

    @property
    def p_value_recorded(self) -> float | None:
        """The p-value as recorded: the number when at least :data:`P_VALUE_FLOOR`, else None (see the bound)."""
        return None if self.p_value < P_VALUE_FLOOR else self.p_value


def _check_design_effect(design_effect: float) -> float:
    deff = float(design_effect)
    if not (math.isfinite(deff) and deff >= 1):
        raise ValueError(f"design_effect must be a finite number >= 1 (1 = independent orders), got {design_effect!r}")
    return deff


def report_rate_test(implied: ImpliedReports, alpha: float = 0.05, design_effect: float = 1.0) -> ZTest:
    """Two-proportion z test (``statsmodels.stats.proportion.proportions_ztest``) on implied counts,
    its variance multiplied by ``design_effect`` (z divided by √deff; 1 = independent orders).

    Also gives the observed relative change of the rate and its Wald (1 − ``alpha``) interval on the
    log risk-ratio scale, its standard error multiplied by √deff.
    """
    from scipy import stats
    from statsmodels.stats.proportion import proportions_ztest

    deff = _check_design_effect(design_effect)
    counts = np.array([implied.reports_current, implied.reports_previous], dtype=float)
    nobs = np.array([implied.orders_current, implied.orders_previous], dtype=float)
    if counts.min() < 1:
        raise ValueError("implied reports below 1 in a year: raise the base rate or the order volume")
    z_independent, _ = proportions_ztest(counts, nobs, alternative="two-sided")
    z = float(z_independent) / math.sqrt(deff)
    p = 2 * stats.norm.sf(abs(z))
    log10_p = (stats.norm.logsf(abs(z)) + math.log(2)) / math.log(10)
    p_cur, p_prev = counts / nobs
    rr = p_cur / p_prev
    se = math.sqrt(deff * (1 / counts[0] - 1 / nobs[0] + 1 / counts[1] - 1 / nobs[1]))
    q = stats.norm.ppf(1 - alpha / 2)
    lo, hi = rr * math.exp(-q * se) - 1, rr * math.exp(q * se) - 1
    return ZTest(
        z=z,
        p_value=float(min(p, 1.0)),
        log10_p=float(min(log10_p, 0.0)),
        relative_change=float(rr - 1),
        ci_relative_change=(float(lo), float(hi)),
        design_effect=deff,
        z_independent=float(z_independent),
    )


def breakeven_design_effect(test: ZTest, alpha: float = 0.05) -> float:
    """The design effect at which ``test``'s change stops being significant at ``alpha`` (two-sided):
    (z_independent / z_{1−alpha/2})². Below 1 the change is not significant even with independent orders."""
    from scipy import stats

    return (test.z_independent / stats.norm.ppf(1 - alpha / 2)) ** 2


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
    from statsmodels.stats.power import NormalIndPower

    h_ref = NormalIndPower().solve_power(
        effect_size=None, nobs1=_REFERENCE_NOBS, alpha=alpha, power=power, ratio=ratio, alternative="two-sided"
    )
    return float(np.asarray(h_ref).item()) * math.sqrt(_REFERENCE_NOBS / nobs1)


def minimum_detectable_relative_change(
    base_rate: float,
    orders_current: float,
    orders_previous: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    design_effect: float = 1.0,
) -> float:
    """Smallest relative fall of a report rate ``base_rate`` (reports per order, share) detectable
    with probability ``power`` by a two-sided test at ``alpha``, with ``orders_current`` and
    ``orders_previous`` orders (``statsmodels.stats.power.NormalIndPower`` on Cohen's h), each
    divided by ``design_effect`` (the effective number of orders).

    Returned as a share of the base rate (0.001 = a 0.1 % relative fall). NaN when not even a fall
    to zero would be detectable.
    """
    deff = _check_design_effect(design_effect)
    previous = orders_current if orders_previous is None else orders_previous
    h = _detectable_effect_size(orders_current / deff, previous / orders_current, alpha, power)
    p1 = _rate_after_effect(base_rate, h)
    return float("nan") if math.isnan(p1) else 1.0 - p1 / base_rate


def orders_needed(
    base_rate: float, relative_change: float, alpha: float = 0.05, power: float = 0.8, design_effect: float = 1.0
) -> float:
    """Orders per year (equal in both years) needed to detect a relative fall ``relative_change``
    (share, e.g. 0.0896) of a report rate ``base_rate`` (reports per order) with ``power`` at ``alpha``,
    when the variance is ``design_effect`` times the binomial one (``design_effect`` times the orders
    needed with independent orders)."""
    from statsmodels.stats.proportion import proportion_effectsize

    deff = _check_design_effect(design_effect)
    h = abs(float(proportion_effectsize(base_rate, base_rate * (1 - relative_change))))
    # n is proportional to 1 / h**2: solve at the effect detectable with the reference size and rescale
    h_ref = _detectable_effect_size(_REFERENCE_NOBS, 1.0, alpha, power)
    return deff * _REFERENCE_NOBS * (h_ref / h) ** 2


def design_effect_table(
    implied: ImpliedReports, design_effects: Iterable[float], alpha: float = 0.05, power: float = 0.8
) -> pd.DataFrame:
    """How the test of ``implied`` changes with the design effect: one row per ``design_effect`` with
    ``effective_reports_current`` (reports / deff), ``z``, ``p_value``, ``log10_p``, ``ci_low``,
    ``ci_high`` (relative change, shares), ``significant`` (p < ``alpha``) and ``mdc`` (minimum
    detectable relative fall, share; NaN when not even a fall to zero is detectable)."""
    records = []
    for deff in design_effects:
        t = report_rate_test(implied, alpha, deff)
        records.append(
            {
                "design_effect": float(deff),
                "effective_reports_current": implied.reports_current / float(deff),
                "z": t.z,
                "p_value": t.p_value,
                "log10_p": t.log10_p,
                "ci_low": t.ci_relative_change[0],
                "ci_high": t.ci_relative_change[1],
                "significant": bool(t.log10_p < math.log10(alpha)),
                "mdc": minimum_detectable_relative_change(
                    implied.rate_previous, implied.orders_current, implied.orders_previous, alpha, power, deff
                ),
            }
        )
    return pd.DataFrame.from_records(records)


def sensitivity_table(
    base_rates_per_10k: Iterable[float],
    order_volumes: Iterable[float],
    rate_change: float,
    alpha: float = 0.05,
    power: float = 0.8,
    orders_growth: float = 0.0,
    design_effect: float = 1.0,
) -> pd.DataFrame:
    """z, p and minimum detectable relative change over a grid of base rates and order volumes.

    One row per (``base_rate_per_10k``, ``orders``): ``reports_previous``, ``reports_current``, ``z``,
    ``p_value``, ``log10_p``, ``significant`` (p < ``alpha``), ``mdc`` (share), all with the variance
    multiplied by ``design_effect``. Cells where the effective reports (reports / design effect) of
    either year are below :data:`MIN_EFFECTIVE_REPORTS` get NaN (too few for the test's normal
    approximation). ``orders_growth`` (share) sets previous-year orders to ``orders / (1 + orders_growth)``.
    """
    records = []
    for rate in base_rates_per_10k:
        for orders in order_volumes:
            previous = orders / (1 + orders_growth)
            rec: dict[str, Any] = {"base_rate_per_10k": float(rate), "orders": float(orders)}
            imp = implied_reports(rate, orders, rate_change, previous)
            rec["reports_previous"] = imp.reports_previous
            rec["reports_current"] = imp.reports_current
            if min(imp.reports_previous, imp.reports_current) / design_effect >= MIN_EFFECTIVE_REPORTS:
                t = report_rate_test(imp, alpha, design_effect)
                rec.update(z=t.z, p_value=t.p_value, log10_p=t.log10_p, significant=t.p_value < alpha)
            else:
                rec.update(z=np.nan, p_value=np.nan, log10_p=np.nan, significant=False)
            rec["mdc"] = minimum_detectable_relative_change(rate / 10_000, orders, previous, alpha, power, design_effect)
            records.append(rec)
    return pd.DataFrame.from_records(records)
