"""Price-positioning fit: a binary logit of buy / not buy at a price tier, on platforms that differ in
their share of trust-driven buyers, simulated from stated true parameters and estimated back.

Prices are in RMB; coefficients are log-odds (price per RMB 1,000); shares are in [0, 1].
statsmodels is imported by the fit.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

LOGIT_TERMS = ("intercept", "price_per_1000_rmb", "trust_premium", "trust_x_price")


@dataclass(frozen=True)
class ChoiceTruth:
    """True parameters of the buy / not-buy logit (log-odds units).

    ``price_coef`` is per RMB 1,000 of price for a price-seeking buyer; ``trust_premium`` is the extra
    log-odds of buying for a trust-driven buyer (one who follows and trusts the streamer);
    ``trust_price_interaction`` is added to the price coefficient for trust-driven buyers (positive:
    they are less price sensitive).
    """

    intercept: float
    price_coef: float
    trust_premium: float
    trust_price_interaction: float

    def as_terms(self) -> dict[str, float]:
        """The true values under the names of :data:`LOGIT_TERMS`."""
        return dict(zip(LOGIT_TERMS, (self.intercept, self.price_coef, self.trust_premium, self.trust_price_interaction)))


def buy_probability(price_rmb: np.ndarray | float, trust_buyer: np.ndarray | float, truth: ChoiceTruth) -> np.ndarray:
    """Probability in [0, 1] that a buyer buys the brand at ``price_rmb`` (RMB), by buyer type (0/1)."""
    price_k = np.asarray(price_rmb, dtype=float) / 1000.0
    trust = np.asarray(trust_buyer, dtype=float)
    eta = truth.intercept + truth.price_coef * price_k + truth.trust_premium * trust + truth.trust_price_interaction * trust * price_k
    return 1.0 / (1.0 + np.exp(-eta))


def simulate_choices(
    n_buyers: int,
    seed: int,
    truth: ChoiceTruth,
    platform_trust_share: Mapping[str, float],
    price_tiers_rmb: Sequence[float],
) -> pd.DataFrame:
    """Simulate one buy / not-buy decision per buyer.

    Each buyer is on one platform (equal odds), is trust-driven with the platform's share in
    ``platform_trust_share`` (share in [0, 1]), is shown one price tier (RMB, equal odds) and buys
    with the logit probability of ``truth``. Columns: ``platform``, ``trust_buyer`` (0/1),
    ``price_rmb``, ``buy`` (0/1).
    """
    rng = np.random.default_rng(seed)
    names = list(platform_trust_share)
    shares = np.array([platform_trust_share[n] for n in names], dtype=float)
    platform = rng.integers(0, len(names), size=n_buyers)
    trust = (rng.random(n_buyers) < shares[platform]).astype(np.int8)
    price = np.asarray(price_tiers_rmb, dtype=float)[rng.integers(0, len(price_tiers_rmb), size=n_buyers)]
    buy = (rng.random(n_buyers) < buy_probability(price, trust, truth)).astype(np.int8)
    return pd.DataFrame(
        {"platform": pd.Categorical.from_codes(platform, categories=names), "trust_buyer": trust, "price_rmb": price, "buy": buy}
    )


def _no_callback(params: np.ndarray) -> None:
    """A Newton callback that does nothing (see :func:`_fit_logit`)."""


def _fit_logit(choices: pd.DataFrame, alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The statsmodels logit fit of :func:`fit_choice_logit`: estimates, standard errors and the
    1 - ``alpha`` Wald intervals (one row per term), in the order of :data:`LOGIT_TERMS`."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    price_k = choices["price_rmb"].to_numpy(float) / 1000.0
    trust = choices["trust_buyer"].to_numpy(float)
    exog = np.column_stack([np.ones_like(price_k), price_k, trust, trust * price_k])
    # check_rank=False skips a QR of exog that only sets df_model / df_resid, which the normal-based
    # intervals do not use. statsmodels' default callback tests for perfect prediction after every
    # Newton step; the test is run once, at the estimates, instead. Neither changes the estimates.
    model = sm.Logit(choices["buy"].to_numpy(float), exog, check_rank=False)
    result = model.fit(disp=0, method="newton", maxiter=100, callback=_no_callback)
    if np.allclose(model.predict(result.params) - model.endog, 0):
        warnings.warn("Perfect separation or prediction detected, parameter may not be identified",
                      PerfectSeparationWarning, stacklevel=3)
    return np.asarray(result.params), np.asarray(result.bse), np.asarray(result.conf_int(alpha=alpha))


def fit_choice_logit(choices: pd.DataFrame, truth: ChoiceTruth, alpha: float = 0.05) -> pd.DataFrame:
    """Estimate the buy / not-buy logit with statsmodels and set the estimates beside the true values.

    Returns one row per term of :data:`LOGIT_TERMS` with ``true``, ``estimate``, ``std_err``,
    ``lower`` and ``upper`` (the 1 - ``alpha`` Wald interval) and ``recovered`` (true value inside it).
    """
    estimate, std_err, ci = _fit_logit(choices, alpha)
    true = truth.as_terms()
    out = pd.DataFrame(
        {
            "term": list(LOGIT_TERMS),
            "true": [true[t] for t in LOGIT_TERMS],
            "estimate": estimate,
            "std_err": std_err,
            "lower": ci[:, 0],
            "upper": ci[:, 1],
        }
    )
    out["recovered"] = (out["lower"] <= out["true"]) & (out["true"] <= out["upper"])
    return out


def _logit_record(
    terms: Sequence[str], true: Sequence[float], estimate: Sequence[float], lower: Sequence[float], upper: Sequence[float]
) -> dict[str, dict[str, float]]:
    """term -> {estimate, lower, upper, true} from parallel sequences."""
    return {
        t: {"estimate": float(e), "lower": float(lo), "upper": float(up), "true": float(tr)}
        for t, tr, e, lo, up in zip(terms, true, estimate, lower, upper)
    }


def logit_params_dict(estimates: pd.DataFrame) -> dict[str, dict[str, float]]:
    """The recorded form of :func:`fit_choice_logit`: term -> {estimate, lower, upper, true}."""
    return _logit_record(*(estimates[c].to_numpy() for c in ("term", "true", "estimate", "lower", "upper")))


def conversion_table(choices: pd.DataFrame, truth: ChoiceTruth, platform_trust_share: Mapping[str, float]) -> pd.DataFrame:
    """Conversion (share buying, in [0, 1]) by price tier x platform: observed in the simulation and
    expected under the true model for the platform's buyer mix, with the number of buyers shown the tier."""
    observed = choices.groupby(["price_rmb", "platform"], observed=False)["buy"].agg(["mean", "size"]).reset_index()
    share = observed["platform"].astype(str).map(platform_trust_share).astype(float)
    expected = share * buy_probability(observed["price_rmb"], 1, truth) + (1 - share) * buy_probability(observed["price_rmb"], 0, truth)
    return observed.rename(columns={"mean": "observed_conversion", "size": "buyers"}).assign(
        expected_conversion=np.asarray(expected), trust_share=np.asarray(share)
    )[["price_rmb", "platform", "trust_share", "buyers", "observed_conversion", "expected_conversion"]]
