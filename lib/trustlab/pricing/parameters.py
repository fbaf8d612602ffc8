"""Notebook ``03_pricing_positioning``'s parameters: their rules (:func:`check_params`), the inputs
they give each sub-topic, the parameters that stand for article facts, and every recorded result
computed from the parameters alone (:func:`analysis`, the fast path of ``trustlab sweep --fast``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from trustlab.pricing.choice import ChoiceTruth, LogitFit, buy_probability, estimate_choice_logit, simulate_choices
from trustlab.pricing.eligibility import SupportCriteria, eligible, simulate_merchants
from trustlab.pricing.launch import LaunchNumbers, launch_numbers
from trustlab.pricing.newsvendor import (
    NewsvendorResult,
    _breakeven_cancel_share,
    newsvendor,
    newsvendor_monte_carlo,
    presale_expected_profit,
)
from trustlab.pricing.recall import (
    CustomerSide,
    RecallCosts,
    RecallVerdict,
    breakeven_redemption_rate,
    customer_side,
    recall_costs,
    recall_verdict,
)

# Notebook parameters whose defaults are article facts: parameter -> (fact id, factor from fact to parameter).
FACT_PARAMETERS: dict[str, tuple[str, float]] = {
    "list_price": ("pricing_shoe_list_price", 1.0),
    "promo_price": ("pricing_shoe_promo_price", 1.0),
    "units": ("pricing_shoe_units_sold", 1.0),
    "sellout_minutes": ("pricing_shoe_sellout_minutes", 1.0),
    "voucher_a": ("pricing_recall_voucher_a", 1.0),
    "voucher_b": ("pricing_recall_voucher_b", 1.0),
    "recall_customers": ("pricing_recall_customers", 1.0),
    "menswear_price": ("pricing_menswear_unit_price", 1.0),
    "support_max_age_years": ("support_brand_age_max_years", 1.0),
    "support_own_brand_share_min": ("support_own_brand_gmv_share_min", 0.01),  # percent -> share
    "support_monthly_gmv_min": ("support_monthly_live_gmv_min", 1.0),
    "fastbrand_target": ("fastbrand_target_2022", 1.0),
}

PRICE_TIERS_RMB = (100.0, 300.0, 600.0, 1000.0)
PRICE_PLATFORM = "price-positioned"
TRUST_PLATFORM = "trust-positioned"

_NON_NEGATIVE = (
    "list_price",
    "promo_price",
    "voucher_a",
    "voucher_b",
    "return_shipping",
    "salvage_value",
    "defective_pair_value",
    "return_hassle",
    "menswear_price",
    "unit_cost",
    "newsvendor_salvage",
    "demand_mean",
    "cost_ratio",
    "support_max_age_years",
    "support_monthly_gmv_min",
    "merchant_gmv_median",
    "fastbrand_target",
)
_POSITIVE = (
    "list_price",
    "sellout_minutes",
    "menswear_price",
    "demand_mean",
    "merchant_age_mean_years",
    "merchant_own_share_concentration",
    "merchant_gmv_median",
    "merchant_gmv_sigma",
)
_COUNTS = ("units", "recall_customers", "n_buyers", "n_merchants", "monte_carlo_draws")
_SHARES = (
    "redemption_rate",
    "customer_voucher_value",
    "presale_cancel_share",
    "trust_share_price_platform",
    "trust_share_trust_platform",
    "support_own_brand_share_min",
    "merchant_own_share_mean",
    "merchant_core_share",
)


def check_params(params: Mapping[str, Any]) -> None:
    """Rules across parameters; raises :class:`~trustlab.errors.ParameterError` naming the parameter.

    Checks only the parameters present, so it also serves partial dictionaries.
    """
    from trustlab.errors import ParameterError

    p = params

    def has(*names: str) -> bool:
        return all(n in p and p[n] is not None for n in names)

    for name in _NON_NEGATIVE:
        if has(name) and p[name] < 0:
            raise ParameterError(f"parameter {name!r}: must not be negative, got {p[name]!r}")
    for name in _POSITIVE:
        if has(name) and not p[name] > 0:
            raise ParameterError(f"parameter {name!r}: must be > 0, got {p[name]!r}")
    for name in _COUNTS:
        if has(name) and (isinstance(p[name], bool) or not float(p[name]).is_integer() or p[name] < 1):
            raise ParameterError(f"parameter {name!r}: must be a count >= 1, got {p[name]!r}")
    for name in _SHARES:
        if has(name) and not 0.0 <= p[name] <= 1.0:
            raise ParameterError(f"parameter {name!r}: must be a share in [0, 1], got {p[name]!r}")
    if has("merchant_own_share_mean") and not 0.0 < p["merchant_own_share_mean"] < 1.0:
        raise ParameterError(f"parameter 'merchant_own_share_mean': must be in (0, 1), got {p['merchant_own_share_mean']!r}")
    if has("promo_price", "list_price") and p["promo_price"] > p["list_price"]:
        raise ParameterError(
            f"parameter 'promo_price': promo price {p['promo_price']!r} is above the list price {p['list_price']!r}"
        )
    if has("promo_price") and not p["promo_price"] > 0:
        raise ParameterError(f"parameter 'promo_price': must be > 0, got {p['promo_price']!r}")
    if has("salvage_value", "promo_price") and p["salvage_value"] > p["promo_price"]:
        raise ParameterError(
            f"parameter 'salvage_value': a returned defective pair worth {p['salvage_value']!r} is more than "
            f"the refund (promo_price {p['promo_price']!r})"
        )
    if has("demand_cv") and not p["demand_cv"] > 0:
        raise ParameterError(f"parameter 'demand_cv': must be > 0, got {p['demand_cv']!r}")
    if has("unit_cost", "menswear_price") and p["unit_cost"] >= p["menswear_price"]:
        raise ParameterError(
            f"parameter 'unit_cost': must be below the price (menswear_price {p['menswear_price']!r}), got {p['unit_cost']!r}"
        )
    if has("newsvendor_salvage", "unit_cost") and p["newsvendor_salvage"] >= p["unit_cost"]:
        raise ParameterError(
            f"parameter 'newsvendor_salvage': must be below unit_cost {p['unit_cost']!r}, got {p['newsvendor_salvage']!r}"
        )
    if has("alpha") and not 0.0 < p["alpha"] < 1.0:
        raise ParameterError(f"parameter 'alpha': must be in (0, 1), got {p['alpha']!r}")


def choice_truth(params: Mapping[str, Any]) -> ChoiceTruth:
    """The true logit parameters from a notebook parameter dict."""
    return ChoiceTruth(
        params["choice_intercept"], params["price_coef"], params["trust_premium"], params["trust_price_interaction"]
    )


def platform_mix(params: Mapping[str, Any]) -> dict[str, float]:
    """Share of trust-driven buyers (in [0, 1]) on the price-positioned and the trust-positioned platform."""
    return {PRICE_PLATFORM: params["trust_share_price_platform"], TRUST_PLATFORM: params["trust_share_trust_platform"]}


def support_criteria(params: Mapping[str, Any]) -> SupportCriteria:
    """The fast-brand support criteria from a notebook parameter dict."""
    return SupportCriteria(
        params["support_max_age_years"], params["support_own_brand_share_min"], params["support_monthly_gmv_min"], True
    )


def merchant_population(params: Mapping[str, Any]) -> pd.DataFrame:
    """The simulated merchant population of a notebook parameter dict (seed = ``seed`` + 2)."""
    return simulate_merchants(
        params["n_merchants"],
        params["seed"] + 2,
        params["merchant_age_mean_years"],
        params["merchant_own_share_mean"],
        params["merchant_own_share_concentration"],
        params["merchant_gmv_median"],
        params["merchant_gmv_sigma"],
        params["merchant_core_share"],
    )


def batch_inputs(params: Mapping[str, Any]) -> tuple[float, float, float, float, float]:
    """(price, unit cost, salvage, demand mean, demand cv) of the newsvendor from a parameter dict."""
    return (
        params["menswear_price"],
        params["unit_cost"],
        params["newsvendor_salvage"],
        params["demand_mean"],
        params["demand_cv"],
    )


@dataclass(frozen=True)
class PricingRun:
    """One run of notebook 03's analysis: the recorded ``results`` and the pieces they were computed
    from, which the notebook only displays (tables, figures). Made by :func:`run_analysis`."""

    results: dict[str, Any]
    launch: LaunchNumbers
    recall: RecallCosts
    recall_verdict: RecallVerdict
    customer: CustomerSide
    newsvendor: NewsvendorResult
    monte_carlo: NewsvendorResult
    truth: ChoiceTruth
    choices: pd.DataFrame
    logit: LogitFit
    merchants: pd.DataFrame
    criteria: SupportCriteria


def expected_conversion(truth: ChoiceTruth, trust_share: float, price_rmb: float) -> float:
    """Share in [0, 1] of a platform's buyers who buy at ``price_rmb`` under the true model, for a
    platform with ``trust_share`` trust-driven buyers."""
    return float(trust_share * buy_probability(price_rmb, 1, truth) + (1 - trust_share) * buy_probability(price_rmb, 0, truth))


def claim_in_model(truth: ChoiceTruth, mix: Mapping[str, float], tiers: tuple[float, ...] = PRICE_TIERS_RMB) -> dict[str, Any]:
    """What the article's claim implies in the logit, under the assumed (true) parameters.

    The claim: a price-positioned platform holds back a high-priced brand, a trust-positioned one lets
    it grow. In the model it holds when the trust-positioned platform has more trust-driven buyers
    than the price-positioned one (the claim's premise), and, at the highest price tier, converts
    better than it (ratio above 1) *and* its advantage is larger there than at the lowest tier (the
    high price is what the price-positioned platform penalises). Returns the conversions, the two
    ratios (trust / price platform), ``claim_premise_holds`` and ``claim_holds_in_model``.
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
        "claim_holds_in_model": bool(premise and ratio_top > 1 and ratio_top > ratio_low),
    }


