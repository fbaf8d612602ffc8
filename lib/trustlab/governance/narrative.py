"""Notebook ``01_governance``'s words: the Summary (:func:`summary`), the run's caveats (:func:`caveats`)
and the paragraphs under its tables and figures, formatted from the recorded results and parameters
with :mod:`trustlab.prose` so that they stay true under every valid parameter."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from trustlab import prose
from trustlab.governance.parameters import MAX_DESIGN_EFFECT, check_params
from trustlab.governance.report_rate import MIN_EFFECTIVE_REPORTS
from trustlab.source_facts.rates import day_count

if TYPE_CHECKING:  # pragma: no cover
    from trustlab.governance.analysis import Analysis


def _pct(share: float) -> str:
    """A level, power or small share (in [0, 1]) as "95%", "99.9%", "1e-07%": with the digits it needs never
    to print 100% below 1 or 0% above 0."""
    prose.percent(share)  # refuses a share outside [0, 1]
    digits = 3
    while digits < 12 and (0 < share < 1) and prose.number(100 * share, digits) in ("100", "0"):
        digits += 1
    return f"{prose.number(100 * share, digits)}%"


def _p_text(results: Mapping[str, Any]) -> str:
    p = results["report_rate_p_value"]
    return prose.p_value(0.0 if p is None else p)  # None only below 1e-300: worded as that bound


def _verdict(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    return "significant" if results["report_rate_significant"] else "not significant"


def _breakeven_text(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    d_star = results["report_rate_breakeven_design_effect"]
    if d_star < 1:
        return f"the change is not significant at alpha = {params['alpha']:g} even if every order were an independent trial"
    if d_star > MAX_DESIGN_EFFECT:
        return (
            f"the change is significant at alpha = {params['alpha']:g} at every design effect the contract allows (up to "
            f"{prose.number(MAX_DESIGN_EFFECT)}; it would take {prose.number(d_star)})"
        )
    return (
        f"the change is significant at alpha = {params['alpha']:g} only while the design effect stays below "
        f"{prose.number(d_star)}"
    )


def _flips_text(d_star: float) -> str:
    if d_star < 1:
        return "no design effect makes it significant"
    if d_star > MAX_DESIGN_EFFECT:
        return (
            f"no design effect the contract allows (up to {prose.number(MAX_DESIGN_EFFECT)}) turns the verdict; it would "
            f"take {prose.number(d_star)}"
        )
    return f"the verdict turns at a design effect of {prose.number(d_star)}"


def interval_text(low: float, high: float, decimals: int = 2) -> str:
    """An interval of a relative change, "−9.50% to −8.40%"; one narrower than the rounding is worded as
    such ("−8.96%, its two ends equal at this rounding") rather than as "−8.96% to −8.96%"."""
    lo, hi = prose.signed_percent(low, decimals), prose.signed_percent(high, decimals)
    if lo == hi:
        return f"{lo} (its two ends equal at {decimals} decimals: the assumed volume leaves no room for chance)"
    return f"{lo} to {hi}"


def _previous_orders_text(results: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """How the previous year's orders were set, as a parenthesis ("" when given by parameter)."""
    year, basis = params["year"], results["orders_previous_basis"]
    if basis == "gmv_growth":
        return (
            f" (the {year} orders over the reported growth of e-commerce GMV, {prose.signed_percent(results['gmv_growth'])}, "
            "at an unchanged average order value; the GMV figure is V-2)"
        )
    if basis == "same":
        return f" (the same as in {year}: the GMV growth that would scale them is V-2 and was left out)"
    return ""


def _mdc_text(mdc: float) -> str:
    """A detectable relative fall at 2 decimals; one that rounds to 0.00% as "under 0.01%"."""
    return prose.percent(mdc, 2) if round(100 * mdc, 2) > 0 else f"under {prose.percent(0.0001, 2)}"


def _fall_word(change: float) -> str:
    return "fall" if change < 0 else "rise"


