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
# Benchmarks scored on the same origins as the model (point forecasts only, no intervals):
# seasonal_naive: the same quarter one year earlier (the latest observed or filled one);
# seasonal_naive_growth: that value times the latest year-on-year growth factor at the origin, once per year ahead.
BENCHMARKS = ("seasonal_naive", "seasonal_naive_growth")
METHODS = ("model",) + BENCHMARKS
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
    converged: bool = True  # the optimizer met its convergence criterion (statsmodels' mle_retvals)


def _period(q: str | pd.Period) -> pd.Period:
    if isinstance(q, pd.Period):
        return q.asfreq("Q")
    if not isinstance(q, str) or not QUARTER_RE.match(q):
        raise ValueError(f"expected a quarter written YYYYQn (e.g. 2022Q1), got {q!r}")
    return pd.Period(q, freq="Q")


def training_data(series: pd.Series, train_end: str | pd.Period, interpolation: str = "auto") -> pd.DataFrame:
    """The series cut at ``train_end`` (inclusive) FIRST, then gaps filled and labelled (:func:`interpolate_gaps`)."""
    end = _period(train_end)
    cut = series.loc[:end]
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
    res = _fitted(model, y.tobytes())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model == "sarimax":
            frame = res.get_forecast(horizon).summary_frame(alpha=alpha)
            mean, lo, hi = frame["mean"], frame["mean_ci_lower"], frame["mean_ci_upper"]
            spec = "SARIMAX(0,1,0)x(1,0,0,4) with drift on log GMV"
        else:
            frame = res.get_prediction(start=len(y), end=len(y) + horizon - 1).summary_frame(alpha=alpha)
            mean, lo, hi = frame["mean"], frame["pi_lower"], frame["pi_upper"]
            spec = "ETS(A,A,A), period 4, on log GMV"
    table = pd.DataFrame(
        {"forecast": np.exp(np.asarray(mean)), "lower": np.exp(np.asarray(lo)), "upper": np.exp(np.asarray(hi))},
        index=index,
    )
    params = {str(k): float(v) for k, v in zip(res.model.param_names, np.asarray(res.params), strict=False)}
    converged = bool((getattr(res, "mle_retvals", None) or {}).get("converged", True))
    return Forecast(model, spec, end, alpha, train, table, params, converged)


