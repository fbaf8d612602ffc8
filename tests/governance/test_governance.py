"""Tests of trustlab.governance and of its data file data/trust_report_2021.csv (trustlab.data.trust_report)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trustlab import config, prose
from trustlab import governance as gov
from trustlab.data import trust_report
from trustlab.data.tables import DataFileError
from trustlab.governance.report_rate import _detectable_effect_size
from trustlab.runner.notebook import Notebook
from trustlab.runner.params import ParameterError

CSV = config.DATA_DIR / "trust_report_2021.csv"
RAW = config.RAW_DIR / "kuaishou-public-figures.md"

DEFAULTS = {
    "year": 2021,
    "days_in_period": 365,
    "dau_millions": None,
    "mau_millions": None,
    "base_report_rate_per_10k_orders": 1.0,
    "orders_in_period": 5.0e9,
    "orders_previous_period": None,
    "blocking_system_start": "2021-06-01",
    "practical_relative_change": 0.05,
    "alpha": 0.05,
    "power": 0.8,
    "include_secondary_sources": True,
    "design_effect": 10.0,
}


@pytest.fixture(scope="module")
def report() -> pd.DataFrame:
    return trust_report.load_trust_report()


def _raw_rows() -> pd.DataFrame:
    return pd.read_csv(CSV, dtype=str, keep_default_na=False)


# ------------------------------------------------------------------ the CSV


def test_every_value_appears_in_its_quote(report):
    for _, row in report.iterrows():
        assert trust_report.value_in_quote(row["value"], row["quote"]), (row["metric"], row["value"], row["quote"])


def test_quotes_urls_and_statuses_come_from_the_raw_file():
    raw = RAW.read_text(encoding="utf-8").replace('\\"', '"')  # markdown-escaped quotes in the table
    section_b = raw[raw.index("## B. Kuaishou e-commerce governance") : raw.index("## C. Shopping festivals")]
    for _, row in _raw_rows().iterrows():
        for piece in row["quote"].split("…"):
            assert piece.strip() in section_b, (row["metric"], piece)
        assert row["source_url"] in section_b, row["metric"]
        assert row["status"] in ("V", "V-2"), row["metric"]  # section B has no V-c rows


def test_statuses_match_section_b_rows():
    raw = RAW.read_text(encoding="utf-8").replace('\\"', '"')
    section_b = raw[raw.index("## B. Kuaishou e-commerce governance") : raw.index("## C. Shopping festivals")]
    table_rows = [line for line in section_b.splitlines() if line.startswith("| ")]
    for _, row in _raw_rows().iterrows():
        first = row["quote"].split("…")[0].strip()
        hits = [line for line in table_rows if first in line]
        if not hits:  # quote taken from the note of a row whose quote is in another language
            continue
        cells = [c.strip() for c in hits[0].strip("|").split("|")]
        assert cells[4].strip("*").split(" ")[0] == row["status"], (row["metric"], cells[4])


def test_no_nf_or_memory_rows():
    rows = _raw_rows()
    assert not rows["status"].isin(["NF", "M", "D"]).any()
    assert (rows["value"] != "").all()


def test_core_figures_as_hand_transcribed(report):
    assert trust_report.report_value(report, "counterfeit_listings_intercepted") == 62_440_000
    assert trust_report.report_value(report, "violators_banned") == 210_000
    assert trust_report.report_value(report, "live_commerce_report_rate_change") == -8.96
    assert trust_report.report_value(report, "new_store_applications_blocked") == 500_000
    assert trust_report.report_value(report, "new_store_requests_blocked_per_day") == 2_600
    assert trust_report.report_value(report, "daily_governance_participants") == 450_000


def test_secondary_rows_can_be_left_out(report):
    primary = trust_report.load_trust_report(include_secondary=False)
    assert "V-2" in set(report["status"])
    assert "V-2" not in set(primary["status"])
    assert trust_report.report_value(primary, "daily_governance_participants") is None
    assert len(primary) == int((report["status"] != "V-2").sum())


def test_value_in_quote_reads_scales_and_ignores_the_sign():
    assert trust_report.value_in_quote(62_440_000, "more than 62.44 million releases")
    assert trust_report.value_in_quote(-8.96, "the reporting rate of live broadcasts dropped by 8.96% compared with 2020")
    assert not trust_report.value_in_quote(62_440_001, "more than 62.44 million releases")


def _write(tmp_path: Path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "trust_report_2021.csv"
    frame.to_csv(path, index=False)
    return path


def test_validation_names_file_line_column_and_expected_form(tmp_path):
    bad = _raw_rows()
    bad.loc[2, "status"] = "V2"
    path = _write(tmp_path, bad)
    with pytest.raises(DataFileError) as err:
        trust_report.load_trust_report(path)
    msg = str(err.value)
    assert str(path) in msg and "line 4 (row 2)" in msg and "'status'" in msg and "one of ['V', 'V-c', 'V-2']" in msg


def test_validation_rejects_value_not_in_quote(tmp_path):
    bad = _raw_rows()
    bad.loc[1, "value"] = "62450000"
    with pytest.raises(DataFileError) as err:
        trust_report.load_trust_report(_write(tmp_path, bad))
    msg = str(err.value)
    assert "line 3 (row 1)" in msg and "'value'" in msg and "appears in the quote" in msg


def test_validation_rejects_empty_value_and_bad_dates(tmp_path):
    bad = _raw_rows()
    bad.loc[0, "value"] = ""
    with pytest.raises(DataFileError, match=r"line 2 \(row 0\), column 'value'"):
        trust_report.load_trust_report(_write(tmp_path, bad))
    bad = _raw_rows()
    bad.loc[3, "period_end"] = "2020-12-31"
    with pytest.raises(DataFileError, match=r"line 5 \(row 3\), column 'period_end'.*not before period_start"):
        trust_report.load_trust_report(_write(tmp_path, bad))
    bad = _raw_rows().drop(columns=["quote"])
    with pytest.raises(DataFileError, match="missing column"):
        trust_report.load_trust_report(_write(tmp_path, bad))


# ------------------------------------------------------------------ intensity


def test_intensity_matches_hand_computation(report):
    inputs = gov.governance_inputs(report, 365, "2021-06-01")
    table = gov.intensity_table(inputs, dau_millions=300.0, mau_millions=500.0)
    row = table.loc["counterfeit listings intercepted"]
    assert row["per_day"] == pytest.approx(62_440_000 / 365)
    assert row["per_million_dau"] == pytest.approx(62_440_000 / 300)
    assert row["per_million_mau"] == pytest.approx(62_440_000 / 500)
    assert row["per_day_per_million_dau"] == pytest.approx(62_440_000 / 365 / 300)
    live = table.loc["new-store applications blocked (days system live)"]
    assert live["days"] == 214  # 2021-06-01 .. 2021-12-31 inclusive: 30+31+31+30+31+30+31
    assert live["per_day"] == pytest.approx(500_000 / 214)
    daily = table.loc["users taking part in governance"]
    assert daily["per_day"] == 450_000 and daily["count_in_period"] == 450_000 * 365


def test_average_users_hand_computation():
    quarterly = pd.DataFrame(
        {
            "quarter": ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1"],
            "metric": ["dau_m"] * 5,
            "value": [295.3, 293.2, 320.4, 323.0, 345.5],
            "status": ["V-c", "V", "V-c", "V-2", "V"],
        }
    )
    base = gov.average_users(quarterly, 2021)
    assert base.value_millions == pytest.approx((295.3 + 293.2 + 320.4 + 323.0) / 4)
    assert base.statuses == ("V-c", "V", "V-c", "V-2") and base.complete
    partial = gov.average_users(quarterly[quarterly["status"] != "V-2"], 2021)
    assert partial.value_millions == pytest.approx((295.3 + 293.2 + 320.4) / 3) and not partial.complete
    with pytest.raises(ValueError, match="no 'mau_m' value"):
        gov.average_users(quarterly, 2021, "mau_m")


def test_average_users_from_the_quarterly_data():
    from trustlab.data.quarterly import load_quarterly

    base = gov.average_users(load_quarterly(), 2021, "dau_m")
    assert base.quarters == ("2021Q1", "2021Q2", "2021Q3", "2021Q4")
    assert base.value_millions == pytest.approx((295.3 + 293.2 + 320.4 + 323) / 4)


def test_blocks_per_ban_hand_computation():
    b = gov.blocks_per_ban(500_000, 210_000, 2_600, 365)
    assert b.reported_total == pytest.approx(500_000 / 210_000)
    assert b.from_daily_full_year == pytest.approx(2_600 * 365 / 210_000)
    assert b.implied_live_days == pytest.approx(500_000 / 2_600)
    assert any("person-times" in c for c in b.caveats)
    with pytest.raises(ValueError, match="bans"):
        gov.blocks_per_ban(1, 0)


@given(
    count=st.floats(min_value=0, max_value=1e12, allow_nan=False),
    days=st.integers(min_value=1, max_value=10_000),
    k=st.integers(min_value=2, max_value=10),
)
def test_per_day_scales_inversely_with_days(count, days, k):
    assert gov.per_day(count, days * k) == pytest.approx(gov.per_day(count, days) / k)
    assert gov.per_day(count, days) * days == pytest.approx(count)


# ------------------------------------------------------------------ the report rate


def _pooled_z(x1: float, n1: float, x2: float, n2: float) -> float:
    p1, p2 = x1 / n1, x2 / n2
    p = (x1 + x2) / (n1 + n2)
    return (p1 - p2) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))


def test_implied_reports_hand_computation():
    imp = gov.implied_reports(2.0, 1e8, -0.0896, 8e7)
    assert imp.rate_previous == pytest.approx(2e-4)
    assert imp.reports_previous == 16_000  # 2/10,000 x 80 m
    assert imp.reports_current == round(2e-4 * 0.9104 * 1e8)  # 18,208
    assert imp.reports_change == pytest.approx(18_208 / 16_000 - 1)


def test_z_statistic_equals_pooled_formula():
    imp = gov.implied_reports(1.0, 5e9, -0.0896)
    test = gov.report_rate_test(imp)
    z = _pooled_z(imp.reports_current, imp.orders_current, imp.reports_previous, imp.orders_previous)
    assert test.z == pytest.approx(z, rel=1e-9)
    assert test.z < -40 and test.p_value < 1e-300
    assert test.log10_p < -400
    lo, hi = test.ci_relative_change
    assert lo < -0.0896 < hi


def test_small_volume_is_not_significant():
    imp = gov.implied_reports(1.0, 1e6, -0.0896)  # 100 vs 91 reports
    test = gov.report_rate_test(imp)
    assert test.z == pytest.approx(_pooled_z(91, 1e6, 100, 1e6))
    assert test.p_value > 0.05
    assert math.isclose(10**test.log10_p, test.p_value, rel_tol=1e-6)


def test_minimum_detectable_change_matches_closed_form():
    # Cohen's h for a two-sided test with equal groups: h = (z_{1-a/2} + z_power) * sqrt(2 / n)
    from scipy.stats import norm

    p0, n = 1e-4, 5e9
    h = (norm.ppf(0.975) + norm.ppf(0.8)) * math.sqrt(2 / n)
    p1 = math.sin(math.asin(math.sqrt(p0)) - h / 2) ** 2
    assert gov.minimum_detectable_relative_change(p0, n) == pytest.approx(1 - p1 / p0, rel=1e-4)
    assert math.isnan(gov.minimum_detectable_relative_change(1e-6, 100))


def test_orders_for_effective_reports_inverts_the_implied_reports():
    orders = gov.orders_for_effective_reports(100, 2.0, 3.0, 1 - 0.0896)
    assert orders == pytest.approx(100 * 3.0 / (2.0 / 10_000 * (1 - 0.0896)))
    imp = gov.implied_reports(2.0, orders, -0.0896)
    assert imp.reports_current / 3.0 == pytest.approx(100, abs=0.5)  # reports are whole numbers


def test_orders_needed_detects_the_change():
    n = gov.orders_needed(1e-4, 0.0896)
    assert gov.minimum_detectable_relative_change(1e-4, n) == pytest.approx(0.0896, rel=1e-3)


@settings(max_examples=40, deadline=None)
@given(
    rate=st.floats(min_value=1e-6, max_value=0.1),
    orders=st.floats(min_value=1e4, max_value=1e11),
    factor=st.floats(min_value=1.5, max_value=100),
)
def test_minimum_detectable_change_decreases_with_volume(rate, orders, factor):
    small = gov.minimum_detectable_relative_change(rate, orders)
    large = gov.minimum_detectable_relative_change(rate, orders * factor)
    if not math.isnan(small):
        assert large < small
    else:
        assert math.isnan(large) or 0 < large <= 1


def test_sensitivity_table_shape_and_cells():
    sens = gov.sensitivity_table([0.1, 1.0], [1e4, 1e6, 1e9], -0.0896)
    assert len(sens) == 6
    cell = sens[(sens["base_rate_per_10k"] == 1.0) & (sens["orders"] == 1e9)].iloc[0]
    imp = gov.implied_reports(1.0, 1e9, -0.0896)
    assert cell["z"] == pytest.approx(_pooled_z(imp.reports_current, 1e9, imp.reports_previous, 1e9))
    assert bool(cell["significant"])
    empty = sens[(sens["base_rate_per_10k"] == 0.1) & (sens["orders"] == 1e4)].iloc[0]
    assert np.isnan(empty["z"]) and not empty["significant"]  # 0.1 reports implied
    by_volume = sens[sens["base_rate_per_10k"] == 1.0].sort_values("orders")["mdc"].dropna()
    assert by_volume.is_monotonic_decreasing


# ------------------------------------------------------------------ pyramid and cross-check


def test_trust_pyramid_takes_values_from_facts():
    from trustlab.data.facts import fact_value, load_facts

    facts = load_facts()
    layers = gov.trust_pyramid(facts)
    assert [layer.name for layer in layers] == list(gov.PYRAMID_LAYERS)
    base = {m.fact_id: m.value for m in layers[0].metrics}
    for fact_id in gov.GOVERNANCE_METRICS.values():
        assert base[fact_id] == fact_value(facts, fact_id)
    top = {m.fact_id for m in layers[2].metrics}
    assert "community_mutual_follow_pairs_2022q1" in top


def test_trust_pyramid_on_a_small_frame():
    facts = pd.DataFrame(
        {
            "fact_id": ["a", "b", "c", "d"],
            "topic": ["platform governance", "community", "brand/fast brand", "pricing"],
            "metric": ["m1", "m2", "m3", "m4"],
            "number": [1.0, 2.0, np.nan, 4.0],
            "unit": ["x", "y", "date", "z"],
            "qualifier": ["", "about", "", ""],
            "period_start": ["2021-01-01", "2022-01-01", "2022-01-01", "2021-01-01"],
            "period_end": ["2021-12-31", "2022-03-31", "2022-01-01", "2021-12-31"],
        }
    )
    layers = gov.trust_pyramid(facts)
    assert [m.fact_id for m in layers[0].metrics] == ["a"]
    assert layers[1].metrics == ()
    assert [m.fact_id for m in layers[2].metrics] == ["b"]
    assert layers[2].metrics[0].period == "2022-01-01 – 2022-03-31"


def test_article_and_trust_report_agree(report):
    from trustlab.data.facts import fact_value, load_facts

    check = gov.cross_check(report, load_facts(), fact_value)
    assert check["agree"].all(), check
    check2 = gov.cross_check(trust_report.load_trust_report(include_secondary=False), load_facts(), fact_value)
    assert check2.set_index("metric").loc["daily_governance_participants", "status"] == "(not loaded)"


# ------------------------------------------------------------------ parameters


def test_defaults_pass():
    gov.check_params(DEFAULTS)


@pytest.mark.parametrize(
    ("name", "value", "pattern"),
    [
        ("days_in_period", 366, "calendar days of year 2021"),
        ("days_in_period", 360, "expected >= 365"),
        ("dau_millions", -1.0, "positive number of millions"),
        ("mau_millions", 0.0, "positive number of millions"),
        ("base_report_rate_per_10k_orders", 0.0, "> 0 and <= 10000"),
        ("base_report_rate_per_10k_orders", 20_000.0, "> 0 and <= 10000"),
        ("orders_in_period", -5.0, "positive number of orders"),
        ("orders_in_period", 100.0, "at least 10 effective reports a year"),
        ("orders_in_period", 1.0e6, "expected at least 1,098,419 orders"),  # 91 reports / deff 10 < 10
        ("design_effect", 0.5, "finite number >= 1"),
        ("dau_millions", 0.001, "would exceed the daily active users"),
        ("dau_millions", 2000.0, "at most the data's mean MAU"),
        ("orders_previous_period", 0.0, "positive number of orders"),
        # 2021's quarterly DAU 293.2-323.0 million and MAU 506.2-578.0 (data/kuaishou_quarterly.csv), within a factor 2
        ("mau_millions", 1200.0, "expected at most 1,156.0 million"),
        # the 2021 GMV, RMB 680 bn, at RMB 1 an order at least; 2020's GMV is 680 bn / 1.784 = RMB 381 bn
        ("orders_in_period", 1e13, "expected at most 680,000,000,000 orders"),
        ("orders_previous_period", 5e11, "expected at most 381,165,919,283 orders"),
        ("alpha", 0.0, "> 0 and < 1"),
        ("alpha", 1.0, "> 0 and < 1"),
        ("power", 1.2, "> 0 and < 1"),
        ("power", 0.01, "greater than alpha"),
        ("practical_relative_change", 1.5, "> 0 and < 1"),
        ("blocking_system_start", "2020-06-01", "a date in 2021"),
        ("blocking_system_start", "June", "a date YYYY-MM-DD"),
    ],
)
def test_check_params_names_the_parameter(name, value, pattern):
    params = dict(DEFAULTS, **{name: value})
    with pytest.raises(ParameterError) as err:
        gov.check_params(params)
    msg = str(err.value)
    assert f"parameter {name!r}" in msg
    assert re.search(re.escape(pattern), msg), msg


def test_a_user_base_the_reported_figures_rule_out_is_refused_without_the_v2_rows():
    """Without the V-2 participants figure nothing else stopped DAU 0.001 (it printed 62,440,000,000
    interceptions a year per million daily users); the V and V-c quarters of 2021 give DAU 293.2 to
    320.4 million, so the least accepted is 293.2 / 2 = 146.6."""
    params = dict(DEFAULTS, dau_millions=0.001, include_secondary_sources=False)
    with pytest.raises(ParameterError, match=r"parameter 'dau_millions': expected at least 146\.6 million.*293\.2 to 320\.4"):
        gov.check_params(params)
    gov.check_params(dict(params, dau_millions=146.6))


def test_more_orders_than_the_gmv_allows_is_refused_and_the_cap_itself_is_worded_truthfully():
    """1e13 orders at one report an order printed an interval "−8.96% to −8.96%" and a verdict turning at
    a design effect of 244 billion. The GMV (RMB 680 bn, RMB 1 an order at least) refuses it; at the cap
    the interval's ends print equal and the breakeven lies beyond the contract's 1,000,000."""
    with pytest.raises(ParameterError, match=r"parameter 'orders_in_period': expected at most 680,000,000,000 orders"):
        gov.check_params(dict(DEFAULTS, orders_in_period=1e13, base_report_rate_per_10k_orders=10_000))
    p = gov.check_params(dict(DEFAULTS, orders_in_period=6.8e11, base_report_rate_per_10k_orders=10_000))
    a = gov.run(p)
    text = "\n".join([*gov.summary(a.results, p), *gov.caveats(a.results, p), gov.report_rate_text(a)])
    assert "−8.96% to −8.96%" not in text and "its two ends equal at 2 decimals" in text
    # by hand: z_independent of 619,072,000,000 reports in 680 bn orders against 381,165,919,283 in as many
    z_ind = _pooled_z(round(0.9104 * 6.8e11), 6.8e11, round(6.8e11 / 1.784), 6.8e11 / 1.784)
    assert (z_ind / 1.959964) ** 2 > 1e6
    assert "at every design effect the contract allows (up to 1,000,000" in text
    assert "no design effect the contract allows (up to 1,000,000) turns the verdict" in text
    assert "a fall of under 0.01% of the rate would be detected" in text and not prose.narrative_problems(text)


@pytest.mark.parametrize(
    ("dau", "mau", "name", "pattern"),
    [
        (700.0, 1000.0, "dau_millions", "expected at most 646.0 million"),
        (200.0, 250.0, "mau_millions", "expected at least 253.1"),
    ],
)
def test_user_bases_given_together_stay_within_twice_the_reported_range(dau, mau, name, pattern):
    with pytest.raises(ParameterError, match=rf"parameter '{name}': {re.escape(pattern)}"):
        gov.check_params(dict(DEFAULTS, dau_millions=dau, mau_millions=mau))


def test_the_interval_at_one_report_an_order_is_the_wald_interval_by_hand():
    """At the cap (680 bn orders, every 2020 order reported) the finite-population terms −1/n decide the
    width: se = sqrt(deff (1/x1 − 1/n1 + 1/x0 − 1/n0)), 1/x0 − 1/n0 = 0 when x0 = n0."""
    p = gov.check_params(dict(DEFAULTS, orders_in_period=6.8e11, base_report_rate_per_10k_orders=10_000))
    res = gov.recorded_results(p)
    n1, n0 = 6.8e11, 6.8e11 / 1.784
    x1, x0 = round(0.9104 * n1), min(round(n0), math.floor(n0))
    se = math.sqrt(10 * (1 / x1 - 1 / n1 + 1 / x0 - 1 / n0))
    lo, hi = res["report_rate_ci"]
    assert (math.log1p(hi) - math.log1p(lo)) / (2 * 1.959964) == pytest.approx(se, rel=1e-5)
    assert math.log1p(lo) + math.log1p(hi) == pytest.approx(2 * math.log((x1 / n1) / (x0 / n0)), rel=1e-9)


def test_a_verdict_between_the_one_and_two_sided_thresholds_is_significant():
    """By hand: 1 report per 10,000 of 10.5 m orders in both years gives 1,050 and 956 reports, pooled z
    −2.11, p = 0.035: significant at 0.05 (two-sided), though not at 0.025."""
    cell = gov.sensitivity_table([1.0], [1.05e7], -0.0896).iloc[0]
    assert (cell["reports_previous"], cell["reports_current"]) == (1050, 956)
    assert cell["z"] == pytest.approx(_pooled_z(956, 1.05e7, 1050, 1.05e7)) and -2.2 < cell["z"] < -2.0
    assert bool(cell["significant"])
    # the run's own verdict: the default counts with a design effect of 347 give z = −39.11 / sqrt(347) = −2.10
    res = gov.recorded_results(dict(DEFAULTS, design_effect=347.0))
    z = _pooled_z(455_200, 5e9, 280_269, 5e9 / 1.784) / math.sqrt(347.0)
    assert -2.2 < z < -2.0 and res["report_rate_z"] == pytest.approx(z, rel=1e-9)
    assert res["report_rate_significant"] is True


def test_check_params_dau_above_mau():
    with pytest.raises(ParameterError, match="parameter 'dau_millions'.*at most mau_millions"):
        gov.check_params(dict(DEFAULTS, dau_millions=600.0, mau_millions=500.0))


def test_the_year_is_the_trust_reports_and_its_days_are_counted():
    """Only 2021 has figures; the day count the rule compares with knows leap years."""
    from trustlab.governance.intensity import days_in_year

    assert (days_in_year(2021), days_in_year(2024)) == (365, 366)
    with pytest.raises(ParameterError, match=r"parameter 'year': expected one of \[2021\], got 2024"):
        gov.check_params(dict(DEFAULTS, year=2024, days_in_period=366, blocking_system_start="2024-06-01"))


def test_notebook_contract_uses_the_checker():

    assert Notebook.load("01_governance").resolve()["days_in_period"] == 365
    with pytest.raises(ParameterError, match="parameter 'power'"):
        Notebook.load("01_governance").resolve(cli={"alpha": "0.5", "power": "0.4"})
    smoke = Notebook.load("01_governance").resolve(files=[Notebook.load("01_governance").scenario_path("smoke")])
    assert smoke["orders_in_period"] < 5e9


@settings(max_examples=30, deadline=None)
@given(
    orders=st.floats(min_value=1e3, max_value=1e11),
    ratio=st.floats(min_value=0.2, max_value=5),
    alpha=st.floats(min_value=0.001, max_value=0.2),
    power=st.floats(min_value=0.5, max_value=0.99),
)
def test_detectable_effect_has_the_requested_power(orders, ratio, alpha, power):
    from statsmodels.stats.power import NormalIndPower

    h = _detectable_effect_size(orders, ratio, alpha, power)
    achieved = NormalIndPower().power(effect_size=h, nobs1=orders, alpha=alpha, ratio=ratio, alternative="two-sided")
    assert achieved == pytest.approx(power, abs=1e-4)


# ------------------------------------------------------------------ overdispersion (design effect)


def test_design_effect_scales_z_interval_and_detectable_effect():
    imp = gov.implied_reports(1.0, 5e9, -0.0896)
    ind, clustered = gov.report_rate_test(imp), gov.report_rate_test(imp, design_effect=25.0)
    assert clustered.z == pytest.approx(ind.z / 5) and clustered.z_independent == pytest.approx(ind.z)
    width = lambda t: math.log(1 + t.ci_relative_change[1]) - math.log(1 + t.ci_relative_change[0])  # noqa: E731
    assert width(clustered) == pytest.approx(5 * width(ind))
    # effective n = n / deff: the detectable change with deff 25 at 5 bn is the one at 200 m without
    assert gov.minimum_detectable_relative_change(1e-4, 5e9, design_effect=25.0) == pytest.approx(
        gov.minimum_detectable_relative_change(1e-4, 2e8), rel=1e-9
    )
    assert gov.orders_needed(1e-4, 0.05, design_effect=25.0) == pytest.approx(25 * gov.orders_needed(1e-4, 0.05))
    with pytest.raises(ValueError, match="design_effect"):
        gov.report_rate_test(imp, design_effect=0.9)


def test_breakeven_design_effect_is_where_the_verdict_turns():
    imp = gov.implied_reports(1.0, 5e9, -0.0896)
    d_star = gov.breakeven_design_effect(gov.report_rate_test(imp))
    assert d_star == pytest.approx((45.8407 / 1.959964) ** 2, rel=1e-4)
    assert gov.report_rate_test(imp, design_effect=d_star * 0.99).p_value < 0.05
    assert gov.report_rate_test(imp, design_effect=d_star * 1.01).p_value > 0.05
    table = gov.design_effect_table(imp, [1.0, 10.0, d_star * 1.01])
    assert list(table["significant"]) == [True, True, False]
    assert table["mdc"].is_monotonic_increasing and (table["ci_high"] - table["ci_low"]).is_monotonic_increasing


def test_an_underflowing_p_value_is_a_bound_not_zero():
    test = gov.report_rate_test(gov.implied_reports(1.0, 5e9, -0.0896))
    assert test.p_value < gov.P_VALUE_FLOOR and test.p_value_recorded is None
    assert test.p_value_bound == "< 1e-300" and test.log10_p == pytest.approx(-457.6, abs=0.5)
    small = gov.report_rate_test(gov.implied_reports(1.0, 5e9, -0.0896), design_effect=10.0)
    assert small.p_value_bound is None and small.p_value_recorded == pytest.approx(10**small.log10_p, rel=1e-6)


# The reported growth of e-commerce GMV, 2021 on 2020 (data/kuaishou_annual.csv: "同比增长78.4%").
GMV_GROWTH = 0.784


def test_analysis_records_the_default_run():
    """By hand: 5 bn orders in 2021 and 5 bn / 1.784 = 2,802,690,583 in 2020 (the GMV growth at an
    unchanged order value); at 1 report per 10,000 orders, 280,269 reports in 2020 and 5 bn x
    0.9104 / 10,000 = 455,200 in 2021; the pooled z of those counts, divided by sqrt(10)."""

    res = gov.recorded_results(Notebook.load("01_governance").resolve())
    assert res["orders_previous_used"] == pytest.approx(5e9 / 1.784) and res["orders_previous_basis"] == "gmv_growth"
    assert (res["reports_previous"], res["reports_current"]) == (280_269, 455_200)
    z_independent = _pooled_z(455_200, 5e9, 280_269, 5e9 / 1.784)
    assert res["report_rate_design_effect"] == 10.0
    assert res["report_rate_z_independent"] == pytest.approx(z_independent, rel=1e-9)
    assert res["report_rate_z"] == pytest.approx(z_independent / math.sqrt(10), rel=1e-9)
    assert res["report_rate_breakeven_design_effect"] == pytest.approx((z_independent / 1.959964) ** 2, rel=1e-6)
    assert res["report_rate_p_value"] > 0 and res["report_rate_p_value_bound"] is None
    assert res["interceptions_per_day"] == pytest.approx(62_440_000 / 365)
    lo, hi = res["report_rate_ci"]
    rr = (455_200 / 5e9) / (280_269 / (5e9 / 1.784))
    se = math.sqrt(10 * (1 / 455_200 - 1 / 5e9 + 1 / 280_269 - 1 / (5e9 / 1.784)))
    assert (lo, hi) == pytest.approx((rr * math.exp(-1.959964 * se) - 1, rr * math.exp(1.959964 * se) - 1), rel=1e-5)
    independent = gov.recorded_results(Notebook.load("01_governance").resolve(cli={"design_effect": "1"}))
    assert independent["report_rate_p_value"] is None and independent["report_rate_p_value_bound"] == "< 1e-300"


def test_previous_orders_follow_the_gmv_growth_unless_set_or_left_out():
    """2020's orders are 2021's over 1.784 (GMV +78.4 %, a V-2 figure); with the V-2 rows left out there
    is no growth to scale by and they equal 2021's, and a value given by parameter is used as given."""
    base = dict(DEFAULTS, orders_in_period=1.784e9)
    assert gov.previous_orders(gov.check_params(base)) == (pytest.approx(1e9), "gmv_growth")
    left_out = gov.check_params(dict(base, include_secondary_sources=False))
    assert gov.previous_orders(left_out) == (1.784e9, "same")
    assert gov.previous_orders(gov.check_params(dict(base, orders_previous_period=7e8))) == (7e8, "parameter")


