"""Tests of trustlab.community: growth on growth, its power, 信任購's coverage, repurchase
comparability and the run, each expected value derived by hand or from the raw CSV."""

from __future__ import annotations

import csv
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from trustlab import community, config
from trustlab.community import growth, rights
from trustlab.errors import ParameterError

# --- growth on growth ----------------------------------------------------------------------------------


def test_fit_slope_matches_the_hand_calculation():
    # x = 0..3, y = 0, 1, 1, 3: Sxy = 4.5, Sxx = 5, slope 0.9, SSE 0.70, se = sqrt(0.70 / 2 / 5)
    fit = growth.fit_slope(np.array([0.0, 1, 2, 3]), np.array([0.0, 1, 1, 3]), alpha=0.05)
    se = math.sqrt(0.07)
    c = 0.95  # with 2 degrees of freedom the t cdf is 1/2 + t / (2 sqrt(2 + t^2)): t_crit = sqrt(2 c^2 / (1 - c^2))
    critical = math.sqrt(2 * c**2 / (1 - c**2))
    t = 0.9 / se
    assert fit.n == 4 and fit.slope == pytest.approx(0.9)
    assert fit.lower == pytest.approx(0.9 - critical * se) and fit.upper == pytest.approx(0.9 + critical * se)
    assert fit.p_value == pytest.approx(1 - t / math.sqrt(2 + t**2))
    assert fit.correlation == pytest.approx(4.5 / math.sqrt(5 * 4.75))


def test_fit_slope_refuses_too_few_pairs_and_no_spread():
    assert growth.fit_slope(np.array([0.0, 1]), np.array([1.0, 2]), 0.05).slope is None
    flat = growth.fit_slope(np.array([0.1, 0.1, 0.1]), np.array([1.0, 2, 3]), 0.05)
    assert flat.slope is None and "does not vary" in flat.reason


def test_power_and_detectable_correlation_follow_fishers_z():
    from statistics import NormalDist

    z = NormalDist()
    n, r, alpha = 12, 0.5, 0.05
    shift = math.atanh(r) * math.sqrt(n - 3)
    crit = z.inv_cdf(1 - alpha / 2)
    assert growth.correlation_power(n, r, alpha) == pytest.approx(z.cdf(shift - crit) + z.cdf(-shift - crit))
    assert growth.detectable_correlation(n, alpha, 0.8) == pytest.approx(math.tanh((crit + z.inv_cdf(0.8)) / 3))
    assert growth.correlation_power(3, r, alpha) is None and growth.detectable_correlation(3, alpha, 0.8) is None


