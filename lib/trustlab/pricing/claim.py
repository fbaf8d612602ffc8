"""What the article's claim implies in the buy / not-buy logit under assumed parameters, in closed form:
conversions by platform, the verdict, and where in (trust x price interaction, trust share) it holds.

A platform's conversion at a price is s σ(η_T) + (1 - s) σ(η_S), with s its share of trust-driven
buyers and η_T, η_S the two buyer types' log-odds. Its ratio to the other platform's is an increasing
function of u = σ(η_T) / σ(η_S) when the trust-positioned platform has more trust-driven buyers, so
the claim (a higher ratio at the top price than at the bottom one, and above 1 at the top) holds
exactly when the premise holds and u(top) > max(1, u(bottom)): the platforms' shares do not move the
boundary, the logit's own parameters (intercept, price coefficient, trust premium, interaction) do.
Prices are in RMB, shares in [0, 1].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from trustlab.pricing.choice import ChoiceTruth, buy_probability

PRICE_TIERS_RMB = (100.0, 300.0, 600.0, 1000.0)
PRICE_PLATFORM = "price-positioned"
TRUST_PLATFORM = "trust-positioned"
# The legal range of the trust x price interaction (parameter trust_price_interaction), per RMB 1,000.
INTERACTION_RANGE = (-20.0, 20.0)


def expected_conversion(truth: ChoiceTruth, trust_share: float, price_rmb: float) -> float:
    """Share in [0, 1] of a platform's buyers who buy at ``price_rmb`` under the true model, for a
    platform with ``trust_share`` trust-driven buyers."""
    return float(trust_share * buy_probability(price_rmb, 1, truth) + (1 - trust_share) * buy_probability(price_rmb, 0, truth))


def _log_sigmoid(x: np.ndarray | float) -> np.ndarray:
    """log σ(x) without overflow or loss of precision where σ is near 0 or 1."""
    return -np.logaddexp(0.0, -np.asarray(x, dtype=float))


def log_trust_advantage(truth: ChoiceTruth, price_rmb: float, interaction: np.ndarray | float | None = None) -> np.ndarray:
    """log u = log σ(η_T) - log σ(η_S): how much likelier a trust-driven buyer is to buy than a
    price-seeking one at ``price_rmb`` (RMB), at the assumed or the given interaction(s). Vectorised."""
    g = truth.trust_price_interaction if interaction is None else np.asarray(interaction, dtype=float)
    price_k = price_rmb / 1000.0
    seeker = truth.intercept + truth.price_coef * price_k
    return _log_sigmoid(seeker + truth.trust_premium + g * price_k) - _log_sigmoid(seeker)


def _margin(truth: ChoiceTruth, interaction: np.ndarray | float, top: float, low: float) -> np.ndarray:
    """Positive exactly where the claim holds (given its premise): min(log u(top), log u(top) - log u(low))."""
    at_top = log_trust_advantage(truth, top, interaction)
    return np.minimum(at_top, at_top - log_trust_advantage(truth, low, interaction))


def claim_in_model(truth: ChoiceTruth, mix: Mapping[str, float], tiers: tuple[float, ...] = PRICE_TIERS_RMB) -> dict[str, Any]:
    """What the article's claim implies in the logit, under the assumed (true) parameters.

    The claim: a price-positioned platform holds back a high-priced brand, a trust-positioned one lets
    it grow. In the model it holds when the trust-positioned platform has more trust-driven buyers
    than the price-positioned one (the claim's premise), and, at the highest price tier, converts
    better than it (ratio above 1) *and* its advantage is larger there than at the lowest tier (the
    high price is what the price-positioned platform penalises); decided in the closed form of the
    module docstring. Returns the conversions, the two ratios (trust / price platform),
    ``claim_premise_holds``, ``claim_holds_in_model`` and ``claim_interaction_intervals``
    (:func:`claim_interaction_intervals`).
    """
    top, low = max(tiers), min(tiers)
    conv = {(name, tier): expected_conversion(truth, share, tier) for name, share in mix.items() for tier in (top, low)}
    ratio_top = conv[(TRUST_PLATFORM, top)] / conv[(PRICE_PLATFORM, top)]
    ratio_low = conv[(TRUST_PLATFORM, low)] / conv[(PRICE_PLATFORM, low)]
    premise = mix[TRUST_PLATFORM] > mix[PRICE_PLATFORM]
    return {
        "conversion_top_tier": {PRICE_PLATFORM: conv[(PRICE_PLATFORM, top)], TRUST_PLATFORM: conv[(TRUST_PLATFORM, top)]},
        "conversion_bottom_tier": {PRICE_PLATFORM: conv[(PRICE_PLATFORM, low)], TRUST_PLATFORM: conv[(TRUST_PLATFORM, low)]},
        "conversion_ratio_top_tier": ratio_top,
        "conversion_ratio_bottom_tier": ratio_low,
        "claim_premise_holds": bool(premise),
        "claim_holds_in_model": bool(premise and float(_margin(truth, truth.trust_price_interaction, top, low)) > 0),
        "claim_interaction_intervals": claim_interaction_intervals(truth, tiers),
    }


def claim_interaction_intervals(
    truth: ChoiceTruth, tiers: Sequence[float] = PRICE_TIERS_RMB, bounds: tuple[float, float] = INTERACTION_RANGE
) -> list[list[float]]:
    """The trust x price interactions (per RMB 1,000, within ``bounds``) at which the claim holds in the
    model whenever its premise does, the other logit parameters as assumed: a list of [from, to]
    intervals (empty when it holds nowhere). The platforms' shares do not enter (module docstring).

    Found on a grid of 0.05 and refined to 1e-12 by bisection of the closed-form margin.
    """
    from scipy import optimize

    top, low = max(tiers), min(tiers)
    lo, hi = bounds
    grid = np.linspace(lo, hi, int(round((hi - lo) / 0.05)) + 1)
    holds = _margin(truth, grid, top, low) > 0
    edges = []
    for i in np.flatnonzero(holds[1:] != holds[:-1]):
        edges.append(
            float(optimize.brentq(lambda g: float(_margin(truth, g, top, low)), grid[i], grid[i + 1], xtol=1e-12, rtol=1e-14))
        )
    points = [lo, *edges, hi]
    return [
        [points[k], points[k + 1]]
        for k in range(len(points) - 1)
        if float(_margin(truth, (points[k] + points[k + 1]) / 2, top, low)) > 0
    ]


def claim_map(
    truth: ChoiceTruth,
    share_price_platform: float,
    interactions: Sequence[float],
    trust_shares: Sequence[float],
    tiers: Sequence[float] = PRICE_TIERS_RMB,
) -> pd.DataFrame:
    """Where the claim holds over a grid of trust x price interactions and trust-positioned platforms'
    shares of trust-driven buyers (the price-positioned one's share as assumed), in closed form.
    Columns: ``trust_price_interaction``, ``trust_share_trust_platform``, ``claim_holds``."""
    top, low = max(tiers), min(tiers)
    g, s = np.meshgrid(np.asarray(interactions, dtype=float), np.asarray(trust_shares, dtype=float))
    holds = (s > share_price_platform) & (_margin(truth, g, top, low) > 0)
    return pd.DataFrame(
        {"trust_price_interaction": g.ravel(), "trust_share_trust_platform": s.ravel(), "claim_holds": holds.ravel()}
    )
