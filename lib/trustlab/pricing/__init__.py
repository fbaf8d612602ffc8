"""Pricing and platform positioning: the Beiyuan Shijia (貝源世家) case in the 2022-06-23 article
(notebook ``03_pricing_positioning``).

The article argues that a platform positioned on low prices holds back a high-priced brand, while
Kuaishou's trust model lets the streamer's and brand's own positioning lead. One module per sub-topic:

- :mod:`~trustlab.pricing.positioning`: reported and derived spend per buyer by platform;
- :mod:`~trustlab.pricing.choice`: the price-positioning fit, a buy / not-buy logit simulated and estimated back;
- :mod:`~trustlab.pricing.claim`: what the claim implies in that logit, in closed form, and where it holds;
- :mod:`~trustlab.pricing.launch`: the case numbers of the shoe launch and the support threshold in units;
- :mod:`~trustlab.pricing.recall`: the recall decision, option A against option B;
- :mod:`~trustlab.pricing.newsvendor`: semi-presale against batch production;
- :mod:`~trustlab.pricing.eligibility`: the fast-brand support criteria over a simulated merchant population;
- :mod:`~trustlab.pricing.parameters`: the notebook's parameter contract and the inputs it gives each sub-topic;
- :mod:`~trustlab.pricing.analysis`: the notebook's one orchestration (:func:`run`;
  :func:`recorded_results` is its fast path), every recorded result from the parameters;
- :mod:`~trustlab.pricing.narrative`: the Summary, the run-dependent caveats and the result sentences,
  formatted from the recorded results and the parameters.

The data come from :mod:`trustlab.data.positioning` and :mod:`trustlab.data.facts`. Money is in RMB
unless a name says otherwise; shares are in [0, 1]; counts are plain numbers.
"""

from trustlab.pricing.analysis import PricingRun, recorded_results, run
from trustlab.pricing.choice import (
    FAR_TOLERANCE,
    LOGIT_TERMS,
    ChoiceTruth,
    LogitFit,
    buy_probability,
    conversion_table,
    estimate_choice_logit,
    far_from_truth,
    fit_choice_logit,
    logit_params_dict,
    simulate_choices,
)
from trustlab.pricing.claim import (
    INTERACTION_RANGE,
    PRICE_PLATFORM,
    PRICE_TIERS_RMB,
    TRUST_PLATFORM,
    claim_in_model,
    claim_interaction_intervals,
    claim_map,
    expected_conversion,
    log_trust_advantage,
)
from trustlab.pricing.eligibility import (
    MERCHANT_COLUMNS,
    SupportCriteria,
    eligibility_sensitivity,
    eligible,
    expected_eligible_share,
    pass_shares,
    simulate_merchants,
)
from trustlab.pricing.launch import LaunchNumbers, launch_numbers, support_threshold_units
from trustlab.pricing.narrative import caveats, summary
from trustlab.pricing.newsvendor import (
    NewsvendorResult,
    breakeven_accept_share,
    breakeven_cancel_share,
    critical_ratio,
    lognormal_lost_sales,
    lognormal_parameters,
    newsvendor,
    newsvendor_monte_carlo,
    newsvendor_profit_curve,
    presale_expected_profit,
)
from trustlab.pricing.parameters import (
    FACT_PARAMETERS,
    Parameters,
    batch_inputs,
    check_params,
    choice_truth,
    fact_parameter_table,
    merchant_population,
    platform_mix,
    support_criteria,
)
from trustlab.pricing.positioning import spend_per_buyer
from trustlab.pricing.recall import (
    CustomerSide,
    RecallCosts,
    RecallVerdict,
    breakeven_cost_ratio,
    breakeven_redemption_rate,
    customer_side,
    recall_cost_a,
    recall_cost_b,
    recall_costs,
    recall_verdict,
)

__all__ = [
    "FAR_TOLERANCE",
    "LogitFit",
    "estimate_choice_logit",
    "far_from_truth",
    "PricingRun",
    "claim_in_model",
    "claim_interaction_intervals",
    "claim_map",
    "log_trust_advantage",
    "INTERACTION_RANGE",
    "expected_conversion",
    "run",
    "recorded_results",
    "RecallVerdict",
    "breakeven_cost_ratio",
    "recall_verdict",
    "caveats",
    "summary",
    "pass_shares",
    "LOGIT_TERMS",
    "ChoiceTruth",
    "buy_probability",
    "conversion_table",
    "fit_choice_logit",
    "logit_params_dict",
    "simulate_choices",
    "MERCHANT_COLUMNS",
    "SupportCriteria",
    "eligibility_sensitivity",
    "eligible",
    "expected_eligible_share",
    "simulate_merchants",
    "LaunchNumbers",
    "launch_numbers",
    "support_threshold_units",
    "NewsvendorResult",
    "breakeven_cancel_share",
    "critical_ratio",
    "newsvendor",
    "newsvendor_monte_carlo",
    "newsvendor_profit_curve",
    "presale_expected_profit",
    "breakeven_accept_share",
    "lognormal_lost_sales",
    "lognormal_parameters",
    "FACT_PARAMETERS",
    "Parameters",
    "PRICE_PLATFORM",
    "PRICE_TIERS_RMB",
    "TRUST_PLATFORM",
    "batch_inputs",
    "check_params",
    "choice_truth",
    "fact_parameter_table",
    "merchant_population",
    "platform_mix",
    "support_criteria",
    "spend_per_buyer",
    "CustomerSide",
    "RecallCosts",
    "breakeven_redemption_rate",
    "customer_side",
    "recall_cost_a",
    "recall_cost_b",
    "recall_costs",
]