def test_pyramid_labels_stay_inside_their_shapes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from trustlab import plots
    from trustlab.data.facts import load_facts

    plots.setup()  # the notebook's fonts (CJK glyphs in the article's metric names)
    layers = gov.trust_pyramid(load_facts(), max_per_layer=5)
    for size in ((10, 6.5), (7, 5)):
        fig, ax = plt.subplots(figsize=size)
        drawn = gov.draw_pyramid(ax, layers)
        ax.set_title("Kuaishou's trust pyramid")
        plots.caption(fig, "data/facts.csv")  # as the notebook draws it: the figure's layout then moves the axes
        renderer = fig.canvas.get_renderer()
        assert len(drawn) == len(layers)
        for patch, texts in drawn:
            path = patch.get_path().transformed(patch.get_transform())
            for text in texts:
                box = text.get_window_extent(renderer)
                corners = [[box.x0, box.y0], [box.x1, box.y0], [box.x0, box.y1], [box.x1, box.y1]]
                assert path.contains_points(corners).all(), (text.get_text()[:40], box, path.get_extents())
            name, body = (t.get_window_extent(renderer) for t in texts)
            assert name.y0 - body.y1 == pytest.approx(4 / 72 * fig.dpi, abs=1)  # the name 4 pt above its figures
        assert plots.text_problems(fig) == []
        plt.close(fig)


def test_expected_reports_and_the_orders_that_give_them_are_inverse():
    from trustlab.governance.report_rate import expected_reports

    assert expected_reports(1e6, 1.0) == pytest.approx(100.0)  # 1 report per 10,000 orders
    assert expected_reports(1e6, 1.0, 1 - 0.0896) == pytest.approx(91.04)
    orders = gov.orders_for_effective_reports(10.0, 2.5, 3.0, 0.9)
    assert expected_reports(orders, 2.5, 0.9) / 3.0 == pytest.approx(10.0)


def test_implied_reports_never_exceed_the_orders_and_the_test_stays_defined():
    """Found by the narrative's property test: every order reported (10,000 per 10,000) over a
    fractional order volume rounded to more reports than orders, and the interval's variance went
    negative (math domain error)."""
    from trustlab.governance.report_rate import implied_reports, report_rate_test

    implied = implied_reports(10_000, 3476.9770846095644, -0.0896, 34.769770846095644)
    assert implied.reports_previous == 34 <= implied.orders_previous
    assert implied.reports_current <= implied.orders_current
    test = report_rate_test(implied, alpha=1e-6)
    assert math.isfinite(test.z) and math.isfinite(test.ci_relative_change[0]) and math.isfinite(test.ci_relative_change[1])
