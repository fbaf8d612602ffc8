"""Quarter-of-year (festival-quarter) effects on Kuaishou's quarterly GMV: OLS of log GMV on a trend
and quarter dummies with HAC (Newey-West) errors, under each trend of :data:`TRENDS`, the trend chosen
by BIC.

Series are quarterly (a ``PeriodIndex``); effects are fractions. statsmodels is imported by the
functions that fit a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trustlab.promotion.forecast import require_quarterly

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
    require_quarterly(series)
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


QUARTERS = (1, 2, 3, 4)
# Moving-block bootstrap of the OLS residuals that checks the HAC verdicts (see bootstrap_contrasts).
BOOTSTRAP_REPLICATIONS = 1999
BOOTSTRAP_SEED = 20220616


def _contrast_vector(names: list[str], quarter: int, against: int) -> np.ndarray:
    """Coefficient weights of log effect(quarter) - log effect(against) in a fit with reference Q1."""
    c = np.zeros(len(names))
    for q, sign in ((quarter, 1.0), (against, -1.0)):
        if q != 1:
            c[names.index(f"C(q, Treatment(reference=1))[T.{q}]")] += sign
    return c


def _pairs() -> list[tuple[int, int]]:
    return [(q, a) for q in QUARTERS for a in QUARTERS if a != q]


def _contrasts_of_fit(fit, alpha: float) -> pd.DataFrame:
    from scipy import stats

    names = list(fit.params.index)
    beta, cov = fit.params.to_numpy(), fit.cov_params().to_numpy()
    df = float(fit.df_resid)
    t_crit = float(stats.t.ppf(1 - alpha / 2, df))
    rows = []
    for q, a in _pairs():
        c = _contrast_vector(names, q, a)
        est, se = float(c @ beta), float(np.sqrt(c @ cov @ c))
        rows.append(
            {
                "quarter": f"Q{q}",
                "against": f"Q{a}",
                "effect": float(np.expm1(est)),
                "lower": float(np.expm1(est - t_crit * se)),
                "upper": float(np.expm1(est + t_crit * se)),
                "p_value": float(2 * stats.t.sf(abs(est / se), df)),
                "log_effect": est,
                "log_se": se,
                "n": int(fit.nobs),
                "df": int(fit.df_resid),
            }
        )
    return pd.DataFrame(rows)


def quarter_contrasts(series: pd.Series, alpha: float = 0.05, trend: str = "linear", lags: int | None = None) -> pd.DataFrame:
    """Every quarter of the year against every other, after the trend: the model of
    :func:`quarter_effects` (log value ~ trend + quarter dummies, OLS, HAC errors, t with n - k df),
    with each contrast exp(b_quarter - b_against) - 1 (a fraction) and its (1 - alpha) interval and
    p-value from the HAC covariance of the two coefficients. No quarter is privileged as reference.

    Returns 12 rows: ``quarter``, ``against``, ``effect``, ``lower``, ``upper``, ``p_value``,
    ``log_effect``, ``log_se``, ``n``, ``df``.
    """
    data = _effects_data(series)
    fit = _fit_effects(data, trend, 1, hac_lags(len(data)) if lags is None else lags)
    return _contrasts_of_fit(fit, alpha)


def bootstrap_contrasts(
    series: pd.Series,
    trend: str,
    alpha: float = 0.05,
    replications: int = BOOTSTRAP_REPLICATIONS,
    seed: int = BOOTSTRAP_SEED,
    block_length: int | None = None,
) -> pd.DataFrame:
    """Percentile (1 - alpha) intervals of every quarter contrast from a moving-block bootstrap of the
    OLS residuals, a check of the HAC intervals that does not rest on their large-sample theory.

    Each replication adds to the fitted values residuals drawn in blocks of ``block_length``
    consecutive observed quarters (default :func:`hac_lags` + 1, the span the HAC errors allow for),
    rescaled by sqrt(n / (n - k)) so their variance is not understated, and refits by OLS. Seeded by
    ``numpy.random.default_rng(seed)``. Returns one row per contrast (``quarter``, ``against``):
    ``boot_lower``, ``boot_upper`` (fractions), ``replications``, ``block_length``.
    """
    if replications < 99:
        raise ValueError(f"replications must be at least 99, got {replications}")
    data = _effects_data(series)
    lags = hac_lags(len(data))
    fit = _fit_effects(data, trend, 1, lags)
    block = lags + 1 if block_length is None else int(block_length)
    x = fit.model.exog
    n, k = x.shape
    if not 1 <= block <= n:
        raise ValueError(f"block_length must be between 1 and the {n} observations, got {block}")
    resid = fit.resid.to_numpy() * np.sqrt(n / (n - k))
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, n - block + 1, size=(replications, -(-n // block)))
    index = (starts[:, :, None] + np.arange(block)).reshape(replications, -1)[:, :n]
    y_star = fit.fittedvalues.to_numpy()[None, :] + resid[index]  # replications x n
    beta_star = np.linalg.lstsq(x, y_star.T, rcond=None)[0]  # k x replications
    names = list(fit.params.index)
    rows = []
    for q, a in _pairs():
        draws = _contrast_vector(names, q, a) @ beta_star
        low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
        rows.append(
            {
                "quarter": f"Q{q}",
                "against": f"Q{a}",
                "boot_lower": float(np.expm1(low)),
                "boot_upper": float(np.expm1(high)),
                "replications": replications,
                "block_length": block,
            }
        )
    return pd.DataFrame(rows)


def interval_side(lower: float, upper: float) -> str:
    """Where an interval lies against no change: "above" (lower > 0), "below" (upper < 0) or "straddles"."""
    if lower > 0:
        return "above"
    if upper < 0:
        return "below"
    return "straddles"


@dataclass
class EffectSpecifications:
    """Quarter contrasts under every trend of :data:`TRENDS`.

    ``table``: one row per trend with ``trend``, ``growth`` (what it assumes), ``aic``, ``bic``,
    ``durbin_watson``, ``n``, ``df``, ``lags``. ``contrasts``: :func:`quarter_contrasts` of every
    trend (column ``trend``). ``chosen``: the trend with the lowest ``criterion`` (BIC). ``effects``:
    the chosen trend's contrasts beside their bootstrap intervals (:func:`bootstrap_contrasts`) and
    whether the two agree on the side of zero (``hac_side``, ``boot_side``, ``agree``).
    """

    table: pd.DataFrame
    chosen: str
    criterion: str
    contrasts: pd.DataFrame
    effects: pd.DataFrame

    def effect(self, quarter: str, against: str) -> dict[str, float]:
        """``quarter`` ("Q2") against ``against`` ("Q1") under the chosen trend: effect, lower, upper, p_value (fractions)."""
        row = self.effects.set_index(["quarter", "against"]).loc[(quarter, against)]
        return {k: float(row[k]) for k in ("effect", "lower", "upper", "p_value")}

    def against_others(self, quarter: str) -> dict[str, dict[str, float]]:
        """``quarter`` against each other quarter under the chosen trend, keyed by the other quarter."""
        others = self.effects[self.effects["quarter"] == quarter]["against"]
        return {a: self.effect(quarter, a) for a in others}


def effect_specifications(
    series: pd.Series,
    alpha: float = 0.05,
    lags: int | None = None,
    replications: int = BOOTSTRAP_REPLICATIONS,
    seed: int = BOOTSTRAP_SEED,
) -> EffectSpecifications:
    """Fit the quarter-effects model under every trend, choose the trend by BIC (lowest), tabulate
    every quarter contrast under each trend, and check the chosen trend's HAC intervals with a
    moving-block bootstrap. Durbin-Watson is computed on the OLS residuals in time order (a gap
    quarter is skipped, not filled)."""
    from statsmodels.stats.stattools import durbin_watson

    data = _effects_data(series)
    lags = hac_lags(len(data)) if lags is None else lags
    rows, contrasts = [], []
    for trend, (_, growth) in TRENDS.items():
        fit = _fit_effects(data, trend, 1, lags)
        rows.append(
            {
                "trend": trend,
                "growth": growth,
                "aic": float(fit.aic),
                "bic": float(fit.bic),
                "durbin_watson": float(durbin_watson(fit.resid)),
                "n": int(fit.nobs),
                "df": int(fit.df_resid),
                "lags": lags,
            }
        )
        contrasts.append(_contrasts_of_fit(fit, alpha).assign(trend=trend))
    table = pd.DataFrame(rows)
    chosen = str(table.loc[table[TREND_CRITERION.lower()].idxmin(), "trend"])
    all_contrasts = pd.concat(contrasts, ignore_index=True)
    effects = all_contrasts[all_contrasts["trend"] == chosen].drop(columns="trend").reset_index(drop=True)
    boot = bootstrap_contrasts(series, chosen, alpha, replications, seed)
    effects = effects.merge(boot, on=["quarter", "against"])
    effects["hac_side"] = [interval_side(lo, hi) for lo, hi in zip(effects["lower"], effects["upper"])]
    effects["boot_side"] = [interval_side(lo, hi) for lo, hi in zip(effects["boot_lower"], effects["boot_upper"])]
    effects["agree"] = effects["hac_side"] == effects["boot_side"]
    return EffectSpecifications(table, chosen, TREND_CRITERION, all_contrasts, effects)


def effects_results(specs: EffectSpecifications) -> dict[str, Any]:
    """The recorded results of the quarter effects: the chosen trend and its diagnostics, Q2 (616) and
    Q4 (Double 11) against each other quarter, every trend's BIC and Q2 and Q4 contrasts (effect, lower,
    upper, p_value), and the bootstrap check."""
    table = specs.table.set_index("trend")
    chosen = table.loc[specs.chosen]
    focus = specs.effects[specs.effects["quarter"].isin(["Q2", "Q4"])]
    focus = focus[~((focus["quarter"] == "Q4") & (focus["against"] == "Q2"))]  # Q2 against Q4 already says it
    return {
        "effects_trend": specs.chosen,
        "effects_criterion": specs.criterion,
        "durbin_watson": float(chosen["durbin_watson"]),
        "durbin_watson_linear": float(table.loc["linear", "durbin_watson"]),
        "effects_n": int(chosen["n"]),
        "effects_df": int(chosen["df"]),
        "q2_vs_others": specs.against_others("Q2"),
        "q4_vs_others": specs.against_others("Q4"),
        "effects_by_trend": {
            trend: {"bic": float(table.loc[trend, "bic"])}
            | {
                f"{r.quarter}_vs_{r.against}".lower(): {k: float(getattr(r, k)) for k in ("effect", "lower", "upper", "p_value")}
                for r in rows.itertuples()
                if r.quarter in ("Q2", "Q4")
            }
            for trend, rows in specs.contrasts.groupby("trend", sort=False)
        },
        "effects_bootstrap": {
            "replications": int(focus["replications"].iloc[0]),
            "block_length": int(focus["block_length"].iloc[0]),
            "seed": BOOTSTRAP_SEED,
            "disagreements": {
                f"{r.quarter} against {r.against}": {"lower": float(r.boot_lower), "upper": float(r.boot_upper)}
                for r in focus.itertuples()
                if not r.agree
            },
        },
    }
