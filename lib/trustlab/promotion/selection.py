"""Choosing the headline forecast method without hindsight, and only on enough evidence.

The method the headline forecast uses is chosen by a rolling-origin backtest on the data up to
``train_end`` only, the data the model may see: origins run from the first quarter at which every
method can be fitted to ``train_end`` - 1, and only targets up to ``train_end`` are scored, every
method on the same (origin, target) pairs. The data choose only when at least
:data:`MIN_SELECTION_ORIGINS` origins are scored: a year of origins, so that each quarter of the year
(the festival quarters differ) is an origin once and no single season decides. With less, the headline
is the seasonal naive, FPP3's benchmark for seasonal data. The quarters after ``train_end`` then
evaluate every method (holdout and the rolling backtest from ``train_end``, in
:mod:`trustlab.promotion.analysis`), but never choose among them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from trustlab.promotion.backtest import Backtest, backtest, on_common_pairs
from trustlab.promotion.forecast import BENCHMARK_MIN_QUARTERS, METHODS, MIN_TRAIN_QUARTERS, NOT_CONVERGED, quarter_period

MIN_SELECTION_ORIGINS = 4
DEFAULT_METHOD = "seasonal_naive"


def first_origin(series: pd.Series, model: str) -> pd.Period:
    """The first origin at which every method (``model`` and each benchmark) can be fitted: the
    quarter that gives the most demanding method its minimum training span from the first observed
    value (:data:`~trustlab.promotion.forecast.MIN_TRAIN_QUARTERS`, ``BENCHMARK_MIN_QUARTERS``)."""
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

    ``backtests``: one :class:`~trustlab.promotion.backtest.Backtest` per method on the same
    (origin, target) pairs (empty when no origin before ``train_end`` leaves a quarter to score);
    ``method``: the method with the lowest MAPE (ties go to the earlier of
    :data:`~trustlab.promotion.forecast.METHODS`, so the model) when at least
    :data:`MIN_SELECTION_ORIGINS` origins are scored (``chosen_by_data``), else :data:`DEFAULT_METHOD`.
    """

    train_end: pd.Period
    first_origin: pd.Period
    backtests: dict[str, Backtest]
    method: str

    @property
    def n_origins(self) -> int:
        """Scored origins (the same for every method)."""
        return self.backtests["model"].n_origins if self.backtests else 0

    @property
    def chosen_by_data(self) -> bool:
        return self.n_origins >= MIN_SELECTION_ORIGINS

    @property
    def n(self) -> int:
        """Scored forecasts per method (0 without a backtest)."""
        return self.backtests["model"].n if self.backtests else 0

    @property
    def mape(self) -> dict[str, float]:
        """MAPE (fraction) per method; NaN for every method without a scored forecast."""
        return {m: (self.backtests[m].mape if self.backtests else float("nan")) for m in METHODS}

    @property
    def mase(self) -> dict[str, float]:
        """MASE per method; NaN without a scored forecast."""
        return {m: (self.backtests[m].mase if self.backtests else float("nan")) for m in METHODS}

    @property
    def coverage(self) -> dict[str, float]:
        """Interval coverage per method, in [0, 1]; NaN for the benchmarks and without a backtest."""
        return {m: (self.backtests[m].coverage if self.backtests else float("nan")) for m in METHODS}

    @property
    def origins(self) -> tuple[pd.Period, pd.Period] | None:
        """First and last scored origin, or None."""
        return self.backtests["model"].origins if self.backtests else None

    @property
    def origins_not_converged(self) -> list[str]:
        """Origins before train_end whose model fit did not converge (they score and choose nothing)."""
        return self.backtests["model"].origins_excluded(NOT_CONVERGED) if self.backtests else []


def lowest_mape(mape: Mapping[str, float | None]) -> str:
    """The method of :data:`METHODS` with the lowest finite MAPE (ties: the earlier one); the
    default method if none is finite."""
    finite = [m for m in METHODS if (v := mape.get(m)) is not None and np.isfinite(v)]
    return min(finite, key=lambda m: float(mape[m])) if finite else DEFAULT_METHOD  # type: ignore[arg-type]


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
    method is backtested (:func:`~trustlab.promotion.backtest.backtest`) from :func:`first_origin` to
    ``train_end`` - 1, each origin refitted on data up to itself, scoring 1 to ``horizon`` quarters
    ahead up to ``train_end``, and compared on the pairs every method scored
    (:func:`~trustlab.promotion.backtest.on_common_pairs`; a fit that did not converge scores nothing).
    """
    end = quarter_period(train_end)
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")
    cut = series.loc[:end]
    start = first_origin(cut, model)
    backtests: dict[str, Backtest] = {}
    if start < end:
        backtests = on_common_pairs({m: backtest(cut, start, model, horizon, alpha, interpolation, method=m) for m in METHODS})
        if not backtests["model"].n and not backtests["model"].excluded.shape[0]:
            backtests = {}
    selection = Selection(end, start, backtests, DEFAULT_METHOD)
    if selection.chosen_by_data:
        selection.method = lowest_mape(selection.mape)
    return selection


__all__ = ["DEFAULT_METHOD", "MIN_SELECTION_ORIGINS", "Selection", "first_origin", "lowest_mape", "select_method"]