@functools.lru_cache(maxsize=256)
def _fitted(model: str, log_values: bytes) -> Any:
    """The fitted statsmodels results of ``model`` on these log values (float64 bytes).

    A fit depends on its training values alone, so the same training data is fitted once: the
    headline fit and the backtest's first origin are the same fit, and a sweep or a series of runs
    over parameters that leave the data alone (growth, order value, alpha, horizons) refits nothing.
    """
    y = np.frombuffer(log_values, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model == "sarimax":
            from statsmodels.tsa.statespace.sarimax import SARIMAX

            return SARIMAX(y, order=(0, 1, 0), seasonal_order=(1, 0, 0, SEASONAL_PERIOD), trend="c").fit(disp=False)
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        return ETSModel(pd.Series(y), error="add", trend="add", seasonal="add", seasonal_periods=SEASONAL_PERIOD).fit(disp=False)


def benchmark_forecast(
    series: pd.Series,
    train_end: str | pd.Period,
    method: str,
    horizon: int,
    interpolation: str = "auto",
) -> pd.Series:
    """Point forecast of a benchmark from the same training data as :func:`fit_forecast` (cut, then gaps filled).

    ``seasonal_naive``: y(T+h) = y(T+h-4k) with k = ceil(h/4), the latest value of the same quarter
    up to the origin T. ``seasonal_naive_growth``: that value times g**k, g = y(T) / y(T-4) the
    latest year-on-year growth factor at the origin. Returns a Series (units of the series) on the
    forecast quarters; benchmarks have no intervals.
    """
    if method not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {method!r}; expected one of {list(BENCHMARKS)}")
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")
    train = training_data(series, train_end, interpolation)["value"].astype(float)
    end = _period(train_end)
    if len(train) < SEASONAL_PERIOD + (1 if method == "seasonal_naive_growth" else 0):
        need = SEASONAL_PERIOD + (1 if method == "seasonal_naive_growth" else 0)
        raise ValueError(f"benchmark {method!r} needs at least {need} quarters up to train_end, got {len(train)}")
    growth = train[end] / train[end - SEASONAL_PERIOD] if method == "seasonal_naive_growth" else 1.0
    index = pd.period_range(end + 1, periods=horizon, freq="Q", name="quarter")
    values = []
    for h, target in enumerate(index, start=1):
        k = -(-h // SEASONAL_PERIOD)
        values.append(train[target - SEASONAL_PERIOD * k] * growth**k)
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
    """Forecast table (``forecast``, ``lower``, ``upper``, ``converged``) of ``method``: "model"
    (``model`` by :func:`fit_forecast`; ``converged`` says whether its fit converged) or a
    benchmark (:func:`benchmark_forecast`: ``lower``/``upper`` NaN, nothing fitted, ``converged`` True)."""
    if method == "model":
        fc = fit_forecast(series, train_end, model, horizon, alpha, interpolation)
        return fc.table.assign(converged=fc.converged)
    point = benchmark_forecast(series, train_end, method, horizon, interpolation)
    return pd.DataFrame({"forecast": point, "lower": np.nan, "upper": np.nan, "converged": True})


@dataclass
class Backtest:
    """Rolling-origin evaluation: ``forecasts`` one row per (origin, target); ``errors`` one row per horizon.

    ``covered`` is NaN for a method without intervals (the benchmarks), so its coverage is NaN;
    ``converged`` is False where the origin's fit did not converge (never for a benchmark).
    """

    forecasts: pd.DataFrame
    errors: pd.DataFrame

    @property
    def mape(self) -> float:
        """Mean absolute percentage error over all scored forecasts (fraction)."""
        return float(self.forecasts["ape"].mean())

    @property
    def coverage(self) -> float:
        """Share of scored actuals inside their interval, in [0, 1]; NaN for a method without intervals."""
        covered = self.forecasts["covered"].dropna()
        return float(covered.astype(float).mean()) if len(covered) else float("nan")

    @property
    def origins_not_converged(self) -> list[str]:
        """The scored origins whose fit did not converge, in order (empty for a benchmark)."""
        rows = self.forecasts[~self.forecasts["converged"].astype(bool)]
        return [str(o) for o in sorted(set(rows["origin"]))]

    @property
    def n_origins(self) -> int:
        """Scored origins."""
        return int(self.forecasts["origin"].nunique())


def backtest(
    series: pd.Series,
    train_end: str | pd.Period,
    model: str,
    horizon: int,
    alpha: float = 0.1,
    interpolation: str = "auto",
    method: str = "model",
) -> Backtest:
    """Rolling-origin backtest: refit at every origin from ``train_end`` to the last quarter but one.

    Each fit sees data up to its origin only (:func:`fit_forecast`, or :func:`benchmark_forecast`
    when ``method`` is a benchmark); forecasts for 1..``horizon`` quarters ahead are compared with
    observed values (quarters without an observed value are not scored). Every method uses the same
    origins (the observed quarters from ``train_end`` on). ``errors``: per horizon the number scored
    ``n``, ``mape`` (fraction) and ``coverage`` (share of actuals inside the interval; NaN without intervals).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {list(METHODS)}")
    first = _period(train_end)
    observed = series.dropna()
    last = observed.index.max()
    rows = []
    for origin in pd.period_range(first, last - 1, freq="Q"):
        if origin not in observed.index:
            continue
        table = method_forecast(series, origin, method, model, horizon, alpha, interpolation)
        for h, (target, r) in enumerate(table.iterrows(), start=1):
            actual = series.get(target, np.nan)
            if pd.isna(actual):
                continue
            has_interval = pd.notna(r["lower"])
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
                    "covered": bool(r["lower"] <= actual <= r["upper"]) if has_interval else np.nan,
                    "converged": bool(r["converged"]),
                }
            )
    forecasts = pd.DataFrame(
        rows, columns=["origin", "target", "horizon", "forecast", "lower", "upper", "actual", "ape", "covered", "converged"]
    )
    if forecasts.empty:
        raise ValueError(f"no quarter after {first} has an observed value to score")
    errors = (
        forecasts.assign(covered=forecasts["covered"].astype(float))
        .groupby("horizon")
        .agg(n=("ape", "size"), mape=("ape", "mean"), coverage=("covered", "mean"))
        .reset_index()
    )
    return Backtest(forecasts, errors)


def skill(mape_model: float, mape_benchmarks: dict[str, float]) -> tuple[float, str]:
    """Skill of the model against the best benchmark, 1 - MAPE_model / MAPE_best, and the best benchmark's name.

    Positive: the model's errors are smaller than the best benchmark's; 0 or below: no skill.
    NaN when the best benchmark is perfect (MAPE 0) or nothing is scored.
    """
    scored = {k: v for k, v in mape_benchmarks.items() if v is not None and np.isfinite(v)}
    if not scored or mape_model is None or not np.isfinite(mape_model):
        return float("nan"), ""
    best = min(scored, key=lambda name: scored[name])
    if scored[best] == 0:
        return float("nan"), best
    return 1.0 - mape_model / scored[best], best


# ------------------------------------------------------------------------------------------------
# Festival-quarter effects
# ------------------------------------------------------------------------------------------------


TRENDS = {
    # name: (formula terms, what it says about growth)
    "linear": ("t", "constant growth per quarter"),
    "quadratic": ("t + I(t ** 2)", "growth changing linearly over time"),
    "log-time": ("np.log1p(t)", "growth slowing as 1 / (1 + t)"),
}
TREND_CRITERION = "BIC"


def hac_lags(n: int) -> int:
    """Newey-West lag truncation floor(4 (n / 100) ** (2 / 9)), at least 1."""
    return max(1, int(np.floor(4 * (n / 100) ** (2 / 9))))


def _effects_data(series: pd.Series) -> pd.DataFrame:
    _require_quarterly(series)
    obs = series.dropna()
    if (obs <= 0).any():
        raise ValueError("quarter effects work on log values and need positive values")
    data = pd.DataFrame(
        {
            "log_value": np.log(obs.to_numpy(dtype=float)),
            "t": [(p - obs.index.min()).n for p in obs.index],
            "q": obs.index.quarter,
        }
    )
    if data["q"].nunique() < 4 or len(data) < 8:
        raise ValueError(f"quarter effects need every quarter of the year and at least 8 observations, got {len(data)}")
    return data


def _fit_effects(data: pd.DataFrame, trend: str, reference_quarter: int, lags: int):
    import statsmodels.formula.api as smf

    if trend not in TRENDS:
        raise ValueError(f"unknown trend {trend!r}; expected one of {list(TRENDS)}")
    if reference_quarter not in (1, 2, 3, 4):
        raise ValueError(f"reference_quarter must be 1..4, got {reference_quarter!r}")
    formula = f"log_value ~ {TRENDS[trend][0]} + C(q, Treatment(reference={reference_quarter}))"
    model = smf.ols(formula, data=data)
    # HAC (Newey-West) covariance; use_t: t critical values and p-values with df = n - k.
    return model.fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True)


def quarter_effects(
    series: pd.Series,
    reference_quarter: int = 3,
    alpha: float = 0.05,
    trend: str = "linear",
    lags: int | None = None,
) -> pd.DataFrame:
    """Seasonal effects on GMV by OLS: log(value) ~ trend + quarter-of-year dummies.

    ``trend``: one of :data:`TRENDS` (linear, quadratic, log-time in t = quarters since the first
    observation). Standard errors are HAC (Newey-West, ``lags`` default :func:`hac_lags`), intervals
    and p-values use the t distribution with n - k degrees of freedom. Only observed quarters are
    used (no interpolation). Effects are relative to ``reference_quarter`` after the trend, as
    fractions: exp(coef) - 1, with a (1 - alpha) confidence interval. Q2 holds the 616 festival, Q4
    Double 11 / 116. Returns one row per non-reference quarter: ``quarter``, ``effect``, ``lower``,
    ``upper``, ``p_value``, ``n``, ``df``; for a linear trend also a row "trend (per quarter)".
    """
    data = _effects_data(series)
    fit = _fit_effects(data, trend, reference_quarter, hac_lags(len(data)) if lags is None else lags)
    ci = fit.conf_int(alpha=alpha)
    rows = []
    names = [n for n in fit.params.index if re.search(r"\[T\.(\d)\]", n)]
    if trend == "linear":
        names.append("t")
    for name in names:
        m = re.search(r"\[T\.(\d)\]", name)
        rows.append(
            {
                "quarter": f"Q{m.group(1)}" if m else "trend (per quarter)",
                "effect": float(np.exp(fit.params[name]) - 1),
                "lower": float(np.exp(ci.loc[name, 0]) - 1),
                "upper": float(np.exp(ci.loc[name, 1]) - 1),
                "p_value": float(fit.pvalues[name]),
                "n": int(fit.nobs),
                "df": int(fit.df_resid),
            }
        )
    return pd.DataFrame(rows)


@dataclass
class EffectSpecifications:
    """Quarter effects under every trend of :data:`TRENDS`.

    ``table``: one row per trend with ``trend``, ``growth`` (what it assumes), ``aic``, ``bic``,
    ``durbin_watson``, ``n``, ``df``, ``lags`` and for Q2 and Q4 ``q2_effect``, ``q2_lower``,
    ``q2_upper``, ``q2_p``, ``q4_effect`` ... (fractions). ``chosen``: the trend with the lowest
    ``criterion`` (BIC). ``effects``: :func:`quarter_effects` of the chosen trend.
    """

    table: pd.DataFrame
    chosen: str
    criterion: str
    effects: pd.DataFrame

    def effect(self, quarter: str) -> dict[str, float]:
        """Effect of ``quarter`` ("Q2") under the chosen trend: effect, lower, upper, p_value (fractions)."""
        row = self.effects.set_index("quarter").loc[quarter]
        return {k: float(row[k]) for k in ("effect", "lower", "upper", "p_value")}


def effect_specifications(
    series: pd.Series, reference_quarter: int = 3, alpha: float = 0.05, lags: int | None = None
) -> EffectSpecifications:
    """Fit :func:`quarter_effects` under every trend, choose the trend by BIC (lowest), and tabulate
    how the Q2 and Q4 effects move across the specifications. Durbin-Watson is computed on the OLS
    residuals in time order (a gap quarter is skipped, not filled)."""
    from statsmodels.stats.stattools import durbin_watson

    data = _effects_data(series)
    lags = hac_lags(len(data)) if lags is None else lags
    rows = []
    for trend, (_, growth) in TRENDS.items():
        fit = _fit_effects(data, trend, reference_quarter, lags)
        eff = quarter_effects(series, reference_quarter, alpha, trend, lags).set_index("quarter")
        row = {
            "trend": trend,
            "growth": growth,
            "aic": float(fit.aic),
            "bic": float(fit.bic),
            "durbin_watson": float(durbin_watson(fit.resid)),
            "n": int(fit.nobs),
            "df": int(fit.df_resid),
            "lags": lags,
        }
        for q in ("Q2", "Q4"):
            if q in eff.index:
                for col, key in (("effect", "effect"), ("lower", "lower"), ("upper", "upper"), ("p_value", "p")):
                    row[f"{q.lower()}_{key}"] = float(eff.loc[q, col])
        rows.append(row)
    table = pd.DataFrame(rows)
    chosen = str(table.loc[table[TREND_CRITERION.lower()].idxmin(), "trend"])
    return EffectSpecifications(table, chosen, TREND_CRITERION, quarter_effects(series, reference_quarter, alpha, chosen, lags))