def _wide(values: dict[str, list[float]], status: dict[str, list[str]], start: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = len(next(iter(values.values())))
    index = pd.period_range(start, periods=n, freq="Q", name="quarter")
    return pd.DataFrame(values, index=index), pd.DataFrame(status, index=index)


def test_panel_and_year_on_year_by_hand():
    values, status = _wide(
        {
            "gmv_rmb_bn": [100.0, 110, 120, 130, 150, 165],
            "dau_m": [300.0, 300, 300, 300, 330, 330],
            "time_per_dau_min": [100.0, np.nan, 110, 110, 120, 121],
        },
        {"gmv_rmb_bn": ["V", "V", "V", "V", "V-2", "V"], "dau_m": ["V"] * 6, "time_per_dau_min": ["V", "", "V", "V", "V", "V"]},
        "2021Q1",
    )
    table = growth.panel(values, status, "2021Q1", "2022Q2")
    assert table["gmv_per_dau_rmb"].iloc[0] == pytest.approx(100e9 / 300e6)
    assert list(table["secondary"]) == [False, False, False, False, True, False]
    yoy = growth.year_on_year(table)
    assert [str(q) for q in yoy.index] == ["2022Q1", "2022Q2"]
    assert yoy.loc[pd.Period("2022Q1", "Q"), "gmv_per_dau"] == pytest.approx(math.log((150 / 330) / (100 / 300)))
    assert yoy.loc[pd.Period("2022Q1", "Q"), "time_per_dau"] == pytest.approx(math.log(1.2))
    assert list(yoy["complete"]) == [True, False]  # 2021Q2 has no time per DAU
    assert list(yoy["secondary"]) == [True, False]
    # DAU's share of GMV's log growth, over both quarters: (ln 1.1 + ln 1.1) / (ln 1.5 + ln 1.5)
    assert growth.dau_share_of_gmv_growth(yoy) == pytest.approx(math.log(1.1) / math.log(1.5))


# --- consumer rights -----------------------------------------------------------------------------------


def test_window_gmv_is_pro_rata_to_days_and_refuses_days_outside_the_quarter():
    q4 = pd.Period("2021Q4", freq="Q")
    assert rights.window_gmv(92.0, q4, date(2021, 11, 1), date(2021, 12, 31)) == pytest.approx(61.0)
    with pytest.raises(ValueError, match="window 2021-09-30..2021-12-31"):
        rights.window_gmv(92.0, q4, date(2021, 9, 30), date(2021, 12, 31))


def test_coverage_by_hand():
    cov = rights.coverage("2021", 5e9, 680e9, 70.0)
    assert cov.orders == pytest.approx(680e9 / 70)
    assert cov.share == pytest.approx(5e9 * 70 / 680e9)
    assert cov.breakeven_order_value_rmb == pytest.approx(136.0)
    with pytest.raises(ValueError, match="order_value_rmb"):
        rights.coverage("x", 5e9, 680e9, 0.0)


def test_comparable_pairs_need_two_levels_with_one_definition_on_either_side():
    launch = date(2021, 11, 1)
    before = rights.RepurchaseFigure("a", "level", date(2021, 9, 1), date(2021, 9, 30), "30-day", "V")
    after = rights.RepurchaseFigure("b", "level", date(2022, 1, 1), date(2022, 3, 31), "30-day", "V")
    other = rights.RepurchaseFigure("c", "level", date(2022, 1, 1), date(2022, 3, 31), "90-day", "V")
    unstated = rights.RepurchaseFigure("d", "level", date(2022, 1, 1), date(2022, 3, 31), None, "V")
    change = rights.RepurchaseFigure("e", "change", date(2020, 10, 1), date(2021, 12, 31), "30-day", "V")
    assert rights.comparable_pairs([before, after, other, unstated, change], launch) == [("a", "b")]
    assert change.side(launch) == "spans" and before.side(launch) == "before" and after.side(launch) == "after"


# --- the contract --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"start_quarter": "2020Q4"}, "start_quarter"),
        ({"end_quarter": "2025Q4"}, "end_quarter"),
        ({"start_quarter": "2021Q5"}, "start_quarter"),
        ({"start_quarter": "2022Q1", "end_quarter": "2022Q4"}, "end_quarter"),
        ({"alpha": 0.5}, "alpha"),
        ({"alpha": 0.3, "power": 0.2}, "power"),
        ({"min_pairs": 2}, "min_pairs"),
        ({"order_value_rmb": 0.5}, "order_value_rmb"),
        ({"target_correlation": 1.0}, "target_correlation"),
    ],
)
def test_the_contract_refuses_values_naming_the_parameter(values, named):
    with pytest.raises(ParameterError, match=f"parameter '{named}'"):
        community.Parameters.check(values)


# --- the run against the data files --------------------------------------------------------------------


