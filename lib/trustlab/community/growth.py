"""Growth on growth: does GMV per DAU grow faster in the quarters in which time per DAU grows faster?

Levels of GMV per DAU and of time per DAU both trend up, so a regression of one level on the other
would find a high R² whatever drives them; here each quarter is compared with the same quarter a year
earlier (log growth, which also removes the quarter's season), and the slope of one growth rate on
the other is estimated with a t interval (few quarters). :func:`correlation_power` says how likely so
few pairs were to detect a correlation of a given size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from trustlab import prose
from trustlab.data.tables import SECONDARY_STATUSES

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

PANEL_METRICS = ["gmv_rmb_bn", "dau_m", "time_per_dau_min"]


def panel(values: pd.DataFrame, status: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """One row per quarter from ``start`` to ``end`` (YYYYQn, both included): GMV (RMB bn), DAU
    (million), time per DAU (minutes a day), ``gmv_per_dau_rmb`` (GMV in the quarter per average DAU,
    RMB) and ``secondary`` (True when one of the three figures is a secondary copy, V-2 or D-2).

    ``values`` and ``status`` are :func:`trustlab.data.quarterly.wide` and ``wide_status`` of the
    quarterly table. A gap stays NaN."""
    quarters = pd.period_range(start, end, freq="Q", name="quarter")
    table = values.reindex(index=quarters)[PANEL_METRICS].astype(float)
    codes = status.reindex(index=quarters)[PANEL_METRICS].fillna("")
    table["gmv_per_dau_rmb"] = table["gmv_rmb_bn"] * 1e9 / (table["dau_m"] * 1e6)
    table["secondary"] = codes.isin(list(SECONDARY_STATUSES)).any(axis=1)
    return table


def year_on_year(table: pd.DataFrame) -> pd.DataFrame:
    """Log growth on the same quarter a year earlier, for each quarter of ``table`` (a :func:`panel`)
    whose quarter four back is in it: ``gmv_per_dau``, ``time_per_dau``, ``dau`` and ``gmv`` (each
    ln(x_t / x_{t-4})), ``complete`` (both GMV per DAU and time per DAU growth known) and
    ``secondary`` (a figure of either quarter is V-2 or D-2)."""
    lagged = table.shift(4, freq="Q")
    both = table.index.intersection(lagged.index)
    now, before = table.loc[both], lagged.loc[both]
    out = pd.DataFrame(index=both)
    for column, source in (
        ("gmv_per_dau", "gmv_per_dau_rmb"),
        ("time_per_dau", "time_per_dau_min"),
        ("dau", "dau_m"),
        ("gmv", "gmv_rmb_bn"),
    ):
        out[column] = np.log(now[source].astype(float) / before[source].astype(float))
    out["complete"] = out[["gmv_per_dau", "time_per_dau"]].notna().all(axis=1)
    out["secondary"] = now["secondary"].astype(bool) | before["secondary"].astype(bool)
    return out


@dataclass(frozen=True)
class SlopeFit:
    """OLS of one growth rate on another over ``n`` pairs.

    ``slope`` is the change of GMV-per-DAU log growth per unit of time-per-DAU log growth (an
    elasticity), with its two-sided ``1 - alpha`` t interval (n - 2 degrees of freedom) and
    ``p_value``; ``correlation`` is Pearson's r of the pairs. None of these exist below three pairs or
    when the time growth does not vary (``reason`` says which)."""

    n: int
    slope: float | None
    lower: float | None
    upper: float | None
    p_value: float | None
    correlation: float | None
    reason: str = ""


def fit_slope(x: np.ndarray, y: np.ndarray, alpha: float) -> SlopeFit:
    """The OLS slope of ``y`` on ``x`` (with an intercept), its t interval at level ``1 - alpha`` and
    two-sided p-value, and Pearson's r; refused (``slope`` None, ``reason`` set) for fewer than three
    pairs or an ``x`` without spread."""
    from scipy import stats

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    if n < 3:
        return SlopeFit(n, None, None, None, None, None, f"{prose.count(n, 'pair')}: a slope and its interval need at least 3")
    sxx = float(np.sum((x - x.mean()) ** 2))
    syy = float(np.sum((y - y.mean()) ** 2))
    if sxx <= 1e-12 * max(1.0, float(np.sum(x**2))):
        return SlopeFit(n, None, None, None, None, None, "the growth of time per DAU does not vary across the pairs")
    slope = float(np.sum((x - x.mean()) * (y - y.mean())) / sxx)
    residuals = y - y.mean() - slope * (x - x.mean())
    dof = n - 2
    se = math.sqrt(max(float(np.sum(residuals**2)), 0.0) / dof / sxx)
    critical = float(stats.t.ppf(1 - alpha / 2, dof))
    t_value = slope / se if se > 0 else math.copysign(math.inf, slope) if slope else 0.0
    p_value = float(2 * stats.t.sf(abs(t_value), dof)) if math.isfinite(t_value) else 0.0
    correlation = slope * math.sqrt(sxx / syy) if syy > 0 else 0.0
    return SlopeFit(n, slope, slope - critical * se, slope + critical * se, p_value, max(-1.0, min(1.0, correlation)))


def correlation_power(n: int, correlation: float, alpha: float) -> float | None:
    """Power of the two-sided test of zero correlation at level ``alpha`` against a true
    ``correlation``, with ``n`` pairs (Fisher's z: atanh(r) is about normal with sd 1/sqrt(n - 3));
    None below four pairs, where the approximation has no variance."""
    from scipy import stats

    if n < 4:
        return None
    shift = math.atanh(correlation) * math.sqrt(n - 3)
    critical = float(stats.norm.ppf(1 - alpha / 2))
    return float(stats.norm.cdf(shift - critical) + stats.norm.cdf(-shift - critical))


def detectable_correlation(n: int, alpha: float, power: float) -> float | None:
    """The smallest correlation a two-sided test at level ``alpha`` detects with probability
    ``power`` from ``n`` pairs (Fisher's z; the other tail's tiny share is ignored); None below four pairs."""
    from scipy import stats

    if n < 4:
        return None
    z = (float(stats.norm.ppf(1 - alpha / 2)) + float(stats.norm.ppf(power))) / math.sqrt(n - 3)
    return math.tanh(z)


def dau_share_of_gmv_growth(growth: pd.DataFrame) -> float | None:
    """The share of GMV's log growth that DAU growth accounts for, summed over the quarters where
    both are known (ln GMV growth = ln DAU growth + ln GMV-per-DAU growth); None when GMV did not grow."""
    known = growth.dropna(subset=["gmv", "dau"])
    total = float(known["gmv"].sum())
    if known.empty or total <= 0:
        return None
    return float(known["dau"].sum()) / total


def pairs_table(yoy: pd.DataFrame) -> pd.DataFrame:
    """:func:`year_on_year` for reading: each growth as a relative change (exp(log growth) - 1, a
    share), whether the pair enters the slope (``complete``) and whether it rests on a secondary figure."""
    out = pd.DataFrame(
        {
            "quarter": [str(q) for q in yoy.index],
            "GMV per DAU": np.expm1(yoy["gmv_per_dau"].to_numpy(dtype=float)),
            "time per DAU": np.expm1(yoy["time_per_dau"].to_numpy(dtype=float)),
            "DAU": np.expm1(yoy["dau"].to_numpy(dtype=float)),
            "in the slope": ["yes" if c else "no" for c in yoy["complete"]],
            "source": ["V-2 / D-2" if s else "V / V-c" for s in yoy["secondary"]],
        }
    )
    return out


def growth_figure(yoy: pd.DataFrame, fit: SlopeFit) -> Figure:
    """Scatter of GMV-per-DAU growth against time-per-DAU growth (year on year, %), primary and
    secondary pairs marked apart, with the fitted line when there is one (the quarters are in
    :func:`pairs_table`); the caller adds the caption."""
    import matplotlib.pyplot as plt

    pairs = yoy[yoy["complete"]]
    fig, ax = plt.subplots(figsize=(7, 4))
    for secondary, marker, label in ((False, "o", "V / V-c figures"), (True, "^", "a V-2 or D-2 figure")):
        part = pairs[pairs["secondary"] == secondary]
        ax.scatter(100 * np.expm1(part["time_per_dau"]), 100 * np.expm1(part["gmv_per_dau"]), marker=marker, label=label)
    if fit.slope is not None and len(pairs):
        x = np.linspace(float(pairs["time_per_dau"].min()), float(pairs["time_per_dau"].max()), 50)
        intercept = float(pairs["gmv_per_dau"].mean()) - fit.slope * float(pairs["time_per_dau"].mean())
        ax.plot(100 * np.expm1(x), 100 * np.expm1(intercept + fit.slope * x), color="grey", label="OLS on log growth")
    ax.axhline(0, color="black", linewidth=0.5)
    ax.axvline(0, color="black", linewidth=0.5)
    ax.set_xlabel("time per DAU, change on a year earlier (%)")
    ax.set_ylabel("GMV per DAU, change on a year earlier (%)")
    ax.set_title("Growth on growth: GMV per DAU against time per DAU")
    ax.legend(loc="best", fontsize=8)
    return fig
