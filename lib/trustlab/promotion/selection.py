"""Choosing the headline forecast method without hindsight.

The method the headline forecast uses is chosen by a rolling-origin backtest on the data up to
``train_end`` only, the data the model may see: origins run from the first quarter at which every
method can be fitted to ``train_end`` - 1, and only targets up to ``train_end`` are scored. The
quarters after ``train_end`` then evaluate every method (holdout and the rolling backtest from
``train_end``, in :mod:`trustlab.promotion.analysis`), but never choose among them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from trustlab.promotion.forecast import (
    METHODS,
    MIN_TRAIN_QUARTERS,
    SEASONAL_PERIOD,
    Backtest,
    _period,
    backtest,
)

# Fewest quarters up to an origin each benchmark needs: the same quarter a year earlier (4);
# with the latest year-on-year growth also the quarter a year before the origin (5).
BENCHMARK_MIN_QUARTERS = {"seasonal_naive": SEASONAL_PERIOD, "seasonal_naive_growth": SEASONAL_PERIOD + 1}


def first_origin(series: pd.Series, model: str) -> pd.Period:
    """The first origin at which every method (``model`` and each benchmark) can be fitted: the
    quarter that gives the most demanding method its minimum training span from the first observed
    value (:data:`~trustlab.promotion.forecast.MIN_TRAIN_QUARTERS`, :data:`BENCHMARK_MIN_QUARTERS`)."""
    if model not in MIN_TRAIN_QUARTERS:
        raise ValueError(f"unknown model {model!r}; expected one of {sorted(MIN_TRAIN_QUARTERS)}")
    observed = series.dropna()
    if observed.empty:
        raise ValueError("the series has no observed values")
    need = max(MIN_TRAIN_QUARTERS[model], *BENCHMARK_MIN_QUARTERS.values())
    return observed.index.min() + (need - 1)


@dataclass
class Selection:
    """The pre-``train_end`` backtest that chooses the headline method.

    ``backtests``: one :class:`~trustlab.promotion.forecast.Backtest` per method on the same
    (origin, target) pairs, empty when no origin before ``train_end`` leaves a quarter to score;
    ``method``: the method with the lowest MAPE (ties go to the earlier of
    :data:`~trustlab.promotion.forecast.METHODS`, so the model), or "model" when nothing is scored
    (``chosen_by_data`` False).
    """

    train_end: pd.Period
    first_origin: pd.Period
    backtests: dict[str, Backtest]
    method: str

    @property
    def chosen_by_data(self) -> bool:
        return bool(self.backtests)

    @property
    def n(self) -> int:
        """Scored forecasts per method (0 without a backtest)."""
        return int(len(self.backtests["model"].forecasts)) if self.backtests else 0

    @property
    def mape(self) -> dict[str, float]:
        """MAPE (fraction) per method; NaN for every method without a backtest."""
        return {m: (self.backtests[m].mape if self.backtests else float("nan")) for m in METHODS}

    @property
    def coverage(self) -> dict[str, float]:
        """Interval coverage per method, in [0, 1]; NaN for the benchmarks and without a backtest."""
        return {m: (self.backtests[m].coverage if self.backtests else float("nan")) for m in METHODS}

    @property
    def origins(self) -> tuple[pd.Period, pd.Period] | None:
        """First and last scored origin, or None."""
        if not self.backtests:
            return None
        origins = self.backtests["model"].forecasts["origin"]
        return origins.min(), origins.max()


def lowest_mape(mape: dict[str, float]) -> str:
    """The method of :data:`METHODS` with the lowest finite MAPE (ties: the earlier one); "model" if none is finite."""
    finite = [m for m in METHODS if mape.get(m) is not None and np.isfinite(mape[m])]
    return min(finite, key=lambda m: mape[m]) if finite else "model"


def select_method(
    series: pd.Series,
    train_end: str | pd.Period,
    model: str,
    horizon: int,
    alpha: float = 0.1,
    interpolation: str = "auto",
) -> Selection:
    """Choose the headline method from data up to ``train_end`` only.

    The series is cut at ``train_end`` before anything else, so no later value can enter; every
    method is backtested (:func:`~trustlab.promotion.forecast.backtest`) on the same origins, from
    :func:`first_origin` to ``train_end`` - 1, each refitted on data up to itself, scoring 1 to
    ``horizon`` quarters ahead where the target is observed and not after ``train_end``.
    """
    end = _period(train_end)
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")
    cut = series.loc[:end]
    start = first_origin(cut, model)
    observed = cut.dropna()
    scorable = [
        o
        for o in pd.period_range(start, end - 1, freq="Q")
        if o in observed.index and any(t in observed.index for t in pd.period_range(o + 1, min(o + horizon, end), freq="Q"))
    ]
    backtests: dict[str, Backtest] = {}
    if scorable:
        backtests = {m: backtest(cut, start, model, horizon, alpha, interpolation, method=m) for m in METHODS}
    selection = Selection(end, start, backtests, "model")
    selection.method = lowest_mape(selection.mape) if backtests else "model"
    return selection


__all__ = ["BENCHMARK_MIN_QUARTERS", "Selection", "first_origin", "lowest_mape", "select_method"]
