"""Rolling-origin evaluation of the forecast methods (FPP3, "Evaluating point forecast accuracy" and
"Time series cross-validation"): every method is refitted at every origin on data up to that origin,
scored 1..h quarters ahead with a scale-dependent-free error (MAPE) and a scaled one (MASE, scaled by
the in-sample seasonal naive error at the origin), and compared on the same (origin, target) pairs.

A method that cannot be used at an origin (too few quarters, a fit that did not converge) scores
nothing there; the origin is named in ``excluded``, and :func:`on_common_pairs` drops it for every
method, so no method is judged on forecasts the others did not make.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from trustlab.promotion.forecast import METHODS, USABLE, method_forecast, quarter_period, seasonal_scale, training_data

FORECAST_COLUMNS = ["origin", "target", "horizon", "forecast", "lower", "upper", "actual", "ape", "scaled_error", "covered"]


def _errors(forecasts: pd.DataFrame) -> pd.DataFrame:
    return (
        forecasts.assign(covered=forecasts["covered"].astype(float))
        .groupby("horizon")
        .agg(n=("ape", "size"), mape=("ape", "mean"), mase=("scaled_error", "mean"), coverage=("covered", "mean"))
        .reset_index()
    )


@dataclass
class Backtest:
    """Rolling-origin evaluation of one method: ``forecasts`` one row per scored (origin, target);
    ``errors`` one row per horizon (``n``, ``mape``, ``mase``, ``coverage``); ``excluded`` one row per
    origin at which the method could not be used (``origin``, ``reason``).

    ``covered`` is NaN for a method without intervals (the benchmarks), so its coverage is NaN.
    """

    forecasts: pd.DataFrame
    errors: pd.DataFrame
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["origin", "reason"]))

    @property
    def n(self) -> int:
        """Scored forecasts."""
        return int(len(self.forecasts))

    @property
    def mape(self) -> float:
        """Mean absolute percentage error over all scored forecasts (fraction); NaN when none is scored."""
        return float(self.forecasts["ape"].mean()) if self.n else float("nan")

    @property
    def mase(self) -> float:
        """Mean absolute scaled error over all scored forecasts (1 = the in-sample seasonal naive's error)."""
        return float(self.forecasts["scaled_error"].mean()) if self.n else float("nan")

    @property
    def covered(self) -> tuple[int, int]:
        """(actuals inside their interval, forecasts with an interval)."""
        covered = self.forecasts["covered"].dropna()
        return int(covered.astype(bool).sum()), int(len(covered))

    @property
    def coverage(self) -> float:
        """Share of scored actuals inside their interval, in [0, 1]; NaN for a method without intervals."""
        inside, n = self.covered
        return inside / n if n else float("nan")

    def origins_excluded(self, reason: str | None = None) -> list[str]:
        """The origins at which the method could not be used (for ``reason`` only, if given), in order."""
        rows = self.excluded if reason is None else self.excluded[self.excluded["reason"] == reason]
        return [str(o) for o in sorted(set(rows["origin"]))]

    @property
    def n_origins(self) -> int:
        """Scored origins."""
        return int(self.forecasts["origin"].nunique())

    @property
    def origins(self) -> tuple[pd.Period, pd.Period] | None:
        """First and last scored origin, or None."""
        return (self.forecasts["origin"].min(), self.forecasts["origin"].max()) if self.n else None


def backtest(
    series: pd.Series,
    train_end: str | pd.Period,
    model: str,
    horizon: int,
    alpha: float = 0.1,
    interpolation: str = "auto",
    method: str = "model",
) -> Backtest:
    """Rolling-origin backtest of ``method`` from ``train_end`` to the last observed quarter but one.

    Each origin sees data up to itself only (:func:`~trustlab.promotion.forecast.method_forecast`);
    forecasts 1..``horizon`` quarters ahead are compared with observed values (quarters without an
    observed value are not scored). The scaled error divides the absolute
    error by :func:`~trustlab.promotion.forecast.seasonal_scale` of the origin's training values.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {list(METHODS)}")
    first = quarter_period(train_end)
    observed = series.dropna()
    last = observed.index.max()
    rows, excluded = [], []
    for origin in pd.period_range(first, last - 1, freq="Q"):
        if origin not in observed.index:
            continue
        targets = [t for t in pd.period_range(origin + 1, min(origin + horizon, last), freq="Q") if t in observed.index]
        if not targets:
            continue
        table = method_forecast(series, origin, method, model, horizon, alpha, interpolation)
        status = str(table["status"].iloc[0])
        if status != USABLE:
            excluded.append({"origin": origin, "reason": status})
            continue
        scale = seasonal_scale(training_data(series, origin, interpolation)["value"])
        for h, (target, r) in enumerate(table.iterrows(), start=1):
            if target not in targets:
                continue
            actual = float(series[target])
            error = abs(r["forecast"] - actual)
            rows.append(
                {
                    "origin": origin,
                    "target": target,
                    "horizon": h,
                    "forecast": r["forecast"],
                    "lower": r["lower"],
                    "upper": r["upper"],
                    "actual": actual,
                    "ape": error / actual,
                    "scaled_error": error / scale if scale > 0 else np.nan,
                    "covered": bool(r["lower"] <= actual <= r["upper"]) if pd.notna(r["lower"]) else np.nan,
                }
            )
    forecasts = pd.DataFrame(rows, columns=FORECAST_COLUMNS)
    return Backtest(forecasts, _errors(forecasts), pd.DataFrame(excluded, columns=["origin", "reason"]))


def on_common_pairs(backtests: dict[str, Backtest]) -> dict[str, Backtest]:
    """Every method's backtest restricted to the (origin, target) pairs that every method scored, so
    that the methods are compared on the same forecasts; each keeps the origins it excluded, and an
    origin another method excluded is listed too (reason "excluded for another method")."""
    if not backtests:
        return {}
    pairs = None
    for bt in backtests.values():
        keys = set(zip(bt.forecasts["origin"], bt.forecasts["target"], strict=True))
        pairs = keys if pairs is None else pairs & keys
    assert pairs is not None
    out = {}
    for name, bt in backtests.items():
        keep = np.array(
            [(o, t) in pairs for o, t in zip(bt.forecasts["origin"], bt.forecasts["target"], strict=True)], dtype=bool
        )
        forecasts = bt.forecasts.loc[keep].reset_index(drop=True)  # a boolean array: an empty one keeps the columns
        dropped = sorted(set(bt.forecasts["origin"]) - set(forecasts["origin"]))
        others = pd.DataFrame({"origin": dropped, "reason": "excluded for another method"})
        excluded = pd.concat([bt.excluded, others], ignore_index=True) if dropped else bt.excluded
        out[name] = Backtest(forecasts, _errors(forecasts), excluded)
    return out


def relative_mape(mape_model: float | None, mape_benchmarks: dict[str, float | None]) -> tuple[float, str]:
    """The model's MAPE relative to the best benchmark's, MAPE_model / MAPE_best, and the best
    benchmark's name: below 1 the model's errors are smaller. NaN when the best benchmark is perfect
    or nothing is scored. This ratio is what runs record: unlike skill (1 - ratio), which is near zero
    when the two are close, it keeps its relative precision."""
    value, best = skill(mape_model, mape_benchmarks)
    return 1.0 - value, best


def skill(mape_model: float | None, mape_benchmarks: dict[str, float | None]) -> tuple[float, str]:
    """Skill of the model against the best benchmark, 1 - MAPE_model / MAPE_best, and the best benchmark's name.

    Positive: the model's errors are smaller than the best benchmark's; 0 or below: no skill.
    NaN when the best benchmark is perfect (MAPE 0) or nothing is scored.
    """
    scored = {k: float(v) for k, v in mape_benchmarks.items() if v is not None and np.isfinite(v)}
    if not scored or mape_model is None or not np.isfinite(mape_model):
        return float("nan"), ""
    best = min(scored, key=lambda name: scored[name])
    if scored[best] == 0:
        return float("nan"), best
    return 1.0 - mape_model / scored[best], best


__all__ = ["Backtest", "backtest", "on_common_pairs", "relative_mape", "skill"]
