"""Notebook ``03_pricing_positioning``'s narrative: the Summary, the result sentences and the caveats,
formatted from a run's recorded results (:func:`trustlab.pricing.analysis.run`) and its parameters, with
:mod:`trustlab.prose` for every number, so that each sentence stays true under any valid parameters.

Every builder returns a list of markdown lines (bullets or sentences); verdicts follow the numbers
they cite. The property test ``tests/pricing/test_pricing_narrative.py`` builds all of them over the
parameter space.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from trustlab import prose
from trustlab.pricing.choice import LOGIT_TERMS
from trustlab.pricing.claim import INTERACTION_RANGE, PRICE_PLATFORM, PRICE_TIERS_RMB, TRUST_PLATFORM

_TERM_NAMES = {
    "intercept": "the intercept",
    "price_per_1000_rmb": "the price coefficient",
    "trust_premium": "the trust premium",
    "trust_x_price": "the trust × price interaction",
}


def rmb(value: float) -> str:
    """An amount of money in running text: "RMB 1,099", "RMB 191.7", "RMB −549"."""
    return f"RMB {prose.number(value, 4)}"


def _times(ratio: float, digits: int = 3) -> str:
    """How often one platform converts relative to another: "3.2 times as often as", "40.0% as often as",
    "as often as" (a ratio that rounds to 1)."""
    if ratio >= 1:
        text = prose.number(ratio, digits)
        return "as often as" if text == "1" else f"{text} times as often as"
    return f"{prose.percent(ratio, max(1, digits - 2))} as often as"


def _distinct_ratios(top: float, low: float) -> tuple[str, str]:
    """The two ratios worded with enough digits that different values never read as equal."""
    for digits in range(3, 10):
        a, b = _times(top, digits), _times(low, digits)
        if a != b or top == low:
            return a, b
    return _times(top, 10), _times(low, 10)


def _distinct_amounts(a: float, b: float) -> tuple[str, str]:
    """Two amounts of money worded with enough decimals that different amounts never read as equal
    ("RMB 580,000" and "RMB 580,000.4"), so a verdict of "cheaper" always has numbers that show it."""
    if a == b or rmb(a) != rmb(b):
        return rmb(a), rmb(b)
    for decimals in range(1, 13):
        shown_a, shown_b = (f"RMB {v:,.{decimals}f}".replace("-", prose.MINUS) for v in (a, b))
        if shown_a != shown_b:
            return shown_a, shown_b
    return f"RMB {a!r}".replace("-", prose.MINUS), f"RMB {b!r}".replace("-", prose.MINUS)


def _strictly_between_0_and_1(value: float) -> str:
    """A number in (0, 1) with enough digits that it never reads as the bound "0" or "1" (0.9999998)."""
    for digits in range(3, 16):
        text = prose.number(value, digits)
        if text not in ("0", "1") or value in (0.0, 1.0):
            return text
    return prose.number(value, 16)


def _signed_count(n: int) -> str:
    """A change in a count with its sign: "+1,234", "−56", "0"."""
    n = int(n)
    return "0" if n == 0 else ("+" if n > 0 else prose.MINUS) + f"{abs(n):,}"


def _share_clamped(value: float) -> float:
    """A share that is in [0, 1] by construction, rid of floating-point overshoot (1 + 1e-16)."""
    return min(max(float(value), 0.0), 1.0)


# ---------------------------------------------------------------- the price-positioning logit


def _interaction_region(results: Mapping[str, Any]) -> str | None:
    """Where in the trust × price interaction the claim holds (given its premise), as "the trust ×
    price interaction is above −0.649" or "… is from −20 to 20"; None when it holds nowhere in the range."""
    lo, hi = INTERACTION_RANGE
    parts = []
    for start, end in results["claim_interaction_intervals"]:
        if start <= lo and end >= hi:
            parts.append(f"anywhere from {prose.number(lo)} to {prose.number(hi)}")
        elif start <= lo:
            parts.append(f"below {prose.number(end)}")
        elif end >= hi:
            parts.append(f"above {prose.number(start)}")
        else:
            parts.append(f"between {prose.number(start)} and {prose.number(end)}")
    return "the trust × price interaction is " + " or ".join(parts) if parts else None