def _raw_quarters(metric: str, primary_only: bool = False) -> set[pd.Period]:
    with open(config.DATA_DIR / "kuaishou_quarterly.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["metric"] == metric]
    return {pd.Period(r["quarter"], "Q") for r in rows if not primary_only or r["status"] in ("V", "V-c")}


def test_the_run_counts_the_pairs_the_csv_allows_and_the_coverage_by_hand():
    results = community.run({})
    time = _raw_quarters("time_per_dau_min")  # GMV and DAU cover every quarter of 2021Q1-2025Q3
    expected = sorted(str(q) for q in time if q - 4 in time)
    assert results["growth_pair_quarters"] == expected and results["growth_pairs"] == len(expected)
    primary = {
        q
        for q in map(lambda s: pd.Period(s, "Q"), expected)
        if all({q, q - 4} <= _raw_quarters(m, primary_only=True) for m in ("gmv_rmb_bn", "dau_m", "time_per_dau_min"))
    }
    assert results["growth_pairs_primary"] == len(primary)
    assert results["trust_buy_share_2021"] == pytest.approx(5e9 * 70 / 680e9)
    assert results["trust_buy_share_616"] == pytest.approx(4e8 * 70 / (191.2e9 * 26 / 91))
    assert results["trust_buy_share_since_launch"] == pytest.approx(5e9 * 70 / (240.24e9 * 61 / 92))
    # 2021Q4 is 680 bn (rounded to RMB 10 bn) minus Q1-Q3: +-5 bn moves the Nov-Dec orders
    low, high = (5e9 * 70 / ((240.24e9 + d) * 61 / 92) for d in (5e9, -5e9))
    assert results["trust_buy_share_since_launch_bounds"] == pytest.approx([low, high])
    assert results["mutual_follow_growth"] == pytest.approx({"2021Q4": 0.682, "2022Q1": 0.689})
    assert results["mutual_follow_growth_per_year"] == pytest.approx((33 / 16.3) ** 0.5 - 1)
    assert results["repurchase_figures"] == 4 and results["repurchase_comparable_pairs"] == 0


def test_without_secondary_sources_the_run_says_what_it_cannot_compute():
    results = community.run({"include_secondary_sources": False})
    assert results["slope"] is None and "fewer than min_pairs = 5" in results["growth_fit_reason"]
    assert results["trust_buy_share_2021"] is None  # the annual GMV and 2021Q2 are V-2
    assert results["trust_buy_share_since_launch"] is None  # 2021Q4 GMV is D-2
    assert results["trust_buy_share_616"] == pytest.approx(4e8 * 70 / (191.2e9 * 26 / 91))  # 2022Q2 is V-c
    assert results["mutual_follow_growth"] == pytest.approx({"2022Q1": 0.689})
    assert results["repurchase_figures"] == 3


def test_mutual_follow_and_buyer_tables_by_hand():
    inputs = community.load_inputs(True)
    mutual = community.mutual_follow_table(inputs).set_index("quarter")
    assert mutual.loc["2022Q1", "mutual_follow_growth"] == pytest.approx(0.689)
    assert mutual.loc["2022Q1", "gmv_per_dau_growth"] == pytest.approx((175.08 / 118.56) / (345.5 / 295.3) - 1)
    assert mutual.loc["2022Q1", "time_per_dau_growth"] == pytest.approx(128.1 / 99.3 - 1)
    assert math.isnan(mutual.loc["2021Q4", "gmv_per_dau_growth"])  # 2020Q4 is not in the data
    levels = community.buyer_levels(inputs).set_index("quarter")
    assert levels.loc["2023Q4", "gmv_per_monthly_buyer_rmb"] == pytest.approx(403.9e9 / 130e6)
    buyers = community.buyer_growth(inputs).set_index("quarter")
    assert buyers.loc["2024Q1", "gmv_per_buyer_growth"] == pytest.approx((288.1 / 224.8) / 1.224 - 1)
    assert buyers.loc["2024Q1", "time_per_dau_growth"] == pytest.approx(129.5 / 126.8 - 1)
    assert math.isnan(buyers.loc["2024Q3", "time_per_dau_growth"])  # 2023Q3 has no time per DAU
    assert community.buyer_levels(community.load_inputs(False)).empty  # every buyer figure is V-2


def test_series_coverage_counts_the_rows_of_the_data_files():
    table = community.series_coverage(community.load_inputs(True), "2021Q1", "2025Q3").set_index("series")
    assert (table["of"] == 19).all()  # 2021Q1 to 2025Q3
    assert table.loc["time per DAU", "quarters"] == len(_raw_quarters("time_per_dau_min"))
    assert table.loc["GMV", "quarters"] == len(_raw_quarters("gmv_rmb_bn")) == 19
    with open(config.DATA_DIR / "kuaishou_community.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for metric, label in (
        ("mutual_follow_pairs_yoy_pct", "mutual-follow pairs (growth)"),
        ("monthly_buyers_m", "monthly buyers (level)"),
    ):
        assert table.loc[label, "quarters"] == sum(r["metric"] == metric for r in rows)
    narrow = community.series_coverage(community.load_inputs(True), "2024Q1", "2025Q3").set_index("series")
    assert (
        narrow.loc["mutual-follow pairs (growth)", "quarters"] == 0 and narrow.loc["monthly buyers (level)", "first"] == "2024Q1"
    )
