"""The narrative of notebook 01_governance (Summary, run-dependent caveats and the paragraphs of its
results), built by the same functions the notebook calls from `trustlab.governance.analyse`, over
the parameter space of notebook 01's contract (trustlab.governance.parameters.Parameters): it never prints nan, inf, "+-",
a share above 100 %, and its verdict follows the numbers it cites."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

import nbformat
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from trustlab import config, prose, results
from trustlab import governance as gov
from trustlab.runner import params
from trustlab.runner.params import ParameterError

SCHEMA = {name: p.constraints for name, p in params.declared("01_governance").items()}
RATE_CHANGE = gov.data_figures().report_rate_change


def _log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.one_of(st.sampled_from([lo, hi]), st.floats(math.log10(lo), math.log10(hi)).map(lambda e: 10**e))


@st.composite
def governance_params(draw) -> dict:
    p = params.resolve("01_governance")
    rate = draw(_log_uniform(1e-3, SCHEMA["base_report_rate_per_10k_orders"]["le"]))
    deff = draw(_log_uniform(SCHEMA["design_effect"]["ge"], SCHEMA["design_effect"]["le"]))
    effective = draw(_log_uniform(gov.MIN_EFFECTIVE_REPORTS, 1e9))  # effective reports in the current year
    orders = gov.orders_for_effective_reports(effective, rate, deff, 1 + RATE_CHANGE) * 1.001
    previous = draw(st.one_of(st.none(), _log_uniform(0.01, 100).map(lambda r: orders * r)))
    alpha = draw(st.one_of(st.sampled_from([1e-6, 0.05, 0.5]), st.floats(1e-6, 0.5)))
    power = draw(st.floats(max(alpha, 0.05) + 1e-3, 0.999))
    dau = draw(st.one_of(st.none(), st.floats(0.45, 600)))
    mau = draw(st.one_of(st.none(), st.floats(0.5, 2000)))
    start = date(2021, 1, 1) + timedelta(days=draw(st.integers(0, 364)))
    p.update(
        base_report_rate_per_10k_orders=rate,
        design_effect=deff,
        orders_in_period=orders,
        orders_previous_period=previous,
        alpha=alpha,
        power=power,
        dau_millions=dau,
        mau_millions=mau,
        blocking_system_start=start.isoformat(),
        practical_relative_change=draw(st.floats(1e-3, 0.99)),
        include_secondary_sources=draw(st.booleans()),
    )
    try:
        gov.check_params(p)
    except ParameterError:
        assume(False)
    return p


def narrative(p: dict) -> tuple[dict, list[str], str]:
    a = gov.analyse(p)
    res = a.results
    summary = gov.summary(res, p)
    parts = [
        *summary,
        *gov.caveats(res, p),
        gov.intensity_text(a),
        gov.blocks_per_ban_text(a),
        gov.report_rate_text(a),
        gov.design_effect_text(a),
        gov.false_publicity_text(a) or "",
        gov.sensitivity_text(a),
    ]
    return res, summary, "\n".join(parts)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(governance_params())
def test_narrative_is_fit_to_publish_and_its_verdict_follows_the_numbers(p):
    res, summary, text = narrative(p)
    assert prose.narrative_problems(text) == [], text
    z, alpha = res["report_rate_z"], p["alpha"]
    significant = abs(z) > norm.ppf(1 - alpha / 2)
    assert res["report_rate_significant"] == significant or math.isclose(abs(z), norm.ppf(1 - alpha / 2), rel_tol=1e-9)
    verdict = summary[2]
    assert f"z = {prose.number(z)}" in verdict
    assert ("**significant**" in verdict) == res["report_rate_significant"]
    assert ("**not significant**" in verdict) == (not res["report_rate_significant"])
    d_star = res["report_rate_breakeven_design_effect"]
    assert (d_star > res["report_rate_design_effect"]) == res["report_rate_significant"] or math.isclose(
        d_star, res["report_rate_design_effect"], rel_tol=1e-9
    )
    if res["report_rate_p_value"] is None:
        assert res["report_rate_p_value_bound"] == "< 1e-300" and "p < 1e-300" in verdict
    mdc = res["minimum_detectable_relative_change"]
    detect = summary[3]
    if not math.isfinite(mdc):
        assert "not even a fall of the rate to zero" in detect
    elif mdc <= p["practical_relative_change"]:
        assert "less than" in detect and prose.percent(mdc, 2) in detect
    else:
        assert "more than" in detect and "too weak" in detect


def test_summary_at_the_defaults_and_with_independent_orders():
    p = params.resolve("01_governance")
    res, summary, text = narrative(p)
    assert 3 <= len(summary) <= 6 and "**significant**" in summary[2] and "below 547" in summary[2]
    p1 = params.resolve("01_governance", cli={"design_effect": "1"})
    res1, summary1, _ = narrative(p1)
    assert "p < 1e-300" in summary1[2] and res1["report_rate_p_value"] is None
    p2 = params.resolve("01_governance", cli={"design_effect": "1000"})
    res2, summary2, _ = narrative(p2)
    assert "**not significant**" in summary2[2] and not res2["report_rate_significant"]


def _readme_row() -> str:
    readme = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return next(line for line in readme.splitlines() if line.startswith("| `01_governance` |"))


def test_readme_row_gives_the_committed_notebooks_answer():
    nb = nbformat.read(config.NOTEBOOKS_DIR / "01_governance.ipynb", as_version=4)
    res = results.collect(nb)
    answer = _readme_row().split(" | ")[1]
    for name in (
        "interceptions_per_day",
        "bans_per_day",
        "blocks_per_ban",
        "report_rate_z",
        "report_rate_design_effect",
        "report_rate_breakeven_design_effect",
        "report_rate_z_independent",
    ):
        assert prose.number(res[name]) in answer, (name, prose.number(res[name]), answer)
    lo, hi = res["report_rate_ci"]
    assert f"{prose.signed_percent(lo, 1)} to {prose.signed_percent(hi, 1)}" in answer
    assert re.search(r"\b(not )?significant\b", answer)
    assert ("not significant" in answer) == (not res["report_rate_significant"])
