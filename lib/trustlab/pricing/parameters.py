"""Notebook ``03_pricing_positioning``'s parameters: their contract (:class:`Parameters`), the inputs
they give each sub-topic, the parameters that stand for article facts, and every recorded result
computed from the parameters alone (:func:`analysis`, the fast path of ``trustlab sweep --fast``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd
from pydantic import Field, model_validator

from trustlab.contract import Contract
from trustlab.errors import ParameterError
from trustlab.pricing.choice import ChoiceTruth, LogitFit, estimate_choice_logit, simulate_choices
from trustlab.pricing.claim import PRICE_PLATFORM, PRICE_TIERS_RMB, TRUST_PLATFORM, claim_in_model
from trustlab.pricing.eligibility import SupportCriteria, eligible, expected_eligible_share, simulate_merchants
from trustlab.pricing.launch import LaunchNumbers, launch_numbers
from trustlab.pricing.newsvendor import (
    NewsvendorResult,
    breakeven_accept_share,
    breakeven_cancel_share_of,
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


class Parameters(Contract):
    """The parameter contract of notebook ``03_pricing_positioning``.

    Rules across parameters (:meth:`_rules`): the promo price is at most the list price; a returned
    defective pair is worth at most the refund (``salvage_value`` <= ``promo_price``); the unit cost
    is below the menswear price and the clearance value below the unit cost.
    """

    notebook: ClassVar[str] = "03_pricing_positioning"

    list_price: float = Field(1099.0, gt=0, description="list price of the sneaker, RMB (article fact)")
    promo_price: float = Field(599.0, gt=0, description="anniversary-day price of the sneaker, RMB (article fact)")
    units: int = Field(1000, ge=1, description="pairs sold at the promo price (article fact)")
    sellout_minutes: float = Field(2.0, gt=0, description="minutes to sell out, at most (article fact)")
    recall_customers: int = Field(1000, ge=1, description="buyers offered the recall options, at least (article fact)")
    voucher_a: float = Field(
        50.0, ge=0, description="voucher on top of refund + paid return shipping in option A, RMB (article fact)"
    )
    voucher_b: float = Field(599.0, ge=0, description="voucher instead of a return in option B, RMB (article fact)")
    redemption_rate: float = Field(0.8, ge=0, le=1, description="ASSUMED share of voucher value customers redeem, in [0, 1]")
    # Above 1 the brand sells the redeemed goods below cost (the founder's "strategic loss").
    cost_ratio: float = Field(
        0.4, ge=0, le=2, description="ASSUMED brand's cost per RMB of goods redeemed with a voucher, RMB/RMB"
    )
    return_shipping: float = Field(15.0, ge=0, description="ASSUMED return shipping the brand pays per pair in option A, RMB")
    salvage_value: float = Field(50.0, ge=0, description="ASSUMED value to the brand of a returned defective pair, RMB")
    customer_voucher_value: float = Field(
        0.9, ge=0, le=1, description="ASSUMED value to a customer of RMB 1 of voucher (1 means surely buys again), in [0, 1]"
    )
    defective_pair_value: float = Field(
        200.0, ge=0, description="ASSUMED value to the customer of keeping the pair with the fading tongue, RMB"
    )
    return_hassle: float = Field(20.0, ge=0, description="ASSUMED customer's cost of packing and sending the pair back, RMB")
    menswear_price: float = Field(1000.0, gt=0, description="unit price of the menswear, about, RMB (article fact)")
    unit_cost: float = Field(400.0, gt=0, description="ASSUMED production cost per garment, RMB")
    newsvendor_salvage: float = Field(200.0, ge=0, description="ASSUMED clearance value of an unsold garment, RMB")
    demand_mean: float = Field(2000.0, gt=0, description="ASSUMED mean demand for one style in one season, units")
    # Demand is lognormal (never negative). At most 2: a season's demand more uncertain than that is
    # guesswork, and the Monte Carlo check would need far more draws to agree with the closed form.
    demand_cv: float = Field(0.3, gt=0, le=2, description="ASSUMED coefficient of variation of that (lognormal) demand, > 0")
    # No figure exists for how many buyers will not wait 45 days (the article says only that its buyers
    # wait); presales draw public complaints in China, so the default keeps one buyer in ten away, and the
    # Summary gives the acceptance share at which presale would match the batch, so no verdict rests on it.
    presale_accept_share: float = Field(
        0.9, ge=0, le=1, description="ASSUMED share of demand that accepts the 45-day presale wait and pre-orders, in [0, 1]"
    )
    presale_cancel_share: float = Field(
        0.1, ge=0, le=1, description="ASSUMED share of pre-order buyers who cancel during the 45-day wait, in [0, 1]"
    )
    monte_carlo_draws: int = Field(
        200000, ge=1000, le=10000000, description="demand draws for the Monte Carlo check of the newsvendor"
    )
    choice_intercept: float = Field(
        0.5, ge=-10, le=10, description="TRUE log-odds of buying for a price-seeking buyer at price 0 (simulation)"
    )
    price_coef: float = Field(
        -3.0, ge=-20, le=20, description="TRUE price coefficient of a price-seeking buyer, log-odds per RMB 1,000 (simulation)"
    )
    trust_premium: float = Field(
        1.0, ge=-10, le=10, description="TRUE extra log-odds of buying for a trust-driven buyer (simulation)"
    )
    trust_price_interaction: float = Field(
        2.0, ge=-20, le=20, description="TRUE change of the price coefficient for trust-driven buyers, per RMB 1,000 (simulation)"
    )
    trust_share_price_platform: float = Field(
        0.2, ge=0, le=1, description="ASSUMED share of trust-driven buyers on the price-positioned platform, in [0, 1]"
    )
    trust_share_trust_platform: float = Field(
        0.7, ge=0, le=1, description="ASSUMED share of trust-driven buyers on the trust-positioned platform, in [0, 1]"
    )
    n_buyers: int = Field(20000, ge=500, le=5000000, description="simulated buyers in the choice model")
    alpha: float = Field(0.05, gt=0, lt=1, description="1 - confidence level of the logit intervals, in (0, 1)")
    support_max_age_years: float = Field(
        5.0, gt=0, description="fast-brand support: founded within this many years (article fact)"
    )
    support_own_brand_share_min: float = Field(
        0.3, ge=0, lt=1, description="fast-brand support: own-brand GMV share above this, share (article fact, 30 %)"
    )
    support_monthly_gmv_min: float = Field(
        2000000.0, ge=0, description="fast-brand support: monthly live GMV above this, RMB (article fact)"
    )
    fastbrand_target: int = Field(500, ge=1, description="fast brands Kuaishou planned to incubate in 2022 (article fact)")
    n_merchants: int = Field(
        20000, ge=1, le=10000000, description="ASSUMED number of brand merchants in the simulated population"
    )
    merchant_age_mean_years: float = Field(4.0, gt=0, description="ASSUMED mean brand age (exponential), years")
    merchant_own_share_mean: float = Field(0.4, gt=0, lt=1, description="ASSUMED mean own-brand GMV share (beta), in (0, 1)")
    merchant_own_share_concentration: float = Field(
        4.0, gt=0, description="ASSUMED beta concentration a + b of the own-brand share"
    )
    merchant_gmv_median: float = Field(200000.0, gt=0, description="ASSUMED median monthly live GMV (lognormal), RMB")
    # At most 10: one log-sd is then a factor of 22,000; far beyond it the draws overflow to infinity.
    merchant_gmv_sigma: float = Field(1.5, gt=0, le=10, description="ASSUMED log-sd of monthly live GMV")
    merchant_core_share: float = Field(
        0.6, ge=0, le=1, description="ASSUMED share of merchants with Kuaishou as core channel, in [0, 1]"
    )
    include_secondary_sources: bool = Field(True, description="keep V-2 (secondary copy) rows of the platform figures")
    seed: int = Field(20220623, ge=0, description="random seed: choices use seed, Monte Carlo seed + 1, merchants seed + 2")

    @model_validator(mode="after")
    def _rules(self) -> Parameters:
        if self.promo_price > self.list_price:
            raise ParameterError(
                f"parameter 'promo_price': promo price {self.promo_price!r} is above the list price {self.list_price!r}"
            )
        if self.salvage_value > self.promo_price:
            raise ParameterError(
                f"parameter 'salvage_value': a returned defective pair worth {self.salvage_value!r} is more than "
                f"the refund (promo_price {self.promo_price!r})"
            )
        if self.unit_cost >= self.menswear_price:
            raise ParameterError(
                f"parameter 'unit_cost': must be below the price (menswear_price {self.menswear_price!r}), got {self.unit_cost!r}"
            )
        if self.newsvendor_salvage >= self.unit_cost:
            raise ParameterError(
                f"parameter 'newsvendor_salvage': must be below unit_cost {self.unit_cost!r}, got {self.newsvendor_salvage!r}"
            )
        return self


def check_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Notebook 03's complete parameter set: ``params`` over the defaults, checked by :class:`Parameters`."""
    return Parameters.check(params)


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