def run_analysis(params: Mapping[str, Any]) -> PricingRun:
    """Notebook 03's one orchestration: every recorded result from a parameter dict, with the pieces.

    Seeds: choices use ``seed``, the newsvendor Monte Carlo ``seed + 1``, the merchants ``seed + 2``.
    The notebook records ``results`` and displays the pieces; :func:`analysis` (the fast path of
    ``trustlab sweep --fast``) returns the same ``results``.
    """
    check_params(params)
    p = params
    launch = launch_numbers(p["list_price"], p["promo_price"], p["units"], p["sellout_minutes"])
    recall_args = (
        p["promo_price"],
        p["voucher_a"],
        p["voucher_b"],
        p["redemption_rate"],
        p["cost_ratio"],
        p["return_shipping"],
        p["salvage_value"],
    )
    recall = recall_costs(p["recall_customers"], *recall_args)
    verdict = recall_verdict(*recall_args)
    breakeven_r = breakeven_redemption_rate(
        p["promo_price"], p["voucher_a"], p["voucher_b"], p["cost_ratio"], p["return_shipping"], p["salvage_value"]
    )
    customer = customer_side(
        p["promo_price"],
        p["voucher_a"],
        p["voucher_b"],
        p["customer_voucher_value"],
        p["defective_pair_value"],
        p["return_hassle"],
    )
    inputs = batch_inputs(p)
    price, unit_cost, _, demand_mean, _ = inputs
    nv = newsvendor(*inputs)
    mc = newsvendor_monte_carlo(*inputs, quantity=nv.quantity, draws=p["monte_carlo_draws"], seed=p["seed"] + 1)
    presale = presale_expected_profit(p["menswear_price"], p["unit_cost"], p["demand_mean"], p["presale_cancel_share"])
    truth = choice_truth(p)
    mix = platform_mix(p)
    choices = simulate_choices(p["n_buyers"], p["seed"], truth, mix, PRICE_TIERS_RMB)
    logit = estimate_choice_logit(choices, truth, p["alpha"])
    merchants = merchant_population(p)
    criteria = support_criteria(p)
    n_eligible = int(eligible(merchants, criteria).sum())
    results = {
        "discount_depth": launch.discount_depth,
        "units_per_minute": launch.units_per_minute,
        "recall_cost_a": recall.total_a,
        "recall_cost_b": recall.total_b,
        "recall_b_cheaper": verdict.b_cheaper,
        "breakeven_redemption_rate": breakeven_r,
        "breakeven_cost_ratio": verdict.breakeven_cost_ratio,
        "breakeven_cost_ratio_full_redemption": verdict.always_b_cost_ratio,
        "b_cheaper_at_every_redemption": verdict.b_cheaper_at_every_redemption,
        "customer_prefers_b": customer.prefers_b,
        "customer_min_voucher_value_for_b": customer.min_voucher_value_for_b,
        "critical_ratio": nv.critical_ratio,
        "newsvendor_quantity": nv.quantity,
        "newsvendor_expected_profit": nv.expected_profit,
        "presale_expected_profit": presale,
        "breakeven_cancel_share": _breakeven_cancel_share(nv, price, unit_cost, demand_mean),
        "eligible_brands": n_eligible,
        "logit_params": logit.record(),
        "logit_converged": logit.converged,
        "logit_problems": list(logit.problems),
        "logit_far_terms": logit.far_terms,
        "logit_recovered_terms": int(sum(logit.recovered)),
        **claim_in_model(truth, mix),
        "newsvendor_mc_profit": mc.expected_profit,
        "newsvendor_mc_std_err": mc.profit_std_err,
    }
    return PricingRun(results, launch, recall, verdict, customer, nv, mc, truth, choices, logit, merchants, criteria)


def analysis(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every recorded result of notebook 03 from a parameter dict, without the notebook: the
    ``results`` of :func:`run_analysis` (the fast path of ``trustlab sweep --fast``).

    Besides the recorded results it returns ``newsvendor_mc_profit`` and ``newsvendor_mc_std_err``.
    """
    return run_analysis(params).results


def fact_parameter_table(params: Mapping[str, Any], fact_lookup: Callable[[str], float]) -> pd.DataFrame:
    """Each parameter that stands for an article fact, its value, the fact (scaled to the parameter's
    unit) and whether they agree."""
    rows = []
    for name, (fact_id, factor) in FACT_PARAMETERS.items():
        fact = fact_lookup(fact_id) * factor
        rows.append(
            {
                "parameter": name,
                "value": params[name],
                "fact_id": fact_id,
                "fact": fact,
                "agrees": math.isclose(float(params[name]), fact, rel_tol=1e-12),
            }
        )
    return pd.DataFrame(rows)
