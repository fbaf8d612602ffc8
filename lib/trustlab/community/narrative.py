"""Notebook 04's narrative: its Summary, result sentences and caveats, worded from the run's results
(:func:`trustlab.community.analysis.run`) and parameters with :mod:`trustlab.prose`, so that every
sentence stays true, and free of nan, inf and "+-", under any valid parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from trustlab import prose
from trustlab.community.analysis import Q4_2021_GMV_ROUNDING_RMB

TRUST_BUY = "信任購"


def _confidence(params: Mapping[str, Any]) -> str:
    return prose.percent(1 - params["alpha"])


def _interval(results: Mapping[str, Any], params: Mapping[str, Any], prefix: str = "") -> str:
    return (
        f"elasticity {prose.number(results[prefix + 'slope'])}, {_confidence(params)} interval "
        f"{prose.number(results[prefix + 'slope_lower'])} to {prose.number(results[prefix + 'slope_upper'])}"
    )


def growth_verdict(results: Mapping[str, Any]) -> str:
    """'none' (no estimate), 'positive' or 'negative' (the interval excludes zero on that side) or
    'undetected' (the interval holds zero)."""
    if results["slope"] is None:
        return "none"
    if results["slope_lower"] > 0:
        return "positive"
    if results["slope_upper"] < 0:
        return "negative"
    return "undetected"


def growth_sentence(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """The growth-on-growth answer in one sentence."""
    n, window = results["growth_pairs"], f"{params['start_quarter']} to {params['end_quarter']}"
    verdict = growth_verdict(results)
    if verdict == "none":
        return (
            f"**The public numbers cannot test the claim's mechanism here**: from {window} they give {prose.count(n, 'quarter')} "
            f"in which both GMV per DAU and time per DAU can be compared with a year earlier, and no slope is "
            f"estimated ({results['growth_fit_reason']})."
        )
    pairs = f"in the **{n}** quarters from {window} compared with the same quarter a year earlier"
    if verdict == "positive":
        return (
            f"**Consistent with the claim, but not a test of it**: {pairs}, GMV per DAU grew faster where time per DAU "
            f"grew faster ({_interval(results, params)}); growth of both with the platform as a whole fits the same numbers."
        )
    if verdict == "negative":
        return (
            f"**Against the claim's mechanism**: {pairs}, GMV per DAU grew more slowly where time per DAU grew faster "
            f"({_interval(results, params)})."
        )
    return (
        f"**No relation the public numbers can detect**: {pairs}, the growth of GMV per DAU does not follow the growth "
        f"of time per DAU ({_interval(results, params)}, which holds zero)."
    )


def power_sentence(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """How likely so few pairs were to detect a relation."""
    n = results["growth_pairs"]
    if results["power_at_target"] is None:
        return f"With {prose.count(n, 'pair')} the power of a correlation test cannot be computed (Fisher's z needs at least 4)."
    return (
        f"With {n} pairs, a test at level {prose.number(params['alpha'])} detects a true correlation of "
        f"{prose.number(params['target_correlation'])} with probability {prose.percent(results['power_at_target'])}; "
        f"only a correlation of at least {prose.number(results['detectable_correlation'])} is detected with probability "
        f"{prose.percent(params['power'])}."
    )


def mutual_follow_sentence(results: Mapping[str, Any]) -> str:
    """What the mutual-follow figures allow."""
    growth = results["mutual_follow_growth"]
    k = results["mutual_follow_growth_quarters"]
    if k == 0:
        return "No year-on-year growth of mutual-follow pairs is in the data as loaded: the article's 老鐵 mechanism has no series to test."
    listed = prose.join(f"{q} ({prose.signed_percent(v)})" for q, v in growth.items())
    return (
        f"Growth of mutual-follow pairs is published for {prose.count(k, 'quarter')} only, {listed}: too few to relate to the "
        "growth of GMV, so the community layer's central figure cannot be tested against sales."
    )


def _times_or_share(share: float, noun: str) -> str:
    """A covered share worded truthfully on either side of 1: '51.2% of the orders' or '2.19 times the orders'."""
    if share <= 1:
        return f"{prose.percent(share)} of {noun}"
    return f"{prose.number(share)} times {noun}"


def coverage_sentences(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """The 信任購 coverage, for 2021, for the weeks since the launch and for the 616 festival."""
    value = prose.number(params["order_value_rmb"])
    covered = prose.number(results["trust_buy_orders_2021"] / 1e9)
    lines = []
    if results["trust_buy_share_2021"] is None:
        lines.append(
            f"2021's GMV is not in the data as loaded (its sources are secondary copies), so the share of orders that "
            f"{TRUST_BUY}'s {covered} bn covered orders make cannot be computed."
        )
    else:
        lines.append(
            f"At an ASSUMED RMB {value} an order, 2021's GMV of RMB {prose.number(results['gmv_2021_rmb'] / 1e9)} bn "
            f"({results['gmv_2021_basis']}) implies "
            f"{prose.number(results['orders_2021_implied'] / 1e9)} bn orders; {TRUST_BUY}'s {covered} bn covered orders "
            f"are {_times_or_share(results['trust_buy_share_2021'], 'them')} (all of them at RMB "
            f"{prose.number(results['breakeven_order_value_2021'])} an order)."
        )
    since = results["trust_buy_share_since_launch"]
    if since is not None:
        tail = (
            f"more than the orders there were, so the figure must count orders from before {TRUST_BUY} existed"
            if since > 1
            else "possible only if nearly all of them were covered"
            if since > 0.9
            else "possible"
        )
        lines.append(
            f"Counted from its launch ({results['trust_buy_launch'][:7]}) alone, the same orders would be "
            f"{_times_or_share(since, 'the orders of the rest of 2021')}: {tail}."
        )
    if results["trust_buy_share_616"] is None:
        lines.append("The festival quarter's GMV is not in the data as loaded, so the 616 coverage cannot be computed.")
    else:
        lines.append(
            f"In the {results['festival_days']}-day 616 festival of 2022, more than {prose.number(results['trust_buy_orders_616'] / 1e6)} "
            f"m covered orders are {_times_or_share(results['trust_buy_share_616'], 'the orders its days imply')} at the same "
            f"order value (all of them at RMB {prose.number(results['breakeven_order_value_616'])} an order)."
        )
    return lines


def repurchase_sentence(results: Mapping[str, Any]) -> str:
    """Whether repurchase figures before and after the launch compare."""
    n, pairs, spanning = (
        results["repurchase_figures"],
        results["repurchase_comparable_pairs"],
        results["repurchase_spanning_launch"],
    )
    if pairs:
        return f"{prose.count(pairs, 'pair')} of the {n} repurchase figures compare a stated rate before the launch with one after it."
    span = (
        f"; the {spanning} that span the launch are changes against a year earlier or an unstated base, which mix the "
        f"trust card (early 2021), {TRUST_BUY} and the platform's growth"
        if spanning
        else ""
    )
    return (
        f"**No repurchase figure before {TRUST_BUY}'s launch can be compared with one after it**: none of the {n} published "
        f"figures states its definition (window, base), and no rate is published on both sides{span}."
    )


def summary(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """The notebook's Summary, one bullet per finding, the answer first."""
    return [
        growth_sentence(results, params),
        power_sentence(results, params),
        mutual_follow_sentence(results),
        *coverage_sentences(results, params)[:2],
        repurchase_sentence(results),
    ]