def summary(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """The notebook's answer in four to six sentences, from the recorded results and parameters: what the
    report rate can and cannot say first (it is a census without its denominator), then the test on
    assumed inputs, the detectable change and the governance figures."""
    r, p = results, check_params(params)
    year, alpha, power = p["year"], p["alpha"], p["power"]
    change = r["report_rate_change"]
    lo, hi = r["report_rate_ci"]
    lines = [
        f"The trust report gives the live-commerce report rate of {year} only as a {_fall_word(change)} of "
        f"{prose.percent(abs(change), 2)} on {year - 1}: not the rate, the number of reports or the orders behind it. "
        "The rate counts every report the platform received (a census, not a sample), so there is no sampling error "
        "to test; without the real denominator the data cannot say how many reports the change involves, whether "
        "it exceeds the year-to-year variation of reporting, or whether it comes from fewer problems, from more "
        "orders diluting a steady count of reports or from changes in how reporting works.",
        f"Assume a rate of {prose.number(p['base_report_rate_per_10k_orders'])} per 10,000 orders in {year - 1}, "
        f"{prose.number(p['orders_in_period'])} orders in {year} and {prose.number(r['orders_previous_used'])} in "
        f"{year - 1}{_previous_orders_text(r, p)}, and a design effect of "
        f"{prose.number(r['report_rate_design_effect'])}: a two-proportion test on the counts these imply gives "
        f"z = {prose.number(r['report_rate_z'])}, {_p_text(r)}, a {_pct(1 - alpha)} interval of the relative change of "
        f"{interval_text(lo, hi)}, {_verdict(r, p)} at alpha = {alpha:g}; {_breakeven_text(r, p)}: the verdict "
        "restates the assumed volume and clustering, it is not evidence from the data.",
    ]
    mdc, practical = r["minimum_detectable_relative_change"], p["practical_relative_change"]
    if mdc is None or not math.isfinite(mdc):
        lines.append(
            f"At these assumed volumes not even a fall of the rate to zero would be detected with power {_pct(power)}: "
            "the assumed data cannot test the change."
        )
    elif mdc <= practical:
        lines.append(
            f"At these assumed volumes a fall of {_mdc_text(mdc)} of the rate would be detected with power "
            f"{_pct(power)}, less than the {_pct(practical)} taken to matter: whether the fall matters depends "
            "on what the rate measures, not on sampling error."
        )
    else:
        lines.append(
            f"At these assumed volumes only a fall of at least {_mdc_text(mdc)} of the rate would be detected "
            f"with power {_pct(power)}, more than the {_pct(practical)} taken to matter: at these assumptions "
            "the test is too weak to rule out a change that matters."
        )
    lines.append(
        f"In {year} Kuaishou e-commerce intercepted about {prose.number(r['interceptions_per_day'])} suspected "
        f"counterfeit listings a day ({prose.number(r['interceptions_per_million_dau'])} a year per million daily "
        f"users) and banned about {prose.number(r['bans_per_day'])} streamers and merchants a day (person-times); "
        f"about {prose.number(r['blocks_per_ban'])} new-store applications by past violators were blocked per ban."
    )
    share = r.get("participants_share_of_dau")
    if share is not None:
        lines.append(
            f"The {prose.number(r['daily_governance_participants'])} users a day said to take part in governance (V-2) "
            f"are {prose.percent(share, 3)} of the average daily users."
        )
    return lines


def caveats(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """The caveats of the run, formatted from its results and parameters."""
    r, p = results, check_params(params)
    year = p["year"]
    verdict = _verdict(r, p)
    flips = _flips_text(r["report_rate_breakeven_design_effect"])
    lines = [
        "The figures are the platform's own, reported once (the first trust report) and copied by the press: "
        "no independent audit, no 2020 levels (only the relative change of the report rate) and no later report "
        "to compare with.",
        "Interceptions are listing *attempts*, bans are *person-times*, blocks are *applications*: one actor can "
        "count many times in each, and none of them is a share of a population.",
        f"The report rate's denominator is not given; the test assumes a rate of {prose.number(p['base_report_rate_per_10k_orders'])} "
        f"per 10,000 orders in {year - 1}, {prose.number(p['orders_in_period'])} orders in {year} and "
        f"{prose.number(r['orders_previous_used'])} in {year - 1}{_previous_orders_text(r, p)}. Its design effect of {prose.number(r['report_rate_design_effect'])} "
        "is an assumption, not an estimate (how reports cluster by merchant, category and campaign is in no data we "
        f"have). With it the change is {verdict} (z = {prose.number(r['report_rate_z'])}); with independent orders "
        f"z would be {prose.number(r['report_rate_z_independent'])}; {flips}.",
    ]
    if p["dau_millions"] is None:
        quarters = r["dau_quarters"]
        text = (
            f"The average DAU ({prose.number(r['dau_millions_used'])} million) is the mean of {len(quarters)} "
            f"quarter{'s' if len(quarters) != 1 else ''} of {year}: {prose.join(quarters)}"
        )
        secondary = [q for q in quarters if q.endswith("(V-2)")]
        if secondary:
            text += f"; {prose.join(q.split(' ')[0] for q in secondary)} from a machine-translated secondary copy (V-2)"
        if len(quarters) < 4:
            missing = 4 - len(quarters)
            text += f"; {missing} of the four quarters {'is' if missing == 1 else 'are'} missing"
        lines.append(text + ".")
    else:
        lines.append(
            f"The DAU ({prose.number(p['dau_millions'])} million) is set by parameter, not taken from the quarterly data."
        )
    lines.append(
        f"The blocking system's start day is given only as June {year}; the per-day figure assumes "
        f"{p['blocking_system_start']} ({r['blocking_live_days']} days to year end)."
    )
    if r.get("participants_share_of_dau") is None:
        lines.append("The daily governance participants figure (V-2) was left out with the secondary sources.")
    return lines


def intensity_text(a: Analysis) -> str:
    """The intensity bullets under the intensity table."""
    r, fig = a.results, a.figures
    users_per_interception = a.dau_used * 1e6 / fig["counterfeit_listings_intercepted"]
    lines = [
        f"- About **{prose.number(r['interceptions_per_day'])}** suspected counterfeit listings were intercepted a day "
        f"({prose.number(r['interceptions_per_million_dau'])} a year per million DAU, one a year for every "
        f"{prose.number(users_per_interception)} daily users).",
        f"- About **{prose.number(r['bans_per_day'])}** streamers and merchants were banned a day (person-times).",
        f"- Over the {a.live_days} days from {a.params['blocking_system_start']} the system blocked about "
        f"**{prose.number(r['new_store_blocks_per_day'])}** new-store applications a day; the report gives "
        f"{prose.per_day(fig['new_store_requests_blocked_per_day'])}.",
    ]
    share = r["participants_share_of_dau"]
    if share is not None:
        lines.append(
            f"- **{prose.number(fig['daily_governance_participants'])}** users a day took part in governance in live "
            f"rooms (V-2), {prose.percent(share, 3)} of the average DAU."
        )
    else:
        lines.append("- The daily participants figure is V-2 and was left out.")
    return "\n".join(lines)


def blocks_per_ban_text(a: Analysis) -> str:
    """The blocks-per-ban paragraph and its caveats."""
    b, year = a.bpb, a.params["year"]
    text = (
        f"About **{prose.number(b.reported_total)}** new-store applications by past violators were blocked per ban "
        f"({prose.number(b.blocked)} / {prose.number(b.bans)})."
    )
    if b.blocked_per_day and b.from_daily_full_year is not None and b.implied_live_days is not None:
        text += (
            f" At the reported pace of {prose.number(b.blocked_per_day)} "
            f"a day over a full year it would be {prose.number(b.from_daily_full_year)}. The two reported figures agree if "
            f"the system ran about {prose.number(b.implied_live_days)} days, which fits a start in June "
            f"({day_count(f'{year}-06-30', f'{year}-12-31')} to {day_count(f'{year}-06-01', f'{year}-12-31')} days)."
        )
    else:
        text += " The report gives no daily pace of blocked applications to compare with."
    return text + "\n\nCaveats: " + "; ".join(b.caveats) + "."


def report_rate_text(a: Analysis) -> str:
    """The report-rate paragraph: implied counts, the test under the design effect, detectable change."""
    r, p, imp = a.results, a.params, a.implied
    year, alpha, power = p["year"], p["alpha"], p["power"]
    lo, hi = r["report_rate_ci"]
    change = r["report_rate_change"]
    mdc = r["minimum_detectable_relative_change"]
    if math.isfinite(mdc):
        detect = (
            f"At these volumes and this design effect a relative fall of **{_mdc_text(mdc)}** would be detected "
            f"with power {_pct(power)} at alpha = {alpha:g}."
        )
    else:
        detect = (
            f"At these volumes and this design effect not even a fall to zero would be detected with power "
            f"{_pct(power)} at alpha = {alpha:g}."
        )
    return (
        f"Assuming a rate of {prose.number(p['base_report_rate_per_10k_orders'])} per 10,000 orders in {year - 1} and "
        f"{prose.number(imp.orders_current)} orders in {year} ({prose.number(imp.orders_previous)} in {year - 1}), the "
        f"reported {_fall_word(change)} of {prose.percent(abs(change), 2)} in the rate means "
        f"{prose.number(imp.reports_previous)} reports becoming {prose.number(imp.reports_current)} "
        f"({prose.change(imp.reports_previous, imp.reports_current, 2)} in absolute reports). "
        f"With a design effect of {prose.number(r['report_rate_design_effect'])} the two-proportion test gives "
        f"z = **{prose.number(r['report_rate_z'])}**, {_p_text(r)} (**{_verdict(r, p)}** at alpha = {alpha:g}); the "
        f"{_pct(1 - alpha)} interval of the relative change is {interval_text(lo, hi)}. Treating every order as an independent trial would give "
        f"z = {prose.number(r['report_rate_z_independent'])}.\n\n"
        f"{detect} The reported change would be detectable with about {prose.number(a.orders_for_reported)} orders a "
        f"year, and a fall of {_pct(p['practical_relative_change'])} (the change taken to matter in practice) "
        f"with about {prose.number(a.orders_for_practical)}."
    )


def design_effect_text(a: Analysis) -> str:
    """What the design-effect table shows."""
    r, p = a.results, a.params
    return (
        f"The design effect multiplies the variance: z shrinks and the interval widens by its square root, the "
        f"orders needed grow in proportion. {_breakeven_text(r, p)[0].upper()}{_breakeven_text(r, p)[1:]} "
        f"(z = {prose.number(r['report_rate_z_independent'])} for independent orders against the critical "
        f"{prose.number(_z_critical(p['alpha']))}). Rows with fewer than {MIN_EFFECTIVE_REPORTS:g} effective reports "
        "(reports / design effect) a year are left out."
    )


def _z_critical(alpha: float) -> float:
    from scipy import stats

    return float(stats.norm.ppf(1 - alpha / 2))


def false_publicity_text(a: Analysis) -> str | None:
    """The false-publicity comparison; None when the figure is not in the data."""
    fp, pen = a.figures["false_publicity_reports_change"], a.figures["false_publicity_penalties"]
    if fp is None:
        return None
    year = a.params["year"]
    penalties = (
        ""
        if pen is None
        else f", while penalties for false publicity ran at more than {prose.number(pen)} from April to November"
    )
    return (
        f"User reports of false publicity went {prose.change(100, 100 + fp, 0)} from March to October {year} "
        "(monthly counts, no denominator). That is a change of a count within the year, not of a rate against the "
        f"year before, so it is not comparable with the {prose.percent(abs(a.results['report_rate_change']), 2)} "
        f"year-on-year change of the report rate{penalties}. "
        "A fall in reports can come from fewer problems, from enforcement that removes repeat offenders, from "
        "changes in how reporting works in the app, or from more orders diluting a steady count of reports; the "
        "figure alone cannot tell these apart."
    )


def sensitivity_text(a: Analysis) -> str:
    """What the sensitivity grid shows, under the run's design effect."""
    sens, p = a.sensitivity, a.params
    alpha = p["alpha"]
    tested = sens.dropna(subset=["z"])
    n_sig = int(sens["significant"].sum())
    not_sig = tested[~tested["significant"]]
    if tested.empty:
        where = "no cell of the grid has enough effective reports for the test."
    elif not_sig.empty:
        where = "it is significant in every cell with enough effective reports."
    else:
        most = int(not_sig[["reports_previous", "reports_current"]].max().max())
        where = (
            f"where it is tested but not significant the implied reports are at most {prose.number(most)} a year "
            f"(order volumes up to {prose.number(not_sig['orders'].max())})."
        )
    empty = len(sens) - len(tested)
    return (
        f"With a design effect of {prose.number(p['design_effect'])}, the reported change is significant at "
        f"alpha = {alpha:g} in {n_sig} of {len(sens)} cells; {empty} cells have fewer than "
        f"{MIN_EFFECTIVE_REPORTS:g} effective reports and are not tested; {where}"
    )


def trust_report_text(year: int, n_figures: int, include_secondary: bool) -> str:
    """The sentence under the trust-report table: how many figures of ``year`` it shows, and whether
    the V-2 rows were left out."""
    dropped = "" if include_secondary else " V-2 rows were left out (`include_secondary_sources = False`)."
    return f"{n_figures} trust-report figures for {year} (quotes shortened; in full in the CSV).{dropped}"


def _millions(value: float) -> str:
    return f"{prose.number(value)} million"


# How the explorer and ``trustlab diff`` show the recorded results (schema key ``results``): the
# notebook's sections, each result worded with the function its sentences word it with.
RESULT_GROUPS: dict[str, dict[str, Any]] = {
    "Governance intensity": {
        "dau_millions_used": _millions,
        "dau_quarters": str,
        "interceptions_per_day": prose.per_day,
        "bans_per_day": prose.per_day,
        "new_store_blocks_per_day": prose.per_day,
        "interceptions_per_million_dau": prose.number,
        "blocks_per_ban": prose.number,
        "blocking_live_days": prose.number,
        "daily_governance_participants": prose.number,
        "participants_share_of_dau": _pct,
    },
    "The report rate": {
        "report_rate_change": prose.signed_percent,
        "report_rate_ci": prose.signed_percent,
        "report_rate_significant": str,
        "report_rate_p_value": prose.p_value,
        "report_rate_p_value_bound": prose.p_value,
        "report_rate_log10_p": prose.number,
        "report_rate_z": prose.number,
        "report_rate_z_independent": prose.number,
        "report_rate_design_effect": prose.number,
        "report_rate_breakeven_design_effect": prose.number,
        "minimum_detectable_relative_change": _pct,
    },
    "Orders and reports": {
        "orders_previous_used": prose.number,
        "orders_previous_basis": str,
        "gmv_growth": prose.signed_percent,
        "reports_previous": prose.number,
        "reports_current": prose.number,
        "orders_needed_reported": prose.number,
        "orders_needed_practical": prose.number,
    },
}
