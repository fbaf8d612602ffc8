"""The parameter contract of notebook ``02_promotion_growth``: every parameter declared once, with the rule on ``train_end``."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import Field, model_validator

from trustlab.contract import Contract
from trustlab.errors import ParameterError
from trustlab.promotion.forecast import BENCHMARK_MIN_QUARTERS, MAX_INTERPOLATED_SHARE, MIN_TRAIN_QUARTERS, MODELS, QUARTER_RE
from trustlab.promotion.growth import FESTIVAL_ENDS


class Parameters(Contract):
    """The parameter contract of notebook ``02_promotion_growth``.

    Rule across parameters and data (:meth:`_rules`): ``train_end`` is a quarter with a GMV value in
    the data (with or without secondary sources, as ``include_secondary_sources`` says) that leaves
    every benchmark enough training quarters, at most
    :data:`~trustlab.promotion.forecast.MAX_INTERPOLATED_SHARE` of them gaps. A ``model`` with fewer
    quarters than it needs is not refused: it makes no forecast, and the run says so.
    """

    notebook: ClassVar[str] = "02_promotion_growth"
    groups: ClassVar[dict[str, tuple[str, ...]]] = {
        "The GMV forecast": ("train_end", "model", "forecast_quarters", "alpha", "backtest_horizon"),
        "The 616 festival": ("merchant_multiple", "gmv_growth", "festival_end", "average_order_value_rmb"),
        "Data": ("include_secondary_sources",),
    }

    train_end: str = Field(
        "2023Q4",
        pattern=QUARTER_RE.pattern,
        json_schema_extra={"expected": "a quarter written YYYYQn (e.g. 2022Q1)"},
        description="last quarter the forecasting model may see, YYYYQn (scenario june2022: 2022Q1, what was known in June 2022)",
    )
    forecast_quarters: int = Field(7, ge=1, le=12, description="quarters to forecast after train_end")
    model: Literal[MODELS] = Field(  # type: ignore[valid-type]
        "sarimax",
        description=f"seasonal model on log GMV: sarimax (needs {MIN_TRAIN_QUARTERS['sarimax']} quarters) or ets "
        f"(needs {MIN_TRAIN_QUARTERS['ets']}); with fewer up to train_end it makes no forecast and the benchmarks remain",
    )
    merchant_multiple: float = Field(
        8.0, gt=0, description="merchants at 616 of 2022 as a multiple of last year's 116 festival, x"
    )
    gmv_growth: float = Field(5.15, gt=-1, description="brand merchants' GMV growth at 616 of 2022, fraction (5.15 is +515 %)")
    festival_end: Literal[FESTIVAL_ENDS] = Field(  # type: ignore[valid-type]
        FESTIVAL_ENDS[0],
        description="festival end for a festival figure whose sentence gives no end (dated figures keep their own window)",
    )
    include_secondary_sources: bool = Field(
        True, description="keep V-2 (secondary copy) rows of the quarterly data and D-2 rows derived from them"
    )
    average_order_value_rmb: float = Field(
        70.0,
        gt=0,
        description="ASSUMED fast-brand average order value, RMB per order (Kuaishou live commerce late 2020: 70, V-2)",
    )
    backtest_horizon: int = Field(4, ge=1, le=8, description="quarters ahead scored in the rolling-origin backtest")
    alpha: float = Field(0.1, gt=0, lt=1, description="1 - coverage of forecast intervals, in (0, 1)")

    @model_validator(mode="after")
    def _rules(self) -> Parameters:
        check_train_end(self.train_end, self.model, quarterly_gmv(self.include_secondary_sources))
        return self


def quarterly_gmv(include_secondary: bool = True) -> pd.Series:
    """GMV (RMB bn) by quarter from ``data/kuaishou_quarterly.csv``, read once per version of the file."""
    from trustlab import config
    from trustlab.data.quarterly import QUARTERLY_CSV

    path = config.DATA_DIR / QUARTERLY_CSV
    return _quarterly_gmv(str(path), path.stat().st_mtime_ns, include_secondary).copy()


@lru_cache(maxsize=4)
def _quarterly_gmv(path: str, _version: int, include_secondary: bool) -> pd.Series:
    from trustlab.data import quarterly

    return quarterly.wide(quarterly.load_quarterly(path, include_secondary=include_secondary))["gmv_rmb_bn"]


def check_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Notebook 02's complete parameter set: ``params`` over the defaults, checked by :class:`Parameters`."""
    return Parameters.check(params)


def check_train_end(train_end: str, model: str, gmv: pd.Series) -> None:
    """Refuse a ``train_end`` that ``gmv`` (RMB bn on a quarterly PeriodIndex) cannot train the
    benchmarks on (``model`` may still lack quarters: the run then says it makes no forecast)."""
    observed = gmv.dropna()
    end = pd.Period(train_end, freq="Q")
    first, last = observed.index.min(), observed.index.max()
    if end < first or end > last:
        raise ParameterError(f"parameter 'train_end': {train_end} is outside the GMV data ({first}..{last})")
    if end not in observed.index:
        raise ParameterError(
            f"parameter 'train_end': GMV for {train_end} is not in the data (a gap); choose a quarter with a value"
        )
    span = len(pd.period_range(first, end, freq="Q"))
    need = max(BENCHMARK_MIN_QUARTERS.values())
    if span < need:
        raise ParameterError(
            f"parameter 'train_end': the seasonal benchmarks need at least {need} quarters of GMV up to train_end, "
            f"{train_end} leaves {span} (data start {first}); use train_end >= {first + (need - 1)}"
        )
    n_gaps = span - int(((observed.index >= first) & (observed.index <= end)).sum())
    if n_gaps / span > MAX_INTERPOLATED_SHARE:
        raise ParameterError(
            f"parameter 'train_end': {n_gaps} of the {span} training quarters up to {train_end} are gaps; at most "
            f"{MAX_INTERPOLATED_SHARE:.0%} may be interpolated (try include_secondary_sources: true or a later train_end)"
        )