def overlapping_pairs(quarters: list[str]) -> int:
    """Pairs whose base quarter (a year earlier) is itself a compared quarter: they share a figure."""
    periods = {pd.Period(q, freq="Q") for q in quarters}
    return sum((q - 4) in periods for q in periods)


def caveats(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """Caveats built from the run's values."""
    lines = []
    n, primary = results["growth_pairs"], results["growth_pairs_primary"]
    if params["include_secondary_sources"]:
        if results["primary_slope"] is None:
            rest = f"too few to estimate anything ({results['primary_fit_reason']})"
        else:
            rest = _interval(results, params, "primary_")
        lines.append(
            f"{n - primary} of the {n} pairs rest on a secondary copy (V-2) or a derived quarter (D-2); without them "
            f"{primary} remain: {rest}."
        )
    else:
        lines.append(f"Only primary figures are loaded (V, V-c): {prose.count(n, 'pair')} {'remains' if n == 1 else 'remain'}.")
    shared = overlapping_pairs(results["growth_pair_quarters"])
    if shared:
        lines.append(
            f"{shared} of the pairs share a quarter with another pair (its base a year earlier), so the pairs are not "
            "independent and the interval is, if anything, too narrow."
        )
    share = results["dau_share_of_gmv_growth"]
    if share is not None and 0 <= share <= 1:
        lines.append(
            f"DAU growth accounts for {prose.percent(share)} of GMV's log growth over the compared quarters; the rest, "
            "GMV per DAU, also grows with e-commerce as a whole (merchants, categories, shelves), which no comparison of "
            "growth rates separates from trust."
        )
    gmv_ratio, time_ratio = results["gmv_per_dau_ratio"], results["time_per_dau_ratio"]
    if gmv_ratio is not None and time_ratio is not None:
        lines.append(
            f"From the first to the last quarter with a figure GMV per DAU has {prose.grown(gmv_ratio)} and time per DAU "
            f"has {prose.grown(time_ratio)}: levels that trend together correlate whatever drives them, so no level is "
            "regressed on another here."
        )
    bounds = results["trust_buy_share_since_launch_bounds"]
    if bounds is not None:
        step = prose.number(Q4_2021_GMV_ROUNDING_RMB / 1e9)
        low, high = bounds
        if high <= 1:
            span = f"{prose.percent(low)} to {prose.percent(high)} of"
        elif low > 1:
            span = f"{prose.number(low)} to {prose.number(high)} times"
        else:
            span = f"from {prose.percent(low)} of to {prose.number(high)} times"
        lines.append(
            f"2021Q4's GMV is the rounded full-year total minus the first three quarters, known to about RMB {step} bn either "
            f"way; within that, the orders covered since the launch are {span} November and December's orders."
        )
    lines.append(
        f"Orders are GMV over an ASSUMED order value (RMB {prose.number(params['order_value_rmb'])}); a window's GMV is its "
        "quarter's spread evenly over the days, so a festival that sells above the quarter's average has more orders "
        "than assumed and a smaller covered share."
    )
    return lines