def run_analysis(params: Mapping[str, Any]) -> PricingRun:
    """Notebook 03's one orchestration: every recorded result from a parameter dict, with the pieces.

    Seeds: choices use ``seed``, the newsvendor Monte Carlo ``seed + 1``, the merchants ``seed + 2``.
    The notebook records ``results`` and displays the pieces; :func:`analysis` (the fast path of
    ``trustlab sweep --fast``) returns the same ``results``.
    """
    p = check_params(params)
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
    presale = float(presale_expected_profit(price, unit_cost, demand_mean, p["presale_cancel_share"], p["presale_accept_share"]))
    truth = choice_truth(p)
    mix = platform_mix(p)
    choices = simulate_choices(p["n_buyers"], p["seed"], truth, mix, PRICE_TIERS_RMB)
    logit = estimate_choice_logit(choices, truth, p["alpha"])
    merchants = merchant_population(p)
    criteria = support_criteria(p)
    n_eligible = int(eligible(merchants, criteria).sum())
    share_expected = expected_eligible_share(
        criteria,
        p["merchant_age_mean_years"],
        p["merchant_own_share_mean"],
        p["merchant_own_share_concentration"],
        p["merchant_gmv_median"],
        p["merchant_gmv_sigma"],
        p["merchant_core_share"],
    )
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
        "breakeven_cancel_share": breakeven_cancel_share_of(nv, price, unit_cost, demand_mean, p["presale_accept_share"]),
        "breakeven_accept_share": breakeven_accept_share(nv, price, unit_cost, demand_mean, p["presale_cancel_share"]),
        "eligible_brands": n_eligible,
        "eligible_share": n_eligible / p["n_merchants"],
        "eligible_share_expected": share_expected,
        # like with like: the target is a count of brands, so it is set against the merchants a
        # population like the simulated one would need for that many to qualify
        "merchants_for_target": p["fastbrand_target"] / share_expected if share_expected > 0 else math.inf,
        "logit_params": logit.record(),
        "logit_converged": logit.converged,
        "logit_problems": list(logit.problems),
        "logit_far_terms": logit.far_terms,
        "logit_recovered_terms": logit.recovered_terms,
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
