"""How the festival season shows up in Kuaishou's quarterly GMV: year-on-year growth, per-user
figures, labelled gap filling, seasonal decomposition, forecasts fitted only on data up to a
training end, their rolling-origin backtest, and quarter-of-year effects.

Series are quarterly (a ``PeriodIndex``) in the units of the series (GMV in RMB bn); growth and
effects are fractions. statsmodels is imported by the functions that fit a model.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MODELS = ("ets", "sarimax")
SEASONAL_PERIOD = 4
# Fewest quarters (training span, gaps interpolated) each model needs:
# sarimax: SARIMAX(0,1,0)x(1,0,0,4) with drift has 3 parameters (drift, seasonal AR, variance), which
#   needs at least 4 first differences, i.e. 5 quarters;
# ets: additive error/trend/season ETS has 3 smoothing parameters and 1 + 1 + 3 initial states (8
#   parameters), so at least 10 quarters leave any degrees of freedom.
MIN_TRAIN_QUARTERS = {"sarimax": 5, "ets": 10}
MAX_INTERPOLATED_SHARE = 0.25
QUARTER_RE = re.compile(r"^\d{4}Q[1-4]$")


def yoy_growth(series: pd.Series) -> pd.Series:
    """Year-on-year growth (fraction) of a quarterly series on a complete PeriodIndex (NaN where a value is missing)."""
    _require_quarterly(series)
    return series / series.shift(SEASONAL_PERIOD) - 1.0


def gmv_per_dau(gmv_rmb_bn: pd.Series, dau_m: pd.Series) -> pd.Series:
    """GMV per average DAU in the quarter, RMB per DAU per quarter: GMV (RMB bn) x 1e9 / (DAU (m) x 1e6)."""
    return (gmv_rmb_bn * 1e9) / (dau_m * 1e6)


def _require_quarterly(series: pd.Series) -> None:
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
    _require_quarterly(series)
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
# Forecasting and backtest
# ------------------------------------------------------------------------------------------------


@dataclass
class Forecast:
    """Forecast of a positive quarterly series (units of the series, e.g. RMB bn).

    ``table``: index = forecast quarters, columns ``forecast`` (median, exp of the log-scale mean),
    ``lower`` and ``upper`` (interval at level 1 - alpha). ``train`` holds the training data used, with
    its interpolation flags: nothing after ``train_end`` is in it.
    """

    model: str
    spec: str
    train_end: pd.Period
    alpha: float
    train: pd.DataFrame
    table: pd.DataFrame
    params: dict[str, float] = field(default_factory=dict)


def _period(q: str | pd.Period) -> pd.Period:
    if isinstance(q, pd.Period):
        return q.asfreq("Q")
    if not isinstance(q, str) or not QUARTER_RE.match(q):
        raise ValueError(f"expected a quarter written YYYYQn (e.g. 2022Q1), got {q!r}")
    return pd.Period(q, freq="Q")


def training_data(series: pd.Series, train_end: str | pd.Period, interpolation: str = "auto") -> pd.DataFrame:
    """The series cut at ``train_end`` (inclusive) FIRST, then gaps filled and labelled (:func:`interpolate_gaps`)."""
    end = _period(train_end)
    cut = series.loc[: end]
    if cut.empty or end not in cut.index or pd.isna(cut.loc[end]):
        raise ValueError(f"train_end {end}: the series has no observed value in that quarter")
    return interpolate_gaps(cut, method=interpolation)


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
    seasonal autoregression of the quarterly change). ``model="ets"``: ETS with additive error, trend
    and seasonality (period 4) on log values. Intervals at level 1 - ``alpha``; values back-transformed
    with exp, so ``forecast`` is a median.
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
    end = _period(train_end)
    index = pd.period_range(end + 1, periods=horizon, freq="Q", name="quarter")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model == "sarimax":
            from statsmodels.tsa.statespace.sarimax import SARIMAX

            res = SARIMAX(y, order=(0, 1, 0), seasonal_order=(1, 0, 0, SEASONAL_PERIOD), trend="c").fit(disp=False)
            frame = res.get_forecast(horizon).summary_frame(alpha=alpha)
            mean, lo, hi = frame["mean"], frame["mean_ci_lower"], frame["mean_ci_upper"]
            spec = "SARIMAX(0,1,0)x(1,0,0,4) with drift on log GMV"
        else:
            from statsmodels.tsa.exponential_smoothing.ets import ETSModel

            res = ETSModel(pd.Series(y), error="add", trend="add", seasonal="add", seasonal_periods=SEASONAL_PERIOD).fit(disp=False)
            frame = res.get_prediction(start=len(y), end=len(y) + horizon - 1).summary_frame(alpha=alpha)
            mean, lo, hi = frame["mean"], frame["pi_lower"], frame["pi_upper"]
            spec = "ETS(A,A,A), period 4, on log GMV"
    table = pd.DataFrame(
        {"forecast": np.exp(np.asarray(mean)), "lower": np.exp(np.asarray(lo)), "upper": np.exp(np.asarray(hi))},
        index=index,
    )
    params = {str(k): float(v) for k, v in zip(res.model.param_names, np.asarray(res.params), strict=False)}
    return Forecast(model, spec, end, alpha, train, table, params)


@dataclass
class Backtest:
    """Rolling-origin evaluation: ``forecasts`` one row per (origin, target); ``errors`` one row per horizon."""

    forecasts: pd.DataFrame
    errors: pd.DataFrame

    @property
    def mape(self) -> float:
        """Mean absolute percentage error over all scored forecasts (fraction)."""
        return float(self.forecasts["ape"].mean())

    @property
    def coverage(self) -> float:
        """Share of scored actuals inside their interval, in [0, 1]."""
        return float(self.forecasts["covered"].mean())


def backtest(
    series: pd.Series,
    train_end: str | pd.Period,
    model: str,
    horizon: int,
    alpha: float = 0.1,
    interpolation: str = "auto",
) -> Backtest:
    """Rolling-origin backtest: refit at every origin from ``train_end`` to the last quarter but one.

    Each fit sees data up to its origin only (:func:`fit_forecast`); forecasts for 1..``horizon``
    quarters ahead are compared with observed values (quarters without an observed value are not
    scored). ``errors``: per horizon the number scored ``n``, ``mape`` (fraction) and ``coverage``
    (share of actuals inside the interval).
    """
    first = _period(train_end)
    observed = series.dropna()
    last = observed.index.max()
    rows = []
    for origin in pd.period_range(first, last - 1, freq="Q"):
        if origin not in observed.index:
            continue
        fc = fit_forecast(series, origin, model, horizon, alpha, interpolation)
        for h, (target, r) in enumerate(fc.table.iterrows(), start=1):
            actual = series.get(target, np.nan)
            if pd.isna(actual):
                continue
            rows.append(
                {
                    "origin": origin,
                    "target": target,
                    "horizon": h,
                    "forecast": r["forecast"],
                    "lower": r["lower"],
                    "upper": r["upper"],
                    "actual": float(actual),
                    "ape": abs(r["forecast"] - actual) / actual,
                    "covered": bool(r["lower"] <= actual <= r["upper"]),
                }
            )
    forecasts = pd.DataFrame(rows, columns=["origin", "target", "horizon", "forecast", "lower", "upper", "actual", "ape", "covered"])
    if forecasts.empty:
        raise ValueError(f"no quarter after {first} has an observed value to score")
    errors = (
        forecasts.groupby("horizon")
        .agg(n=("ape", "size"), mape=("ape", "mean"), coverage=("covered", "mean"))
        .reset_index()
    )
    return Backtest(forecasts, errors)


# ------------------------------------------------------------------------------------------------
# Festival-quarter effects
# ------------------------------------------------------------------------------------------------


def quarter_effects(series: pd.Series, reference_quarter: int = 3, alpha: float = 0.05) -> pd.DataFrame:
    """Seasonal effects on GMV by OLS: log(value) ~ linear trend + quarter-of-year dummies (HC3 errors).

    Only observed quarters are used (no interpolation). Effects are relative to ``reference_quarter``
    after the trend, as fractions: exp(coef) - 1, with a (1 - alpha) confidence interval. Q2 holds the
    616 festival, Q4 Double 11 / 116. Returns one row per non-reference quarter: ``quarter``,
    ``effect``, ``lower``, ``upper``, ``p_value``, ``n``.
    """
    import statsmodels.formula.api as smf

    _require_quarterly(series)
    obs = series.dropna()
    data = pd.DataFrame(
        {
            "log_value": np.log(obs.to_numpy(dtype=float)),
            "t": [(p - obs.index.min()).n for p in obs.index],
            "q": obs.index.quarter,
        }
    )
    if data["q"].nunique() < 4 or len(data) < 8:
        raise ValueError(f"quarter effects need every quarter of the year and at least 8 observations, got {len(data)}")
    fit = smf.ols(f"log_value ~ t + C(q, Treatment(reference={reference_quarter}))", data=data).fit(cov_type="HC3")
    ci = fit.conf_int(alpha=alpha)
    rows = []
    for name in fit.params.index:
        m = re.search(r"\[T\.(\d)\]", name)
        if not m:
            continue
        rows.append(
            {
                "quarter": f"Q{m.group(1)}",
                "effect": float(np.exp(fit.params[name]) - 1),
                "lower": float(np.exp(ci.loc[name, 0]) - 1),
                "upper": float(np.exp(ci.loc[name, 1]) - 1),
                "p_value": float(fit.pvalues[name]),
                "n": int(fit.nobs),
            }
        )
    trend = {"quarter": "trend (per quarter)", "effect": float(np.exp(fit.params["t"]) - 1),
             "lower": float(np.exp(ci.loc["t", 0]) - 1), "upper": float(np.exp(ci.loc["t", 1]) - 1),
             "p_value": float(fit.pvalues["t"]), "n": int(fit.nobs)}
    return pd.DataFrame(rows + [trend])
