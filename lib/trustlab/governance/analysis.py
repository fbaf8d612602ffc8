"""Notebook ``01_governance`` from its parameters alone: :func:`run` computes every recorded result
and the objects its tables and figures show; :func:`recorded_results` is its fast path (``trustlab
sweep --fast`` and the narrative tests). The words built from them are in
:mod:`trustlab.governance.narrative`.

The design effect (``design_effect``) is an assumption, not an estimate: reports cluster by
merchant, category and campaign, and no data we have measures how much. Its default, 10, is what
Kish's deff = 1 + (m − 1)ρ gives for clusters of about 5,000 orders (5 bn orders over some million
merchants) with an intra-cluster correlation of about 0.002, which is what a heavy tail of a few
merchants drawing most reports produces for a rate of one report per 10,000 orders. The notebook
shows the test over a range of design effects and the design effect at which the verdict changes.

``report_rate_p_value`` is recorded as a number when it is at least 1e-300; below that it would be a
denormal or 0, so it is recorded as null with ``report_rate_p_value_bound`` = "< 1e-300" (otherwise
null) and its exact ``report_rate_log10_p``. results.json stays strict JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from trustlab.governance.intensity import (
    BlocksPerBan,
    UserBase,
    average_users,
    blocks_per_ban,
    governance_inputs,
    intensity_table,
    per_day,
    per_million,
)
from trustlab.governance.parameters import check_params, data_figures, previous_orders
from trustlab.governance.report_rate import (
    MIN_EFFECTIVE_REPORTS,
    ImpliedReports,
    ZTest,
    breakeven_design_effect,
    design_effect_table,
    implied_reports,
    minimum_detectable_relative_change,
    orders_needed,
    report_rate_test,
    sensitivity_table,
)
from trustlab.source_facts.rates import day_count

# The design effects the notebook tests the report rate at (the parameter's own value is added).
DESIGN_EFFECTS = (1.0, 2.0, 5.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0)
# The sensitivity grid: assumed base rates (reports per 10,000 orders) and order volumes a year.
SENSITIVITY_RATES = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
SENSITIVITY_VOLUMES = (1e5, 1e6, 1e7, 1e8, 1e9, 5e9, 1e10)


def _load(include_secondary: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from trustlab.data.facts import load_facts
    from trustlab.data.quarterly import load_quarterly
    from trustlab.data.trust_report import load_trust_report

    return (
        load_trust_report(include_secondary=include_secondary),
        load_facts(),
        load_quarterly(include_secondary=include_secondary),
    )


@dataclass
class Analysis:
    """What notebook ``01_governance`` computes and shows, from one parameter dict."""

    params: dict[str, Any]
    report: pd.DataFrame
    facts: pd.DataFrame
    quarterly: pd.DataFrame
    dau_base: UserBase
    mau_base: UserBase
    dau_used: float
    mau_used: float
    intensity: pd.DataFrame
    figures: dict[str, float]  # by metric; V-2 (daily_governance_participants) absent when left out
    live_days: int
    bpb: BlocksPerBan
    implied: ImpliedReports
    test: ZTest
    mdc: float
    orders_for_reported: float
    orders_for_practical: float
    breakeven_deff: float
    deff_table: pd.DataFrame
    sensitivity: pd.DataFrame
    results: dict[str, Any] = field(default_factory=dict)


def run(params: Mapping[str, Any]) -> Analysis:
    """Check ``params`` (:func:`check_params`), load the data and compute everything the notebook shows."""
    from trustlab.data.trust_report import report_value

    p = check_params(params)
    year, days, alpha, power = p["year"], p["days_in_period"], p["alpha"], p["power"]
    deff = float(p["design_effect"])
    report, facts, quarterly = _load(bool(p["include_secondary_sources"]))
    dau_base, mau_base = average_users(quarterly, year, "dau_m"), average_users(quarterly, year, "mau_m")
    dau = p["dau_millions"] if p["dau_millions"] is not None else dau_base.value_millions
    mau = p["mau_millions"] if p["mau_millions"] is not None else mau_base.value_millions
    intensity = intensity_table(governance_inputs(report, days, p["blocking_system_start"]), dau, mau)
    names = (
        "counterfeit_listings_intercepted",
        "violators_banned",
        "new_store_applications_blocked",
        "new_store_requests_blocked_per_day",
        "daily_governance_participants",
        "live_commerce_report_rate_change",
        "false_publicity_reports_change",
        "false_publicity_penalties",
    )
    found = {name: report_value(report, name) for name in names}
    missing = [name for name, value in found.items() if value is None and name != "daily_governance_participants"]
    if missing:  # only V-2, a secondary source, may be left out
        raise ValueError(f"the trust report lacks the figure(s) {missing}; data/trust_report_2021.csv should hold one row each")
    fig = {name: value for name, value in found.items() if value is not None}
    rate_change = fig["live_commerce_report_rate_change"] / 100  # percent -> share
    live_days = day_count(p["blocking_system_start"], f"{year}-12-31")
    bpb = blocks_per_ban(
        fig["new_store_applications_blocked"], fig["violators_banned"], fig["new_store_requests_blocked_per_day"], days
    )
    orders_previous, orders_previous_basis = previous_orders(p)
    implied = implied_reports(p["base_report_rate_per_10k_orders"], p["orders_in_period"], rate_change, orders_previous)
    test = report_rate_test(implied, alpha, deff)
    mdc = minimum_detectable_relative_change(
        implied.rate_previous, implied.orders_current, implied.orders_previous, alpha, power, deff
    )
    deffs = sorted({*DESIGN_EFFECTS, deff})
    enough = [
        d for d in deffs if min(implied.reports_current, implied.reports_previous) / d >= MIN_EFFECTIVE_REPORTS or d == deff
    ]
    orders = p["orders_in_period"]
    growth = orders / orders_previous - 1
    a = Analysis(
        params=p,
        report=report,
        facts=facts,
        quarterly=quarterly,
        dau_base=dau_base,
        mau_base=mau_base,
        dau_used=float(dau),
        mau_used=float(mau),
        intensity=intensity,
        figures=fig,
        live_days=live_days,
        bpb=bpb,
        implied=implied,
        test=test,
        mdc=mdc,
        orders_for_reported=orders_needed(implied.rate_previous, abs(rate_change), alpha, power, deff),
        orders_for_practical=orders_needed(implied.rate_previous, p["practical_relative_change"], alpha, power, deff),
        breakeven_deff=breakeven_design_effect(test, alpha),
        deff_table=design_effect_table(implied, enough, alpha, power),
        sensitivity=sensitivity_table(SENSITIVITY_RATES, SENSITIVITY_VOLUMES, rate_change, alpha, power, growth, deff),
    )
    participants = fig.get("daily_governance_participants")
    intercepted = fig["counterfeit_listings_intercepted"]
    lo, hi = test.ci_relative_change
    a.results = {
        "dau_millions_used": a.dau_used,
        "interceptions_per_day": per_day(intercepted, days),
        "bans_per_day": per_day(fig["violators_banned"], days),
        "new_store_blocks_per_day": per_day(fig["new_store_applications_blocked"], live_days),
        "interceptions_per_million_dau": per_million(intercepted, a.dau_used),
        "blocks_per_ban": bpb.reported_total,
        "daily_governance_participants": participants,
        "participants_share_of_dau": None if participants is None else participants / (a.dau_used * 1e6),
        "report_rate_change": rate_change,
        "orders_previous_used": orders_previous,
        "orders_previous_basis": orders_previous_basis,
        "gmv_growth": data_figures(year, bool(p["include_secondary_sources"])).gmv_growth,
        "reports_previous": implied.reports_previous,
        "reports_current": implied.reports_current,
        "report_rate_design_effect": deff,
        "report_rate_z": test.z,
        "report_rate_p_value": test.p_value_recorded,
        "report_rate_p_value_bound": test.p_value_bound,
        "report_rate_log10_p": test.log10_p,
        "report_rate_significant": bool(test.log10_p < math.log10(alpha)),
        "report_rate_ci": [lo, hi],
        "report_rate_z_independent": test.z_independent,
        "report_rate_breakeven_design_effect": a.breakeven_deff,
        "minimum_detectable_relative_change": mdc,
        "orders_needed_reported": a.orders_for_reported,
        "orders_needed_practical": a.orders_for_practical,
        "blocking_live_days": live_days,
        "dau_quarters": [f"{q} ({s})" for q, s in zip(dau_base.quarters, dau_base.statuses, strict=True)],
    }
    return a


def recorded_results(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every recorded result of notebook ``01_governance`` from a parameter dict, without the notebook:
    the ``results`` of :func:`run` (the fast path of ``trustlab sweep --fast``)."""
    return run(params).results