def claim_region_sentence(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """Where the claim holds in closed form: the premise (shares) and the interaction's region, which
    the shares do not move; the rest of the logit's parameters as assumed."""
    region = _interaction_region(results)
    assumed = f"this run assumes {prose.number(params['trust_price_interaction'])}"
    lo, hi = INTERACTION_RANGE
    if region is None:
        return (
            "In closed form, with the assumed intercept, price coefficient and trust premium, the model bears out the claim "
            f"at no trust × price interaction from {prose.number(lo)} to {prose.number(hi)} per RMB 1,000 "
            f"({assumed}), whatever the platforms' shares of trust-driven buyers."
        )
    return (
        "In closed form, with the assumed intercept, price coefficient and trust premium, the model bears out the claim "
        "exactly when the trust-positioned platform has more trust-driven buyers than the price-positioned one and "
        f"{region} per RMB 1,000 ({assumed}); how many more trust-driven buyers does not move that boundary."
    )


def claim_lines(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """What the article's claim implies in the logit under the assumed parameters, and its verdict."""
    top, low = max(PRICE_TIERS_RMB), min(PRICE_TIERS_RMB)
    ratio_top, ratio_low = results["conversion_ratio_top_tier"], results["conversion_ratio_bottom_tier"]
    top_text, low_text = _distinct_ratios(ratio_top, ratio_low)
    conv_top = results["conversion_top_tier"]
    first = (
        f"Under the assumed parameters, at {rmb(top)} the trust-positioned platform "
        f"({prose.percent(params['trust_share_trust_platform'])} trust-driven buyers) converts {top_text} the "
        f"price-positioned one ({prose.percent(params['trust_share_price_platform'])}): "
        f"{prose.percent(conv_top[TRUST_PLATFORM])} against {prose.percent(conv_top[PRICE_PLATFORM])} of buyers; "
        f"at {rmb(low)}, {low_text.removesuffix(' as')}."
    )
    if not results["claim_premise_holds"]:
        verdict = (
            "So under these assumptions the claim **fails** in the model: the trust-positioned platform has no more "
            "trust-driven buyers than the price-positioned one, so the assumed values contradict the claim's premise."
        )
    elif results["claim_holds_in_model"]:
        verdict = (
            "So under these assumptions the claim holds in the model: the trust-positioned platform converts "
            "better at the brand's price, and its advantage is larger at the high price than at the low one."
        )
    elif ratio_top <= 1:
        verdict = (
            "So under these assumptions the claim **fails** in the model: at the highest price the "
            "trust-positioned platform converts no better than the price-positioned one."
        )
    else:
        verdict = (
            "So under these assumptions the claim **fails** in the model: the trust-positioned platform converts "
            "better, but its advantage is no larger at the high price than at the low one, so the price "
            "positioning is not what holds the brand back."
        )
    return [
        first + " " + verdict,
        claim_region_sentence(results, params),
        "This shows what the claim would imply if these assumed values were true; it is not evidence for the "
        "claim: no choice data exist, and every size in the model is assumed.",
    ]


def _logit_usable(results: Mapping[str, Any]) -> bool:
    """Whether the logit estimated back converged without a problem (only then are estimates recorded)."""
    lp = results["logit_params"]
    return (
        bool(results["logit_converged"])
        and not results["logit_problems"]
        and all(math.isfinite(lp[t]["estimate"]) for t in LOGIT_TERMS)
    )


def _unusable_fit(results: Mapping[str, Any]) -> str:
    """Why the logit estimated back supports no conclusion, as a clause."""
    return prose.join(results["logit_problems"] or ["the maximum-likelihood iterations did not converge"])


def _estimation_problem(results: Mapping[str, Any]) -> str | None:
    """One sentence on what went wrong when the logit was estimated back, or None when nothing did."""
    if not _logit_usable(results):
        return (
            f"Estimated back from the simulated choices, the logit supports no conclusion: {_unusable_fit(results)}, "
            "so no estimate from it is reported."
        )
    clause = _far_clause(results)
    return None if clause is None else "Estimated back from the simulated choices, " + clause + "."


def _far_clause(results: Mapping[str, Any]) -> str | None:
    """The estimates of a converged fit that are far from their assumed values, as a clause, or None."""
    far = results["logit_far_terms"]
    if not far:
        return None
    lp = results["logit_params"]
    return (
        ("the estimates of " if len(far) > 1 else "the estimate of ")
        + prose.join(
            f"{_TERM_NAMES[t]} ({prose.number(lp[t]['estimate'])} against an assumed {prose.number(lp[t]['true'])})" for t in far
        )
        + (
            " are far from the values they were simulated from"
            if len(far) > 1
            else " is far from the value it was simulated from"
        )
    )


def logit_lines(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """The logit estimated back from the simulated choices: convergence, distance from the true values,
    interval coverage, and the price slopes of the two buyer types. A fit that did not converge (or
    converged with a problem) gets one sentence saying so, and nothing is read from it."""
    lp = results["logit_params"]
    n = int(params["n_buyers"])
    if not _logit_usable(results):
        return [
            f"- **The logit estimated back from the {prose.number(n)} simulated choices supports no conclusion**: "
            f"{_unusable_fit(results)}. No estimate, interval or coverage is reported from it; the verdict on the "
            "claim above comes from the assumed values alone."
        ]
    lines = []
    far = _far_clause(results)
    if far:
        lines.append(
            f"- **Warning.** Estimated back from the simulated choices, {far}. With {prose.number(n)} buyers the "
            "simulation does not pin the model down; do not read the estimates below as a recovery of the assumed values."
        )
    else:
        lines.append(
            f"- The fit converged and every estimate is within half its size (at least 0.5 log-odds) of the value it "
            f"was simulated from ({prose.number(n)} buyers)."
        )
    seeker, seeker_true = lp["price_per_1000_rmb"]["estimate"], lp["price_per_1000_rmb"]["true"]
    trust = seeker + lp["trust_x_price"]["estimate"]
    trust_true = seeker_true + lp["trust_x_price"]["true"]
    if seeker_true == 0 or seeker == 0:
        sign = ""
    else:
        sign = "; the same sign" if (seeker < 0) == (seeker_true < 0) else "; the OPPOSITE sign"
    lines.append(
        f"- The estimated price coefficient of price-seeking buyers is **{prose.number(seeker)}** log-odds per RMB 1,000 "
        f"(assumed {prose.number(seeker_true)}{sign}); for "
        f"trust-driven buyers it is {prose.number(trust)} (assumed {prose.number(trust_true)})."
    )
    level = 1 - params["alpha"]
    lines.append(
        f"- {results['logit_recovered_terms']} of {len(LOGIT_TERMS)} assumed values lie inside their "
        f"{prose.percent(level)} intervals (about {prose.percent(level)} of intervals are expected to cover)."
    )
    return lines


# ---------------------------------------------------------------- the case numbers


def launch_lines(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """The shoe launch and the support threshold in garments."""
    p = params
    per_minute = results["units_per_minute"]
    threshold_units = p["support_monthly_gmv_min"] / p["menswear_price"]
    return [
        f"- The sneaker listed at {rmb(p['list_price'])} went on sale at {rmb(p['promo_price'])}: a discount of "
        f"**{prose.percent(_share_clamped(results['discount_depth']))}**.",
        f"- {prose.number(p['units'])} pairs in {prose.number(p['sellout_minutes'])} minutes is "
        f"**{prose.number(per_minute)} pairs a minute** (at least: the article says the pairs sold out *within* the time).",
        f"- Revenue at the promo price: {rmb(p['promo_price'] * p['units'])}; at list price it would have been "
        f"{rmb(p['list_price'] * p['units'])}, so {rmb((p['list_price'] - p['promo_price']) * p['units'])} was given up "
        f"on these pairs.",
        f"- The support threshold of {rmb(p['support_monthly_gmv_min'])} of monthly live GMV is "
        f"**{prose.number(threshold_units)} garments a month** at {rmb(p['menswear_price'])}: about "
        f"{prose.number(threshold_units / 30)} a day in a 30-day month, or {prose.number(threshold_units / per_minute)} "
        f"minutes of selling at the launch's pace.",
    ]


def _recall_margin(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """The margin that decides the recall: the break-even cost ratio, and when B wins at every redemption rate."""
    c = params["cost_ratio"]
    r_star = results["breakeven_redemption_rate"]
    c_star = results["breakeven_cost_ratio"]
    c_full = results["breakeven_cost_ratio_full_redemption"]
    if results["b_cheaper_at_every_redemption"]:
        text = "B is cheaper than A at every redemption rate from 0 to 100%" + (
            f" as long as the brand's cost per RMB of redeemed goods is below {prose.number(c_full)} "
            f"(this run assumes {prose.number(c)})"
            if math.isfinite(c_full)
            else ", whatever the cost ratio"
        )
        if math.isfinite(r_star) and r_star > 1:
            text += f"; the break-even redemption rate, {prose.number(r_star)}, is above 1 and so decides nothing"
        return text + "."
    parts = []
    if math.isfinite(c_star):
        parts.append(
            f"at the assumed redemption rate B is cheaper while the brand's cost per RMB of redeemed goods is "
            f"below {prose.number(c_star)} (this run assumes {prose.number(c)})"
        )
    elif math.isinf(c_star):
        parts.append("at the assumed redemption rate B is cheaper whatever the cost ratio")
    if math.isfinite(c_full) and c_full > 0:
        parts.append(f"below a cost ratio of {prose.number(c_full)} B would be cheaper at every redemption rate")
    if math.isfinite(r_star) and 0 <= r_star <= 1:
        parts.append(f"at this cost ratio B is cheaper while less than {prose.percent(r_star)} of voucher value is redeemed")
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def recall_lines(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """The recall decision from the brand's side (with the margin that decides it) and the customer's."""
    p = params
    a, b = results["recall_cost_a"], results["recall_cost_b"]
    cheaper = "B is cheaper" if b < a else ("A is cheaper" if a < b else "they cost the same")
    shown_a, shown_b = _distinct_amounts(a, b)
    brand = (
        f"- At a redemption rate of {prose.percent(p['redemption_rate'])} and a cost of {prose.number(p['cost_ratio'])} "
        f"per RMB of goods redeemed, A costs the brand {shown_a} and B {shown_b} for "
        f"{prose.number(p['recall_customers'])} "
        f"customers: {cheaper}. {_recall_margin(results, params)} The refund is cash; a voucher costs only the goods "
        "redeemed with it."
    )
    gap = p["voucher_b"] - p["voucher_a"]
    v = p["customer_voucher_value"]
    value_a = p["promo_price"] + v * p["voucher_a"] - p["return_hassle"]
    value_b = p["defective_pair_value"] + v * p["voucher_b"]
    threshold = results["customer_min_voucher_value_for_b"]
    if threshold == 0:
        who = "B is the better choice whatever the voucher is worth to the customer."
    elif math.isfinite(threshold) and threshold <= 1:
        who = (
            f"B is the better choice for anyone who values RMB 1 of voucher at {prose.number(threshold)} or more (here "
            f"{prose.number(v)}): a customer who expects to buy from the brand again."
        )
    else:
        who = "No voucher valuation up to RMB 1 per RMB makes B the better choice for the customer."
    difference = (
        f"the difference between the vouchers ({rmb(p['voucher_b'])} − {rmb(p['voucher_a'])} = {rmb(gap)}) "
        f"at their valuation ({rmb(v * gap)})"
    )
    if value_a == value_b:
        why = "With these values the customer is indifferent between A and B."
    elif results["customer_prefers_b"]:
        why = (
            f"With these values the customer prefers B, as all of the brand's customers did, by {rmb(value_b - value_a)}: "
            f"the pair kept ({rmb(p['defective_pair_value'])}) plus {difference} plus the return saved "
            f"({rmb(p['return_hassle'])}), less the refund given up ({rmb(p['promo_price'])})."
        )
    else:
        why = (
            f"With these values the customer would prefer A, by {rmb(value_a - value_b)}, which is not what the brand's "
            "customers did: trust (a higher voucher valuation) or a pair still worth wearing is needed to explain "
            "their choice."
        )
    shown_value_a, shown_value_b = _distinct_amounts(value_a, value_b)
    customer = f"- The customer: A is worth {shown_value_a}, B {shown_value_b}. {who} {why}"
    return [brand, customer]


def _presale_margins(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """What would change the presale verdict, one assumption at a time: the share of demand that must
    accept the wait (at the assumed cancellations) and the cancellation share (at the assumed acceptance)."""
    a_star, k_star = results["breakeven_accept_share"], results["breakeven_cancel_share"]
    a, k = params["presale_accept_share"], params["presale_cancel_share"]
    at_k = f"at {prose.percent(k)} cancellations"
    at_a = f"at {prose.percent(a)} acceptance"
    presale, nv = results["presale_expected_profit"], results["newsvendor_expected_profit"]
    if presale > nv:
        return (
            f"it stays better while at least {_share(a_star)} of demand accepts the wait ({at_k}) and while fewer "
            f"than {_share(k_star)} of pre-order buyers cancel ({at_a})"
        )
    no_acceptance_suffices = not math.isfinite(a_star) or a_star > 1
    if no_acceptance_suffices:
        accept = f"no share of demand accepting the wait would make it match the batch {at_k}"
    else:
        accept = f"it would match the batch only if at least {_share(a_star)} of demand accepted the wait ({at_k})"
    if k_star <= 0:
        return f"{accept}; {at_a} it earns less even if no pre-order buyer cancelled"
    if no_acceptance_suffices:
        return f"{accept}; {at_a} it would match it if fewer than {_share(k_star)} of pre-order buyers cancelled"
    return f"{accept}, or if fewer than {_share(k_star)} of pre-order buyers cancelled ({at_a})"


def presale_lines(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """The newsvendor's sanity checks and semi-presale against the optimal batch."""
    p = params
    nv, presale = results["newsvendor_expected_profit"], results["presale_expected_profit"]
    mc, se = results["newsvendor_mc_profit"], results["newsvendor_mc_std_err"]
    cr = results["critical_ratio"]
    gap = abs(mc - nv)
    gap_se = f", {prose.number(gap / se)} standard errors" if se > 0 else ""
    shown_presale, shown_nv = _distinct_amounts(presale, nv)
    if presale > nv:
        verdict = f"Semi-presale is **better**; {_presale_margins(results, params)}."
    elif presale < nv:
        verdict = f"Semi-presale is **worse**; {_presale_margins(results, params)}."
    else:
        verdict = "Semi-presale and the batch earn the same."
    return [
        f"- The critical ratio is **{_strictly_between_0_and_1(cr)}**, "
        f"{'inside (0, 1) as it must be' if 0 < cr < 1 else 'OUTSIDE (0, 1): check the parameters'}; the batch, "
        f"that quantile of the lognormal demand, is **{prose.number(results['newsvendor_quantity'])} garments** against "
        f"a mean demand of {prose.number(p['demand_mean'])}.",
        f"- Monte Carlo ({prose.number(p['monte_carlo_draws'])} draws) differs from the closed form by {rmb(gap)}{gap_se}.",
        f"- Expected profit of the optimal batch: {shown_nv}. Semi-presale, with {prose.percent(p['presale_accept_share'])} "
        f"of demand accepting the 45-day wait and {prose.percent(p['presale_cancel_share'])} of those cancelling: "
        f"{shown_presale}. {verdict}",
    ]


def _share(value: float) -> str:
    """A share in [0, 1] as a percentage with enough decimals that a share above 0 never reads as 0."""
    value = _share_clamped(value)
    if value == 0:
        return "0%"
    for decimals in range(1, 7):
        text = prose.percent(value, decimals)
        if float(text[:-1]) > 0:
            return text
    return f"less than {prose.percent(1e-8, 6)}"


def _signed_points(change: float) -> str:
    """A change of a share (0.012 for 1.2 points) in percentage points with its sign: "+1.2 percentage
    points", "−0.05 percentage points", "no change"."""
    for decimals in range(1, 7):
        text = f"{100 * abs(change):.{decimals}f}"
        if float(text) > 0:
            return ("+" if change > 0 else prose.MINUS) + f"{text} percentage points"
    return "no change"


def _merchants(n: float) -> str:
    return f"{prose.number(n)} simulated merchant" + ("" if n == 1 else "s")


def _target_clause(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """The 2022 target (a count of brands) against the merchants a population like the simulated one
    would need for that many to qualify: a count against a count."""
    target = params["fastbrand_target"]
    needed = results["merchants_for_target"]
    brands = f"{prose.number(target)} fast brand" + ("" if target == 1 else "s")
    if not math.isfinite(needed):
        return (
            f"no merchant drawn from these distributions can meet every criterion, so no merchant base like this one "
            f"yields the 2022 target of {brands}"
        )
    if needed > 1e12:
        return f"for the 2022 target of {brands} to qualify, a merchant base like this one would need more than a trillion brand merchants"
    count = math.ceil(needed - 1e-9 * needed)  # the fewest merchants whose expected eligible count reaches the target
    return (
        f"for the 2022 target of {brands} to qualify, a merchant base like this one would need about "
        f"{count:,} brand merchant" + ("" if count == 1 else "s")
    )


def eligibility_lines(
    results: Mapping[str, Any], params: Mapping[str, Any], passes: Mapping[str, float], sensitivity: pd.DataFrame
) -> list[str]:
    """The share of the simulated population meeting every criterion (beside its closed-form value),
    what the target implies for the merchant base, the share passing each criterion and the threshold
    that moves the share most (``passes``: criterion -> share in [0, 1]; ``sensitivity`` from
    :func:`~trustlab.pricing.eligibility_sensitivity`)."""
    n = params["n_merchants"]
    steps = sensitivity.dropna(subset=["factor"]).assign(step=lambda d: (d["factor"] - 1).abs())
    half = steps[(steps["step"] - 0.5).abs() < 1e-9]
    looser = half[half["direction"] == "looser"].set_index("threshold")["share_change"]
    tighter = half[half["direction"] == "tighter"].set_index("threshold")["share_change"]
    if looser.empty or (looser == 0).all() and (tighter == 0).all():
        moves = "Loosening or tightening one threshold at a time by half leaves the share unchanged."
    else:
        most = (looser.abs() + tighter.reindex(looser.index).fillna(0).abs()).idxmax()
        moves = (
            f"Loosening one threshold at a time by half (a 50% lower minimum, a 50% higher age limit), `{most}` moves "
            f"the share most: {_signed_points(looser[most])}; tightening it by half: "
            f"{_signed_points(tighter.get(most, 0.0))}."
        )
    return [
        f"Of the {_merchants(n)} (all distributions assumed), **{_share(results['eligible_share'])}** "
        f"({prose.number(results['eligible_brands'])}) meet every criterion; the assumed distributions give "
        f"{_share(results['eligible_share_expected'])} in closed form. {_target_clause(results, params)[0].upper()}"
        f"{_target_clause(results, params)[1:]}. Share passing each criterion alone: "
        + "; ".join(f"{k} {prose.percent(v)}" for k, v in passes.items())
        + ". "
        + moves
        + " The shares say what the criteria do to a population like this one, not how many brands Kuaishou has."
    ]


# ---------------------------------------------------------------- public figures


def fact_check_text(fact_check: pd.DataFrame) -> str:
    """Whether every article-fact parameter equals its fact, from :func:`~trustlab.pricing.tables.fact_check_table`
    (``agrees`` "yes" or "NO"), naming the parameters a scenario changed."""
    changed = fact_check.loc[fact_check["agrees"] != "yes", "parameter"].tolist()
    if not changed:
        return "All article-fact parameters equal the facts."
    return f"**Changed from the article:** {', '.join(changed)} (this run is a scenario, not the case)."


def positioning_lines(spend: pd.DataFrame) -> list[str]:
    """Spend per buyer by platform, from :func:`~trustlab.pricing.spend_per_buyer`'s table."""
    comparable = spend[spend["comparable"]]
    not_comparable = spend[~spend["comparable"]]
    lines = []
    for platform, group in comparable.groupby("platform", sort=False):
        group = group.dropna(subset=["spend_per_buyer_rmb"])
        if group.empty:
            continue
        basis = prose.join(sorted(set(group["basis"])))
        values = ", ".join(f"{rmb(v)} ({period})" for period, v in zip(group["period"], group["spend_per_buyer_rmb"]))
        line = f"- {platform}: annual spend per active buyer ({basis}): {values}."
        bound = group.dropna(subset=["reported_rmb"])
        bound = bound[bound["reported_qualifier"].isin([">", "<"])]
        for row in bound.itertuples():
            verb = "respects" if bool(row.bound_consistent) else "violates"
            line += f" The {row.period} derived figure {verb} the reported '{row.reported_qualifier}{rmb(row.reported_rmb)}'."
        reproduced = group.dropna(subset=["reported_rmb", "derived_rmb"])
        reproduced = reproduced[(reproduced["basis"] == "reported")]
        if not reproduced.empty:
            line += (
                " Where GMV and buyers are also given, GMV / buyers reproduces the reported figure within "
                f"{rmb((reproduced['derived_rmb'] - reproduced['reported_rmb']).abs().max())}."
            )
        lines.append(line)
    for platform, group in not_comparable.groupby("platform", sort=False):
        lines.append(
            f"- {platform}: {len(group)} quarters of *average monthly* buyers "
            f"({prose.number(group['monthly_buyers_m'].min())}–{prose.number(group['monthly_buyers_m'].max())} million, "
            f"status {', '.join(sorted(set(group['status'])))}); no annual active buyers are published, so no spend per "
            "buyer comparable with the rows above can be formed, and none is shown."
        )
    return lines


def _positioning_summary(spend: pd.DataFrame | None) -> str | None:
    if spend is None:
        return None
    places = sorted(set(spend.loc[spend["comparable"], "platform"]))
    kuaishou = spend[spend["platform"] == "Kuaishou"]
    if kuaishou.empty:
        where = "This run leaves out the secondary copies (V-2), which are all there is for Kuaishou, so"
    elif kuaishou["comparable"].any():
        return (
            f"**Public figures** place Kuaishou beside {prose.join(p for p in places if p != 'Kuaishou')} on "
            "spend per annual buyer (see the table)."
        )
    else:
        where = "Kuaishou publishes only average monthly buyers, so"
    return (
        f"**Public figures cannot place Kuaishou** on the price axis: {where} its spend per annual buyer cannot be "
        f"formed beside {prose.join(places) if places else 'the other platforms'}. The article's positioning claim is "
        "not a number."
    )


# ---------------------------------------------------------------- summary and caveats


def _summary_region(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    region = _interaction_region(results)
    assumed = prose.number(params["trust_price_interaction"])
    if region is None:
        lo, hi = INTERACTION_RANGE
        return (
            f" With the assumed intercept, price coefficient and trust premium it holds at no trust × price interaction "
            f"from {prose.number(lo)} to {prose.number(hi)} (assumed {assumed}), whatever the platforms' shares."
        )
    return (
        f" Whenever its premise holds, it holds exactly when {region} per RMB 1,000 (assumed {assumed}): the "
        "assumed interaction, not data, decides it."
    )


def summary(results: Mapping[str, Any], params: Mapping[str, Any], spend: pd.DataFrame | None = None) -> list[str]:
    """The notebook's Summary: bullets that answer its question, from the recorded results and the
    parameters (and the spend-per-buyer table, when given). True under any valid parameters."""
    p = params
    claim = (
        "**The logit shows what the claim implies under assumed parameters; it is not evidence for it.** "
        + (
            "Under this run's assumptions the claim holds in the model: "
            if results["claim_holds_in_model"]
            else "Under this run's assumptions the claim **fails** in the model: "
        )
        + f"at {rmb(max(PRICE_TIERS_RMB))} the trust-positioned platform converts "
        + _distinct_ratios(results["conversion_ratio_top_tier"], results["conversion_ratio_bottom_tier"])[0]
        + f" the price-positioned one; at {rmb(min(PRICE_TIERS_RMB))}, "
        + _distinct_ratios(results["conversion_ratio_top_tier"], results["conversion_ratio_bottom_tier"])[1].removesuffix(" as")
        + "."
        + (
            ""
            if results["claim_premise_holds"]
            else " The trust-positioned platform has no more trust-driven buyers than the price-positioned one: the "
            "assumed values contradict the claim's premise."
        )
        + _summary_region(results, params)
    )
    problem = _estimation_problem(results)
    if problem:
        claim += " " + problem
    bullets = [claim]
    positioning = _positioning_summary(spend)
    if positioning:
        bullets.append(positioning)
    a, b = results["recall_cost_a"], results["recall_cost_b"]
    shown_a, shown_b = _distinct_amounts(a, b)
    if b < a:
        which = f"B (keep the pair + voucher) is cheaper: {shown_b} against {shown_a} for A"
    elif a < b:
        which = f"A (refund + voucher) is cheaper: {shown_a} against {shown_b} for B"
    else:
        which = f"both options cost the same: {shown_a} each"
    bullets.append(f"**Recall:** for the brand, {which}, under assumed costs. " + _recall_margin(results, params))
    nv, presale = results["newsvendor_expected_profit"], results["presale_expected_profit"]
    better = "earns more than" if presale > nv else ("earns less than" if presale < nv else "earns the same as")
    shown_presale, shown_nv = _distinct_amounts(presale, nv)
    margins = "" if presale == nv else f"; {_presale_margins(results, params)}"
    bullets.append(
        f"**Semi-presale**, with {prose.percent(p['presale_accept_share'])} of demand accepting the 45-day wait and "
        f"{prose.percent(p['presale_cancel_share'])} of those cancelling, {better} the optimal batch ({shown_presale} "
        f"against {shown_nv}){margins}. Costs and the lognormal demand are assumed."
    )
    bullets.append(
        f"**Fast-brand support:** {_share(results['eligible_share'])} of the {_merchants(p['n_merchants'])} "
        f"{'meets' if p['n_merchants'] == 1 else 'meet'} every "
        f"published criterion ({_share(results['eligible_share_expected'])} under the assumed distributions); "
        f"{_target_clause(results, params)}. The population is assumed, so this shows what the criteria do, not how "
        "many brands qualify."
    )
    return bullets


def caveats(results: Mapping[str, Any], params: Mapping[str, Any], spend: pd.DataFrame | None = None) -> list[str]:
    """The caveats that depend on the run, formatted from its values."""
    p = params
    lines = []
    if spend is not None:
        kuaishou = spend[spend["platform"] == "Kuaishou"]
        if kuaishou.empty:
            ks = "This run has no Kuaishou figures (secondary copies are left out)"
        else:
            ks = (
                f"For Kuaishou only {len(kuaishou)} quarters of average *monthly* buyers exist (status "
                f"{', '.join(sorted(set(kuaishou['status'])))})"
            )
        lines.append(
            "- **Spend per buyer is not a price position.** Annual spend per buyer mixes basket size, frequency "
            f"and category. {ks}, so the platform the article is about cannot be placed on the same axis. The "
            "article's own positioning claim about Taobao is not a number."
        )
    if not _logit_usable(results):
        problem: str | None = f"the fit supports no conclusion: {_unusable_fit(results)}"
    else:
        problem = _far_clause(results)
    lines.append(
        "- **The logit is a simulation, not evidence.** Every size in it is assumed: trust-driven buyers are "
        f"{prose.percent(p['trust_share_trust_platform'])} of the trust-positioned platform and "
        f"{prose.percent(p['trust_share_price_platform'])} of the price-positioned one, the trust premium is "
        f"{prose.number(p['trust_premium'])} log-odds and the trust × price interaction {prose.number(p['trust_price_interaction'])} "
        f"per RMB 1,000. {prose.number(p['n_buyers'])} choices were simulated and the model estimated back"
        + (f", and {problem}." if problem else "; the estimates are close to the assumed values.")
        + " No choice data were available."
    )
    lines.append(
        f"- **Recall.** The article gives the offer and that every customer chose B; the brand's costs (cost ratio "
        f"{prose.number(p['cost_ratio'])}, redemption {prose.percent(p['redemption_rate'])}, shipping {rmb(p['return_shipping'])}, "
        f"salvage {rmb(p['salvage_value'])}) and the customers' valuations are assumptions. One redemption rate serves both "
        "vouchers; vouchers may also bring extra spending, which is not counted."
    )
    lines.append(
        "- **Presale.** Buyers who pre-order pay the same price as from stock, and the only costs of waiting counted are "
        f"the buyers who will not wait ({prose.percent(1 - p['presale_accept_share'])} of demand, assumed: no figure "
        "exists) and the cancellations; a discount for waiting and fabric lead times of 30–60 days against 45-day "
        f"shipping are left out. Demand is lognormal with a coefficient of variation of {prose.number(p['demand_cv'])} "
        "(never negative); its shape, like its mean, is assumed."
    )
    lines.append(
        f"- **Eligibility.** The {prose.number(p['n_merchants'])} merchants are invented (assumed distributions); only the "
        'criteria and the target come from the article. "Kuaishou as core channel" is taken as a yes/no attribute.'
    )
    return lines


def _ratio(value: float) -> str:
    return f"{prose.number(value)} times"


# How the explorer and ``trustlab diff`` show the recorded results (schema key ``results``): the
# notebook's sections, each result worded with the function its sentences word it with.
RESULT_GROUPS: dict[str, dict[str, Any]] = {
    "The sneaker sale": {"discount_depth": prose.percent, "units_per_minute": prose.number},
    "The recall": {
        "recall_cost_a": rmb,
        "recall_cost_b": rmb,
        "recall_b_cheaper": str,
        "breakeven_redemption_rate": prose.number,
        "breakeven_cost_ratio": prose.number,
        "breakeven_cost_ratio_full_redemption": prose.number,
        "b_cheaper_at_every_redemption": str,
        "customer_prefers_b": str,
        "customer_min_voucher_value_for_b": prose.number,
    },
    "Menswear: batch or presale": {
        "critical_ratio": prose.number,
        "newsvendor_quantity": prose.number,
        "newsvendor_expected_profit": rmb,
        "presale_expected_profit": rmb,
        "breakeven_cancel_share": prose.percent,
        "breakeven_accept_share": prose.percent,
        "newsvendor_mc_profit": rmb,
        "newsvendor_mc_std_err": rmb,
    },
    "Buyers' choice (simulation)": {
        "conversion_top_tier": prose.percent,
        "conversion_bottom_tier": prose.percent,
        "conversion_ratio_top_tier": _ratio,
        "conversion_ratio_bottom_tier": _ratio,
        "claim_premise_holds": str,
        "claim_holds_in_model": str,
        "claim_interaction_intervals": prose.number,
        "logit_params": prose.number,
        "logit_converged": str,
        "logit_problems": str,
        "logit_far_terms": str,
        "logit_recovered_terms": prose.number,
    },
    "Fast-brand support": {
        "eligible_brands": prose.number,
        "eligible_share": prose.percent,
        "eligible_share_expected": prose.percent,
        "merchants_for_target": prose.number,
    },
}
