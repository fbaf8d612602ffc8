"""The fast-brand support criteria as an eligibility function over a simulated merchant population, and
how the number of eligible merchants moves with each threshold. Money is in RMB, shares in [0, 1],
ages in years.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SupportCriteria:
    """The published fast-brand support criteria: founded within ``max_age_years`` (years), own-brand
    GMV share above ``min_own_brand_share`` (share in [0, 1]), monthly live GMV above
    ``min_monthly_live_gmv`` (RMB), and Kuaishou as the core channel."""

    max_age_years: float = 5.0
    min_own_brand_share: float = 0.30
    min_monthly_live_gmv: float = 2_000_000.0
    require_core_channel: bool = True


MERCHANT_COLUMNS = ("brand_age_years", "own_brand_gmv_share", "monthly_live_gmv_rmb", "kuaishou_core_channel")


def eligible(merchants: pd.DataFrame, criteria: SupportCriteria = SupportCriteria()) -> pd.Series:
    """Boolean Series: which merchants meet every criterion.

    Age <= max_age_years ("within 5 years"), own-brand share > min share and monthly live GMV > min
    ("above"), and core channel True when required. Missing values are not eligible.
    """
    missing = [c for c in MERCHANT_COLUMNS if c not in merchants.columns]
    if missing:
        raise KeyError(f"merchant table lacks column(s) {missing}; expected {list(MERCHANT_COLUMNS)}")
    ok = (
        (merchants["brand_age_years"] <= criteria.max_age_years)
        & (merchants["own_brand_gmv_share"] > criteria.min_own_brand_share)
        & (merchants["monthly_live_gmv_rmb"] > criteria.min_monthly_live_gmv)
    )
    if criteria.require_core_channel:
        core = merchants["kuaishou_core_channel"]
        # A bool column has nothing missing: the conversion would give it back unchanged, only slower.
        ok &= core if core.dtype == np.dtype(bool) else core.astype("boolean").fillna(False)
    return ok.fillna(False).astype(bool).rename("eligible")


def simulate_merchants(
    n_merchants: int,
    seed: int,
    age_mean_years: float,
    own_share_mean: float,
    own_share_concentration: float,
    gmv_median_rmb: float,
    gmv_sigma: float,
    core_channel_share: float,
) -> pd.DataFrame:
    """A simulated population of brand merchants (assumed distributions, not data).

    Brand age ~ exponential with mean ``age_mean_years``; own-brand GMV share ~ Beta with mean
    ``own_share_mean`` and concentration a + b = ``own_share_concentration``; monthly live GMV ~
    lognormal with median ``gmv_median_rmb`` (RMB) and log-sd ``gmv_sigma``; core channel ~
    Bernoulli(``core_channel_share``).
    """
    rng = np.random.default_rng(seed)
    a = own_share_mean * own_share_concentration
    b = (1.0 - own_share_mean) * own_share_concentration
    return pd.DataFrame(
        {
            "brand_age_years": rng.exponential(age_mean_years, n_merchants),
            "own_brand_gmv_share": rng.beta(a, b, n_merchants),
            "monthly_live_gmv_rmb": gmv_median_rmb * np.exp(gmv_sigma * rng.standard_normal(n_merchants)),
            "kuaishou_core_channel": rng.random(n_merchants) < core_channel_share,
        }
    )


def expected_eligible_share(
    criteria: SupportCriteria,
    age_mean_years: float,
    own_share_mean: float,
    own_share_concentration: float,
    gmv_median_rmb: float,
    gmv_sigma: float,
    core_channel_share: float,
) -> float:
    """Share in [0, 1] of a population drawn as :func:`simulate_merchants` draws it that meets every
    criterion, in closed form: the attributes are independent, so it is the product of
    P(age <= limit) (exponential), P(own share > minimum) (beta), P(GMV > minimum) (lognormal) and
    the core-channel share (when required). The simulated share estimates it."""
    from scipy import stats

    a = own_share_mean * own_share_concentration
    b = (1.0 - own_share_mean) * own_share_concentration
    p_age = -math.expm1(-criteria.max_age_years / age_mean_years)
    p_share = float(stats.beta(a, b).sf(criteria.min_own_brand_share))
    if criteria.min_monthly_live_gmv <= 0:
        p_gmv = 1.0
    else:
        p_gmv = float(stats.norm.sf((math.log(criteria.min_monthly_live_gmv) - math.log(gmv_median_rmb)) / gmv_sigma))
    p_core = core_channel_share if criteria.require_core_channel else 1.0
    return p_age * p_share * p_gmv * p_core


def eligibility_sensitivity(
    merchants: pd.DataFrame, criteria: SupportCriteria, factors: Sequence[float] = (0.5, 0.75, 1.0, 1.25, 1.5)
) -> pd.DataFrame:
    """Number of eligible merchants when one threshold is scaled by each factor, the others held.

    Rows: threshold, factor, threshold value, direction (looser / tighter / published: a larger age
    limit or a smaller minimum is looser), eligible count, ``change`` against the published criteria,
    ``eligible_share`` (of the population, in [0, 1]) and ``share_change`` (in shares: 0.01 is one
    percentage point). The core-channel rule is shown as required (value 1) / not required (value 0).
    """
    base = int(eligible(merchants, criteria).sum())
    population = max(len(merchants), 1)
    rows = []
    for name in ("max_age_years", "min_own_brand_share", "min_monthly_live_gmv"):
        for f in factors:
            value = getattr(criteria, name) * f
            varied = SupportCriteria(**{**asdict(criteria), name: value})
            count = int(eligible(merchants, varied).sum())
            looser = f > 1 if name == "max_age_years" else f < 1
            direction = "published" if f == 1 else ("looser" if looser else "tighter")
            rows.append(
                {
                    "threshold": name,
                    "factor": f,
                    "value": value,
                    "direction": direction,
                    "eligible": count,
                    "change": count - base,
                }
            )
    for required in (True, False):
        varied = SupportCriteria(**{**asdict(criteria), "require_core_channel": required})
        count = int(eligible(merchants, varied).sum())
        rows.append(
            {
                "threshold": "require_core_channel",
                "factor": np.nan,
                "value": float(required),
                "direction": "published" if required == criteria.require_core_channel else ("tighter" if required else "looser"),
                "eligible": count,
                "change": count - base,
            }
        )
    table = pd.DataFrame(rows)
    return table.assign(eligible_share=table["eligible"] / population, share_change=table["change"] / population)


def pass_shares(merchants: pd.DataFrame, criteria: SupportCriteria) -> dict[str, float]:
    """Share of merchants (in [0, 1]) passing each criterion on its own, by a readable criterion name."""
    return {
        f"founded within {criteria.max_age_years:g} years": float(
            (merchants["brand_age_years"] <= criteria.max_age_years).mean()
        ),
        f"own-brand share above {100 * criteria.min_own_brand_share:g}%": float(
            (merchants["own_brand_gmv_share"] > criteria.min_own_brand_share).mean()
        ),
        f"monthly live GMV above RMB {criteria.min_monthly_live_gmv:,.0f}": float(
            (merchants["monthly_live_gmv_rmb"] > criteria.min_monthly_live_gmv).mean()
        ),
        "Kuaishou core channel": float(merchants["kuaishou_core_channel"].mean()),
    }
