"""How the festival season shows up in Kuaishou's quarterly GMV: year-on-year growth, per-user
figures, labelled gap filling, seasonal decomposition, forecasts fitted only on data up to a
training end, their rolling-origin backtest, and quarter-of-year effects.

Series are quarterly (a ``PeriodIndex``) in the units of the series (GMV in RMB bn); growth and
effects are fractions. statsmodels is imported by the functions that fit a model.
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

MODELS = ("ets", "sarimax")
# Benchmarks scored on the same origins as the model (point forecasts only, no intervals), FPP3's
# simple methods: naive (the last value), drift (the average change carried forward), seasonal_naive
# (the same quarter one year earlier, the latest observed or filled one), and seasonal_naive_growth
# (that value times the latest year-on-year growth factor at the origin, once per year ahead).
BENCHMARKS = ("naive", "drift", "seasonal_naive", "seasonal_naive_growth")
METHODS = ("model",) + BENCHMARKS
SEASONAL_PERIOD = 4
# Fewest quarters (training span, gaps interpolated) each model needs. A seasonal model needs at least
# two full seasonal cycles of the series it models (FPP3; fewer leave the seasonal term without data):
# sarimax: SARIMAX(0,1,0)x(1,0,0,4) models first differences, so two cycles of them (8) take 9 quarters;
#   with fewer, the lag-4 term has almost no pairs (with 5 quarters none) and the fit runs to the edge;
# ets: additive error/trend/season ETS has 8 parameters (3 smoothing, level, trend, 3 free seasonal
#   states), so three cycles, 12 quarters, leave 4 degrees of freedom.
MIN_TRAIN_QUARTERS = {"sarimax": 9, "ets": 12}
# Fewest quarters each benchmark needs: the last value (1); two to draw a drift; the same quarter a
# year earlier (4); with the latest year-on-year growth also the quarter a year before the origin (5).
BENCHMARK_MIN_QUARTERS = {"naive": 1, "drift": 2, "seasonal_naive": SEASONAL_PERIOD, "seasonal_naive_growth": SEASONAL_PERIOD + 1}
ETS_MAXITER = 10_000
MAX_INTERPOLATED_SHARE = 0.25
QUARTER_RE = re.compile(r"^\d{4}Q[1-4]$")


def yoy_growth(series: pd.Series) -> pd.Series:
    """Year-on-year growth (fraction) of a quarterly series on a complete PeriodIndex (NaN where a value is missing)."""
    require_quarterly(series)
    return series / series.shift(SEASONAL_PERIOD) - 1.0


def gmv_per_dau(gmv_rmb_bn: pd.Series, dau_m: pd.Series) -> pd.Series:
    """GMV per average DAU in the quarter, RMB per DAU per quarter: GMV (RMB bn) x 1e9 / (DAU (m) x 1e6)."""
    return (gmv_rmb_bn * 1e9) / (dau_m * 1e6)


def require_quarterly(series: pd.Series) -> None:
    """Refuse (TypeError) a series that is not on a quarterly PeriodIndex."""
    if not isinstance(series.index, pd.PeriodIndex) or not series.index.freqstr.startswith("Q"):
        raise TypeError("expected a Series on a quarterly PeriodIndex (see trustlab.data.quarterly.wide)")
    expected = pd.period_range(series.index.min(), series.index.max(), freq="Q")
    if len(series) and not series.index.equals(expected):
        raise ValueError("the quarterly index has missing or repeated quarters; reindex to the full span first")


def interpolate_gaps(series: pd.Series, method: str = "auto") -> pd.DataFrame:
    """Fill interior gaps of a positive quarterly series, labelling every filled cell.

    Methods: ``log-linear`` (geometric mean of the neighbouring quarters' path, ignores seasonality);
    ``seasonal-ratio`` (the same quarter one year later, scaled back by the mean year-on-year ratio of
    the two neighbouring quarters; needs t+4, t-1, t+1, t+3, t+5 observed); ``auto`` uses
    seasonal-ratio where possible, else log-linear. Only values inside ``series`` are used, so a
    series truncated at a training end cannot borrow later data. Leading and trailing gaps are dropped.

    Returns columns ``value`` (series units), ``interpolated`` (bool), ``method`` ("observed" or the method).
    """
    if method not in ("auto", "log-linear", "seasonal-ratio"):
        raise ValueError(f"unknown interpolation method {method!r}; expected auto, log-linear or seasonal-ratio")
    require_quarterly(series)
    observed = series.dropna()
    if observed.empty:
        raise ValueError("the series has no observed values")
    s = series.loc[observed.index.min() : observed.index.max()].astype(float)
    if (s.dropna() <= 0).any():
        raise ValueError("interpolation works on log values and needs positive values")
    loglin = np.exp(np.log(s).interpolate(method="linear"))
    out = pd.DataFrame({"value": s, "interpolated": s.isna(), "method": np.where(s.isna(), "", "observed")})
    for t in s.index[s.isna()]:
        value, used = np.nan, ""
        if method in ("auto", "seasonal-ratio"):
            need = [t + 4, t - 1, t + 1, t + 3, t + 5]
            if all(p in s.index and pd.notna(s[p]) for p in need):
                ratio = np.sqrt((s[t - 1] / s[t + 3]) * (s[t + 1] / s[t + 5]))
                value, used = s[t + 4] * ratio, "seasonal-ratio"
            elif method == "seasonal-ratio":
                raise ValueError(f"{t}: seasonal-ratio interpolation needs {[str(p) for p in need]} observed")
        if used == "":
            value, used = loglin[t], "log-linear"
        out.loc[t, "value"] = value
        out.loc[t, "method"] = used
    return out


@dataclass
class SeasonalDecomposition:
    """Additive decomposition of log GMV (period 4). Components are in log points; ``filled`` is the input with flags."""

    filled: pd.DataFrame
    observed: pd.Series
    trend: pd.Series
    seasonal: pd.Series
    resid: pd.Series

    def seasonal_factors(self) -> pd.Series:
        """Seasonal effect per quarter of the year as a multiplicative factor on GMV (exp of the log component)."""
        by_q = self.seasonal.groupby(self.seasonal.index.quarter).mean()
        by_q.index = [f"Q{q}" for q in by_q.index]
        return np.exp(by_q)


def decompose(series: pd.Series, method: str = "auto") -> SeasonalDecomposition:
    """Moving-average decomposition (statsmodels ``seasonal_decompose``, additive, period 4) of log values.

    Gaps are filled first by :func:`interpolate_gaps` (labelled in ``filled``); needs two full years.
    """
    from statsmodels.tsa.seasonal import seasonal_decompose

    filled = interpolate_gaps(series, method=method)
    if len(filled) < 2 * SEASONAL_PERIOD:
        raise ValueError(f"seasonal decomposition needs at least {2 * SEASONAL_PERIOD} quarters, got {len(filled)}")
    y = np.log(filled["value"].astype(float))
    y.index = y.index.to_timestamp(how="start")
    y = y.asfreq("QS")
    res = seasonal_decompose(y, model="additive", period=SEASONAL_PERIOD)

    def back(x: pd.Series) -> pd.Series:
        return pd.Series(x.to_numpy(), index=filled.index)

    return SeasonalDecomposition(filled, back(res.observed), back(res.trend), back(res.seasonal), back(res.resid))


# ------------------------------------------------------------------------------------------------
# Forecasting
# ------------------------------------------------------------------------------------------------

# Why a fit is not used (``Forecast.status``, the ``status`` column of a method's forecast table).
USABLE = "ok"
TOO_SHORT = "too few quarters"
NOT_CONVERGED = "did not converge"
# A seasonal AR this close to +-1 presses on the edge of the stationary region: the likelihood has no
# interior maximum there, so the fit is treated as not converged.
MAX_ABS_SEASONAL_AR = 0.999
# Nelder-Mead on the (two) free SARIMAX parameters: stops when the simplex is this small (in the
# optimizer's transformed parameters) and the log-likelihood per observation changes less than FTOL.
SARIMAX_XTOL = 1e-10
SARIMAX_FTOL = 1e-12
SARIMAX_MAXITER = 5000


@dataclass
class Forecast:
    """Forecast of a positive quarterly series (units of the series, e.g. RMB bn).

    ``table``: index = forecast quarters, columns ``forecast`` (median, exp of the log-scale mean),
    ``lower`` and ``upper`` (interval at level 1 - alpha). ``train`` holds the training data used, with
    its interpolation flags: nothing after ``train_end`` is in it. ``status`` is :data:`USABLE`, or
    :data:`NOT_CONVERGED` when the optimizer stopped without meeting its criterion (or on the edge of
    the stationary region): such a fit supports no forecast, score or choice.
    """

    model: str
    spec: str
    train_end: pd.Period
    alpha: float
    train: pd.DataFrame
    table: pd.DataFrame
    params: dict[str, float] = field(default_factory=dict)
    status: str = USABLE

    @property
    def converged(self) -> bool:
        return self.status == USABLE


def quarter_period(q: str | pd.Period) -> pd.Period:
    """A quarter written ``YYYYQn`` (or a Period) as a quarterly Period; ValueError naming anything else."""
    if isinstance(q, pd.Period):
        return q.asfreq("Q")
    if not isinstance(q, str) or not QUARTER_RE.match(q):
        raise ValueError(f"expected a quarter written YYYYQn (e.g. 2022Q1), got {q!r}")
    return pd.Period(q, freq="Q")


def training_data(series: pd.Series, train_end: str | pd.Period, interpolation: str = "auto") -> pd.DataFrame:
    """The series cut at ``train_end`` (inclusive) FIRST, then gaps filled and labelled (:func:`interpolate_gaps`)."""
    end = quarter_period(train_end)
    cut = series.loc[:end]
    if cut.empty or end not in cut.index or pd.isna(cut.loc[end]):
        raise ValueError(f"train_end {end}: the series has no observed value in that quarter")
    return interpolate_gaps(cut, method=interpolation)


def min_train_quarters(method: str, model: str) -> int:
    """Fewest training quarters ``method`` ("model" meaning ``model``, or a benchmark) needs."""
    return MIN_TRAIN_QUARTERS[model] if method == "model" else BENCHMARK_MIN_QUARTERS[method]


def fit_forecast(
    series: pd.Series,
    train_end: str | pd.Period,
    model: str,
    horizon: int,
    alpha: float = 0.1,
    interpolation: str = "auto",
) -> Forecast:
    """Fit a seasonal model on log values up to ``train_end`` only and forecast ``horizon`` quarters.

    ``model="sarimax"``: SARIMAX(0,1,0)x(1,0,0,4) with drift (random walk with drift in log GMV and a
    seasonal autoregression of the quarterly change), the drift written as the mean quarterly change
    (a regression on time with integrated errors) rather than as an intercept, which with a seasonal AR
    near 1 is nearly unidentified; the variance is concentrated out and the two free parameters are
    found by Nelder-Mead to tight tolerances. ``model="ets"``: ETS with additive error, trend and
    seasonality (period 4) on log values. Intervals at level 1 - ``alpha``; values back-transformed
    with exp, so ``forecast`` is a median. Needs :data:`MIN_TRAIN_QUARTERS` quarters (ValueError).
    A fit that did not converge has ``status`` :data:`NOT_CONVERGED` and NaN forecasts.
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of {list(MODELS)}")
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")
    train = training_data(series, train_end, interpolation)
    need = MIN_TRAIN_QUARTERS[model]
    if len(train) < need:
        raise ValueError(f"model {model!r} needs at least {need} quarters up to train_end, got {len(train)}")
    y = np.log(train["value"].to_numpy(dtype=float))
    end = quarter_period(train_end)
    index = pd.period_range(end + 1, periods=horizon, freq="Q", name="quarter")
    res, converged = _fitted(model, y.tobytes())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model == "sarimax":
            future_time = np.arange(len(y), len(y) + horizon, dtype=float)
            frame = res.get_forecast(horizon, exog=future_time).summary_frame(alpha=alpha)
            mean, lo, hi = frame["mean"], frame["mean_ci_lower"], frame["mean_ci_upper"]
            spec = "SARIMAX(0,1,0)x(1,0,0,4) with drift on log GMV"
            params = {"drift": float(res.params[0]), "ar.S.L4": float(res.params[1]), "sigma2": float(res.scale)}
            converged = converged and abs(params["ar.S.L4"]) < MAX_ABS_SEASONAL_AR
        else:
            frame = res.get_prediction(start=len(y), end=len(y) + horizon - 1).summary_frame(alpha=alpha)
            mean, lo, hi = frame["mean"], frame["pi_lower"], frame["pi_upper"]
            spec = "ETS(A,A,A), period 4, on log GMV"
            params = {str(k): float(v) for k, v in zip(res.model.param_names, np.asarray(res.params), strict=False)}
    table = pd.DataFrame(
        {"forecast": np.exp(np.asarray(mean)), "lower": np.exp(np.asarray(lo)), "upper": np.exp(np.asarray(hi))},
        index=index,
    )
    if not converged:
        table[:] = np.nan
    return Forecast(model, spec, end, alpha, train, table, params, USABLE if converged else NOT_CONVERGED)


@functools.lru_cache(maxsize=256)
def _fitted(model: str, log_values: bytes) -> tuple[Any, bool]:
    """The fitted statsmodels results of ``model`` on these log values (float64 bytes), and whether
    its optimizer met its convergence criterion.

    A fit depends on its training values alone, so the same training data is fitted once: the
    headline fit and the backtest's first origin are the same fit, and a sweep or a series of runs
    over parameters that leave the data alone (growth, order value, alpha, horizons) refits nothing.
    """
    y = np.frombuffer(log_values, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model == "sarimax":
            from statsmodels.tsa.statespace.sarimax import SARIMAX

            time = np.arange(len(y), dtype=float)
            sarimax = SARIMAX(y, exog=time, order=(0, 1, 0), seasonal_order=(1, 0, 0, SEASONAL_PERIOD), concentrate_scale=True)
            res = sarimax.fit(
                disp=False, method="nm", maxiter=SARIMAX_MAXITER, xtol=SARIMAX_XTOL, ftol=SARIMAX_FTOL, cov_type="none"
            )
        else:
            from statsmodels.tsa.exponential_smoothing.ets import ETSModel

            ets = ETSModel(pd.Series(y), error="add", trend="add", seasonal="add", seasonal_periods=SEASONAL_PERIOD)
            res = ets.fit(disp=False, maxiter=ETS_MAXITER)
    return res, bool((getattr(res, "mle_retvals", None) or {}).get("converged", True))


def benchmark_forecast(
    series: pd.Series,
    train_end: str | pd.Period,
    method: str,
    horizon: int,
    interpolation: str = "auto",
) -> pd.Series:
    """Point forecast of a benchmark from the same training data as :func:`fit_forecast` (cut, then gaps filled).

    With y(T) the value at the origin T (Hyndman & Athanasopoulos, FPP3, "Some simple forecasting
    methods"): ``naive``: y(T+h) = y(T). ``drift``: y(T) + h (y(T) - y(1)) / (T - 1), the average change
    over the training span carried forward. ``seasonal_naive``: y(T+h) = y(T+h-4k) with k = ceil(h/4),
    the latest value of the same quarter. ``seasonal_naive_growth``: that value times g**k, g = y(T) /
    y(T-4) the latest year-on-year growth factor at the origin. Returns a Series (units of the series)
    on the forecast quarters; benchmarks have no intervals. Needs :data:`BENCHMARK_MIN_QUARTERS` (ValueError).
    """
    if method not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {method!r}; expected one of {list(BENCHMARKS)}")
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")
    train = training_data(series, train_end, interpolation)["value"].astype(float)
    end = quarter_period(train_end)
    need = BENCHMARK_MIN_QUARTERS[method]
    if len(train) < need:
        raise ValueError(f"benchmark {method!r} needs at least {need} quarters up to train_end, got {len(train)}")
    index = pd.period_range(end + 1, periods=horizon, freq="Q", name="quarter")
    last = float(train[end])
    if method == "naive":
        values = [last] * horizon
    elif method == "drift":
        slope = (last - float(train.iloc[0])) / (len(train) - 1)
        values = [last + h * slope for h in range(1, horizon + 1)]
    else:
        growth = train[end] / train[end - SEASONAL_PERIOD] if method == "seasonal_naive_growth" else 1.0
        values = []
        for h, target in enumerate(index, start=1):
            k = -(-h // SEASONAL_PERIOD)
            values.append(float(train[target - SEASONAL_PERIOD * k] * growth**k))
    return pd.Series(values, index=index, name="forecast")


def method_forecast(
    series: pd.Series,
    train_end: str | pd.Period,
    method: str,
    model: str,
    horizon: int,
    alpha: float = 0.1,
    interpolation: str = "auto",
) -> pd.DataFrame:
    """Forecast table (``forecast``, ``lower``, ``upper``, ``status``) of ``method``: "model" (``model``
    by :func:`fit_forecast`) or a benchmark (:func:`benchmark_forecast`: no interval). A method that
    cannot be used at this origin has NaN forecasts and says why in ``status``: :data:`TOO_SHORT`
    (fewer training quarters than it needs) or :data:`NOT_CONVERGED`; otherwise :data:`USABLE`."""
    end = quarter_period(train_end)
    index = pd.period_range(end + 1, periods=horizon, freq="Q", name="quarter")
    if len(training_data(series, end, interpolation)) < min_train_quarters(method, model):
        return pd.DataFrame({"forecast": np.nan, "lower": np.nan, "upper": np.nan, "status": TOO_SHORT}, index=index)
    if method == "model":
        fc = fit_forecast(series, end, model, horizon, alpha, interpolation)
        return fc.table.assign(status=fc.status)
    point = benchmark_forecast(series, end, method, horizon, interpolation)
    return pd.DataFrame({"forecast": point, "lower": np.nan, "upper": np.nan, "status": USABLE})


def seasonal_scale(train: pd.Series) -> float:
    """The MASE scale of a seasonal series (FPP3): the mean absolute change from the same quarter a
    year earlier over the training values (units of the series); NaN with fewer than 5 values."""
    values = np.asarray(train, dtype=float)
    if len(values) <= SEASONAL_PERIOD:
        return float("nan")
    return float(np.mean(np.abs(values[SEASONAL_PERIOD:] - values[:-SEASONAL_PERIOD])))
