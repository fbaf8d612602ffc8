"""Rules across the parameters of notebook ``02_promotion_growth``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from trustlab.promotion.forecast import MAX_INTERPOLATED_SHARE, MIN_TRAIN_QUARTERS, MODELS, QUARTER_RE
from trustlab.promotion.growth import FESTIVAL_ENDS


def check_params(params: Mapping[str, Any], gmv: pd.Series | None = None) -> None:
    """Cross-parameter rules of notebook 02; raises :class:`ParameterError` naming the parameter.

    ``gmv`` (RMB bn on a quarterly PeriodIndex) defaults to the GMV column of
    ``data/kuaishou_quarterly.csv`` with or without secondary sources, as ``include_secondary_sources`` says.
    """
    from trustlab.errors import ParameterError

    model = params.get("model", "sarimax")
    if model not in MODELS:
        raise ParameterError(f"parameter 'model': expected one of {list(MODELS)}, got {model!r}")
    mm = params.get("merchant_multiple", 8.0)
    if not isinstance(mm, (int, float)) or isinstance(mm, bool) or not mm > 0:
        raise ParameterError(f"parameter 'merchant_multiple': expected a number > 0, got {mm!r}")
    g = params.get("gmv_growth", 5.15)
    if not isinstance(g, (int, float)) or isinstance(g, bool) or not g > -1:
        raise ParameterError(f"parameter 'gmv_growth': expected a fraction > -1 (5.15 = +515 %), got {g!r}")
    aov = params.get("average_order_value_rmb", 70.0)
    if not isinstance(aov, (int, float)) or isinstance(aov, bool) or not aov > 0:
        raise ParameterError(f"parameter 'average_order_value_rmb': expected RMB > 0, got {aov!r}")
    fe = params.get("festival_end", FESTIVAL_ENDS[0])
    if fe not in FESTIVAL_ENDS:
        raise ParameterError(
            f"parameter 'festival_end': expected one of {list(FESTIVAL_ENDS)} (the two end dates the article gives), got {fe!r}"
        )
    fq = params.get("forecast_quarters", 4)
    if not isinstance(fq, int) or isinstance(fq, bool) or fq < 1:
        raise ParameterError(f"parameter 'forecast_quarters': expected an integer >= 1, got {fq!r}")
    te = params.get("train_end", "2022Q1")
    if not isinstance(te, str) or not QUARTER_RE.match(te):
        raise ParameterError(f"parameter 'train_end': expected a quarter written YYYYQn (e.g. 2022Q1), got {te!r}")
    if gmv is None:
        from trustlab.data import quarterly

        frame = quarterly.load_quarterly(include_secondary=bool(params.get("include_secondary_sources", True)))
        gmv = quarterly.wide(frame)["gmv_rmb_bn"]
    observed = gmv.dropna()
    end = pd.Period(te, freq="Q")
    first, last = observed.index.min(), observed.index.max()
    if end < first or end > last:
        raise ParameterError(f"parameter 'train_end': {te} is outside the GMV data ({first}..{last})")
    if end not in observed.index:
        raise ParameterError(f"parameter 'train_end': GMV for {te} is not in the data (a gap); choose a quarter with a value")
    span = len(pd.period_range(first, end, freq="Q"))
    need = MIN_TRAIN_QUARTERS[model]
    if span < need:
        earliest = first + (need - 1)
        raise ParameterError(
            f"parameter 'train_end': model {model!r} needs at least {need} quarters of GMV up to train_end, "
            f"{te} leaves {span} (data start {first}); use train_end >= {earliest} or model 'sarimax' "
            f"(needs {MIN_TRAIN_QUARTERS['sarimax']})"
        )
    n_gaps = span - int(((observed.index >= first) & (observed.index <= end)).sum())
    if n_gaps / span > MAX_INTERPOLATED_SHARE:
        raise ParameterError(
            f"parameter 'train_end': {n_gaps} of the {span} training quarters up to {te} are gaps; at most "
            f"{MAX_INTERPOLATED_SHARE:.0%} may be interpolated (try include_secondary_sources: true or a later train_end)"
        )
    bh = params.get("backtest_horizon", 4)
    if not isinstance(bh, int) or isinstance(bh, bool) or bh < 1:
        raise ParameterError(f"parameter 'backtest_horizon': expected an integer >= 1, got {bh!r}")
