"""Notebook ``03_pricing_positioning`` as one function of its parameters: :func:`run` computes every
recorded result and the pieces the notebook shows (tables, figures); :func:`recorded_results` is its
fast path (``fast:`` in the schema, ``trustlab sweep --fast``). The words are in
:mod:`trustlab.pricing.narrative`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from trustlab.pricing.choice import ChoiceTruth, LogitFit, estimate_choice_logit, simulate_choices
from trustlab.pricing.claim import PRICE_TIERS_RMB, claim_in_model
from trustlab.pricing.eligibility import SupportCriteria, eligible, expected_eligible_share
from trustlab.pricing.launch import LaunchNumbers, launch_numbers
from trustlab.pricing.newsvendor import (
    NewsvendorResult,
    breakeven_accept_share,
    breakeven_cancel_share_from,
    newsvendor,
    newsvendor_monte_carlo,
    presale_expected_profit,
)
from trustlab.pricing.parameters import (
    batch_inputs,
    check_params,
    choice_truth,
    merchant_population,
    platform_mix,
    support_criteria,
)
from trustlab.pricing.positioning import spend_per_buyer
from trustlab.pricing.recall import (
    CustomerSide,
    RecallCosts,
    RecallVerdict,
    breakeven_redemption_rate,
    customer_side,
    recall_costs,
    recall_verdict,
)


@dataclass
class PricingRun:
    """One run of notebook 03's analysis: the recorded ``results`` and the pieces they were computed
    from, which the notebook only displays (tables, figures). Made by :func:`run`."""

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
    params: dict[str, Any]  # the complete, checked parameter set

    # The data the notebook shows beside the results, which no result depends on: read when first
    # shown, so the fast path (a sweep's worker may hold no data files) computes without them.
    @cached_property
    def facts(self) -> pd.DataFrame:
        """The article's facts (data/facts.csv)."""
        from trustlab.data.facts import load_facts

        return load_facts()

    @cached_property
    def positioning(self) -> pd.DataFrame:
        """The platform figures (data/platform_positioning.csv), V-2 rows only if the parameters include them."""
        from trustlab.data.positioning import load_positioning

        return load_positioning(include_secondary=self.params["include_secondary_sources"])

    @cached_property
    def spend(self) -> pd.DataFrame:
        """Spend per buyer by platform and period (:func:`~trustlab.pricing.positioning.spend_per_buyer`)."""
        return spend_per_buyer(self.positioning)


def run(params: Mapping[str, Any]) -> PricingRun:
    """Notebook 03's one orchestration: every recorded result from a parameter dict, with the pieces.

    Seeds: choices use ``seed``, the newsvendor Monte Carlo ``seed + 1``, the merchants ``seed + 2``.
    The notebook records ``results`` and displays the pieces; :func:`recorded_results` (the fast path of
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
        "breakeven_cancel_share": breakeven_cancel_share_from(nv, price, unit_cost, demand_mean, p["presale_accept_share"]),
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
    return PricingRun(
        results,
        launch,
        recall,
        verdict,
        customer,
        nv,
        mc,
        truth,
        choices,
        logit,
        merchants,
        criteria,
        params=p,
    )


def recorded_results(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every recorded result of notebook 03 from a parameter dict, without the notebook: the
    ``results`` of :func:`run` (the fast path of ``trustlab sweep --fast``).

    Besides the recorded results it returns ``newsvendor_mc_profit`` and ``newsvendor_mc_std_err``.
    """
    return run(params).results
