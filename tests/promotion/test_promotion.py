"""Tests of trustlab.promotion: hand computations, invariants, no leakage past train_end, parameter rules.

The quarter effects are tested in test_effects.py, the forecast scores by hand in test_promotion_backtest.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trustlab import promotion as p
from trustlab.data import quarterly
from trustlab.runner.params import ParameterError
from trustlab.source_facts.rates import day_count


@pytest.fixture(scope="module")
def gmv() -> pd.Series:
    return quarterly.wide(quarterly.load_quarterly())["gmv_rmb_bn"]


# --- decomposition ---------------------------------------------------------------------------------


def test_per_merchant_change_by_hand() -> None:
    assert p.gmv_per_merchant_change(5.15, 8) == pytest.approx(-0.23125)
    d = p.decompose_growth(5.15, 8.0)
    assert d.per_merchant_change == pytest.approx(-0.23125)
    assert d.breakeven_multiple == pytest.approx(6.15)
    assert "116" in d.note and "616" in d.note


def test_decomposition_table_is_the_grid() -> None:
    t = p.decomposition_table([5.15, 1.0], [4, 8])
    assert len(t) == 4
    row = t[(t.gmv_growth == 1.0) & (t.merchant_multiple == 4)].iloc[0]
    assert row.per_merchant_change == pytest.approx(-0.5)
    assert row.per_merchant_multiple == pytest.approx(0.5)


@given(
    g=st.floats(min_value=-0.99, max_value=100, allow_nan=False),
    m=st.floats(min_value=0.01, max_value=1000, allow_nan=False),
)
def test_decomposition_identity(g: float, m: float) -> None:
    c = p.gmv_per_merchant_change(g, m)
    assert (1 + g) == pytest.approx(m * (1 + c), rel=1e-12)


@given(g=st.floats(min_value=-0.99, max_value=100), m1=st.floats(0.1, 100), m2=st.floats(0.1, 100))
def test_more_merchants_means_less_per_merchant(g: float, m1: float, m2: float) -> None:
    if m1 < m2:
        assert p.gmv_per_merchant_change(g, m1) >= p.gmv_per_merchant_change(g, m2)


@pytest.mark.parametrize(("g", "m"), [(5.15, 0.0), (5.15, -1.0), (-1.0, 8.0)])
def test_decomposition_rejects_impossible_inputs(g: float, m: float) -> None:
    with pytest.raises(ValueError):
        p.gmv_per_merchant_change(g, m)


# --- funnel and run-rates ------------------------------------------------------------------------


def test_festival_days_inclusive() -> None:
    assert day_count("2022-05-20", "2022-06-19") == 31
    assert day_count("2022-05-20", "2022-06-14") == 26
    with pytest.raises(ValueError):
        day_count("2022-06-19", "2022-05-20")


def test_fast_brand_funnel_by_hand() -> None:
    f = p.fast_brand_funnel(12e6, 2e9, 49, 1e7, 70.0, 31)
    assert f.views_per_order == pytest.approx(2e9 / 12e6)  # 166.67
    assert f.orders_per_day == pytest.approx(12e6 / 31)
    assert f.min_top_rooms_gmv_rmb == pytest.approx(4.9e8)
    assert f.fast_brand_gmv_rmb == pytest.approx(8.4e8)
    assert f.top_rooms_min_share == pytest.approx(4.9e8 / 8.4e8)
    assert f.breakeven_order_value_rmb == pytest.approx(4.9e8 / 12e6)  # 40.83 RMB
    assert list(f.table().columns) == ["quantity", "value", "unit", "note"]


@given(aov=st.floats(min_value=1, max_value=10_000))
def test_top_share_exceeds_one_exactly_below_breakeven(aov: float) -> None:
    f = p.fast_brand_funnel(12e6, 2e9, 49, 1e7, aov, 31)
    assert (f.top_rooms_min_share > 1) == (aov < f.breakeven_order_value_rmb)


def test_trust_buy_run_rate_by_hand() -> None:
    t = p.trust_buy_run_rate(5e9, 4e8, "2022-05-20", ["2022-06-19", "2022-06-14"])
    assert t.loc[0, "orders_per_day"] == pytest.approx(5e9 / 365)
    assert t.loc[1, "orders_per_day"] == pytest.approx(4e8 / 31)
    assert t.loc[2, "orders_per_day"] == pytest.approx(4e8 / 26)
    assert t.loc[2, "ratio_to_2021"] == pytest.approx((4e8 / 26) / (5e9 / 365))


# --- quarterly -----------------------------------------------------------------------------------


def test_yoy_and_gmv_per_dau(gmv: pd.Series) -> None:
    w = quarterly.wide(quarterly.load_quarterly())
    yoy = p.yoy_growth(gmv)
    assert yoy[pd.Period("2022Q1", "Q")] == pytest.approx(175.08 / 118.56 - 1)
    assert yoy[pd.Period("2022Q4", "Q")] == pytest.approx(312.4 / 240.24 - 1)  # Q4 2021: FY2021 total minus Q1-Q3 (D-2)
    per = p.gmv_per_dau(w["gmv_rmb_bn"], w["dau_m"])
    assert per[pd.Period("2022Q1", "Q")] == pytest.approx(175.08e9 / 345.5e6)


def test_interpolation_is_labelled_and_uses_only_given_data(gmv: pd.Series) -> None:
    q4 = pd.Period("2021Q4", "Q")
    gmv = gmv.copy()
    gmv[q4] = np.nan  # a gap, as when its D-2 row is left out with the secondary sources
    short = p.interpolate_gaps(gmv.loc[:"2022Q1"])
    assert short.loc[q4, "interpolated"] and short.loc[q4, "method"] == "log-linear"
    assert short.loc[q4, "value"] == pytest.approx(np.sqrt(175.8 * 175.08))
    assert (~short.drop(index=q4)["interpolated"]).all()
    full = p.interpolate_gaps(gmv)
    assert full.loc[q4, "method"] == "seasonal-ratio"
    expected = 312.4 * np.sqrt((175.8 / 222.5) * (175.08 / 224.8))
    assert full.loc[q4, "value"] == pytest.approx(expected)
    assert full["interpolated"].sum() == 1
    with pytest.raises(ValueError, match="seasonal-ratio"):
        p.interpolate_gaps(gmv.loc[:"2022Q1"], method="seasonal-ratio")


def test_decomposition_recomposes(gmv: pd.Series) -> None:
    d = p.decompose(gmv)
    recomposed = (d.trend + d.seasonal + d.resid).dropna()
    assert np.allclose(recomposed, d.observed[recomposed.index])
    f = d.seasonal_factors()
    assert f["Q4"] > 1 > f["Q1"]  # the Double 11 quarter is the seasonal high


@pytest.mark.parametrize(("model", "train_end"), [("sarimax", "2023Q1"), ("ets", "2023Q4")])  # their shortest spans
def test_forecast_dates_follow_train_end(gmv: pd.Series, model: str, train_end: str) -> None:
    fc = p.fit_forecast(gmv, train_end, model, 5)
    end = pd.Period(train_end, "Q")
    assert list(fc.table.index) == list(pd.period_range(end + 1, periods=5, freq="Q"))
    assert (fc.table.index > end).all()
    assert fc.train.index.max() == end
    assert ((fc.table["lower"] <= fc.table["forecast"]) & (fc.table["forecast"] <= fc.table["upper"])).all()
    assert (fc.table["lower"] > 0).all()


@pytest.mark.parametrize(("model", "train_end"), [("sarimax", "2023Q1"), ("sarimax", "2024Q2"), ("ets", "2023Q4")])
def test_no_data_after_train_end_reaches_the_fit(gmv: pd.Series, model: str, train_end: str) -> None:
    clean = p.fit_forecast(gmv, train_end, model, 4)
    corrupted = gmv.copy()
    after = corrupted.index > pd.Period(train_end, "Q")
    assert after.any()
    corrupted[after] = corrupted[after] * 1000 + 7  # also changes what a seasonal-ratio fill could borrow
    dirty = p.fit_forecast(corrupted, train_end, model, 4)
    pd.testing.assert_frame_equal(clean.table, dirty.table)
    pd.testing.assert_frame_equal(clean.train, dirty.train)


def test_corruption_before_train_end_does_change_the_forecast(gmv: pd.Series) -> None:
    # guards the no-leakage test: the comparison is sensitive to the training data
    corrupted = gmv.copy()
    corrupted[pd.Period("2021Q3", "Q")] *= 1.5
    assert not np.allclose(
        p.fit_forecast(corrupted, "2023Q1", "sarimax", 4).table, p.fit_forecast(gmv, "2023Q1", "sarimax", 4).table
    )


@pytest.mark.slow
@pytest.mark.parametrize("model", ["sarimax", "ets"])
def test_a_fit_is_made_once_per_training_data_and_equals_a_fresh_one(gmv: pd.Series, model: str) -> None:
    from trustlab.promotion import forecast

    forecast._fitted.cache_clear()
    first = p.fit_forecast(gmv, "2023Q4", model, 4, alpha=0.1)
    again = p.fit_forecast(gmv, "2023Q4", model, 8, alpha=0.2)  # another horizon and level: the same fit
    assert forecast._fitted.cache_info().misses == 1 and forecast._fitted.cache_info().hits == 1
    assert first.params == again.params
    np.testing.assert_allclose(first.table["forecast"], again.table["forecast"].iloc[:4])
    forecast._fitted.cache_clear()
    fresh = p.fit_forecast(gmv, "2023Q4", model, 4, alpha=0.1)
    pd.testing.assert_frame_equal(first.table, fresh.table)
    corrupted = gmv.copy()
    corrupted[pd.Period("2021Q3", "Q")] *= 1.5  # other training values: a fit of its own
    p.fit_forecast(corrupted, "2023Q4", model, 4)
    assert forecast._fitted.cache_info().misses == 2


@pytest.mark.slow
def test_backtest_is_rolling_origin_and_scores_by_hand(gmv: pd.Series) -> None:
    bt = p.backtest(gmv, "2022Q1", "sarimax", 2)
    f = bt.forecasts
    assert (f["target"] > f["origin"]).all()
    assert ((f["target"] - f["origin"]).map(lambda d: d.n) == f["horizon"]).all()
    # 2022Q1..2022Q4 leave 5..8 quarters, fewer than SARIMAX's 9: named, not scored
    assert bt.origins_excluded("too few quarters") == ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]
    assert f["origin"].min() == pd.Period("2023Q1", "Q")
    # the first scored origin's forecast equals a direct fit at that origin
    direct = p.fit_forecast(gmv, "2023Q1", "sarimax", 2).table
    first = f[f["origin"] == pd.Period("2023Q1", "Q")].set_index("target")
    assert np.allclose(first["forecast"], direct["forecast"])
    assert np.allclose(f["ape"], (f["forecast"] - f["actual"]).abs() / f["actual"])
    h1 = f[f["horizon"] == 1]
    row = bt.errors.set_index("horizon").loc[1]
    assert row["n"] == len(h1)
    assert row["mape"] == pytest.approx(h1["ape"].mean())
    assert row["coverage"] == pytest.approx(h1["covered"].astype(float).mean())
    inside, n = bt.covered
    assert n == len(f) and inside == int(f["covered"].astype(bool).sum()) and bt.coverage == pytest.approx(inside / n)


def test_benchmarks_by_hand(gmv: pd.Series) -> None:
    sn = p.benchmark_forecast(gmv, "2023Q2", "seasonal_naive", 5)
    assert sn[pd.Period("2023Q3", "Q")] == pytest.approx(222.5)  # 2022Q3
    assert sn[pd.Period("2024Q1", "Q")] == pytest.approx(224.8)  # 2023Q1, four quarters back
    assert sn[pd.Period("2024Q3", "Q")] == pytest.approx(222.5)  # h = 5: two years back
    g = 265.5 / 191.2  # latest YoY growth factor at the 2023Q2 origin
    sg = p.benchmark_forecast(gmv, "2023Q2", "seasonal_naive_growth", 5)
    assert sg[pd.Period("2023Q3", "Q")] == pytest.approx(222.5 * g)
    assert sg[pd.Period("2024Q3", "Q")] == pytest.approx(222.5 * g**2)
    assert p.benchmark_forecast(gmv, "2023Q2", "naive", 5).to_list() == pytest.approx([265.5] * 5)
    slope = (265.5 - 118.56) / 9  # ten quarters 2021Q1..2023Q2
    assert p.benchmark_forecast(gmv, "2023Q2", "drift", 2).to_list() == pytest.approx([265.5 + slope, 265.5 + 2 * slope])
    with pytest.raises(ValueError, match="benchmark"):
        p.benchmark_forecast(gmv, "2023Q2", "mean", 2)


def test_benchmark_sees_nothing_after_train_end(gmv: pd.Series) -> None:
    corrupted = gmv.copy()
    corrupted[corrupted.index > pd.Period("2022Q3", "Q")] *= 50
    for b in p.BENCHMARKS:
        pd.testing.assert_series_equal(p.benchmark_forecast(gmv, "2022Q3", b, 4), p.benchmark_forecast(corrupted, "2022Q3", b, 4))


def test_backtests_share_origins_and_benchmarks_have_no_coverage(gmv: pd.Series) -> None:
    bts = {m: p.backtest(gmv, "2023Q1", "sarimax", 2, method=m) for m in p.METHODS}
    keys = {m: list(zip(b.forecasts["origin"], b.forecasts["target"])) for m, b in bts.items()}
    assert all(k == keys["model"] for k in keys.values())  # every fit at 2023Q1.. converges: the same pairs
    assert all(np.isnan(bts[b].coverage) and bts[b].covered == (0, 0) for b in p.BENCHMARKS)
    assert 0 <= bts["model"].coverage <= 1
    f = bts["seasonal_naive"].forecasts
    assert np.allclose(f["ape"], (f["forecast"] - f["actual"]).abs() / f["actual"])


def test_skill_against_best_benchmark() -> None:
    assert p.skill(0.08, {"a": 0.1, "b": 0.2}) == (pytest.approx(0.2), "a")
    s, best = p.skill(0.12, {"a": 0.1, "b": 0.2})
    assert s == pytest.approx(-0.2) and best == "a"
    assert np.isnan(p.skill(float("nan"), {"a": 0.1})[0])


# --- headline method without hindsight -------------------------------------------------------------


def test_selection_sees_nothing_after_train_end(gmv: pd.Series) -> None:
    corrupted = gmv.copy()
    corrupted[corrupted.index > pd.Period("2024Q2", "Q")] *= 50
    clean, dirty = p.select_method(gmv, "2024Q2", "sarimax", 2), p.select_method(corrupted, "2024Q2", "sarimax", 2)
    assert clean.method == dirty.method
    assert clean.mape == pytest.approx(dirty.mape)
    assert clean.n == dirty.n > 0


def test_selection_scores_only_up_to_train_end_on_shared_origins(gmv: pd.Series) -> None:
    sel = p.select_method(gmv, "2024Q4", "sarimax", 4)
    end = pd.Period("2024Q4", "Q")
    assert sel.first_origin == p.first_origin(gmv, "sarimax") == pd.Period("2023Q1", "Q")  # 9 quarters from 2021Q1
    keys = {m: list(zip(b.forecasts["origin"], b.forecasts["target"])) for m, b in sel.backtests.items()}
    assert all(k == keys["model"] for k in keys.values())
    f = sel.backtests["model"].forecasts
    assert (f["target"] <= end).all() and (f["origin"] < end).all()
    assert f["origin"].min() == pd.Period("2023Q1", "Q")
    assert sel.n_origins == 7 and sel.chosen_by_data  # 2023Q1..2024Q3
    assert sel.origins == (f["origin"].min(), f["origin"].max())
    assert sel.method == p.lowest_mape(sel.mape)
    assert sel.mape["model"] == pytest.approx(f["ape"].mean())
    assert np.isnan(sel.coverage["seasonal_naive"]) and 0 <= sel.coverage["model"] <= 1
    # every scored forecast of a benchmark is the benchmark fitted at its origin
    sg = sel.backtests["seasonal_naive_growth"].forecasts.iloc[0]
    direct = p.benchmark_forecast(gmv, sg["origin"], "seasonal_naive_growth", 4)
    assert sg["forecast"] == pytest.approx(direct[sg["target"]])


@pytest.mark.slow
def test_selection_picks_the_method_that_fits_by_construction() -> None:
    # A line: the drift is exact. (Constant year-on-year growth with a fixed seasonal pattern, where the
    # seasonal naive x growth is exact, no longer serves: the SARIMAX seasonal AR runs to 1 on it, the
    # model converges at no origin and nothing can be compared; see test_promotion_backtest.py.)
    idx = pd.period_range("2019Q1", "2023Q4", freq="Q")
    line = pd.Series(100.0 + 10.0 * np.arange(len(idx)), index=idx)
    sel = p.select_method(line, "2023Q4", "sarimax", 2)
    assert sel.chosen_by_data and sel.method == "drift" and sel.origins_not_converged == []
    assert sel.mape["drift"] == pytest.approx(0, abs=1e-12)
    assert sel.mape["seasonal_naive"] > 0.1  # a year's growth missed


def test_selection_without_a_scorable_origin_falls_back_to_the_seasonal_naive(gmv: pd.Series) -> None:
    sel = p.select_method(gmv, "2023Q1", "sarimax", 4)  # 9 quarters: the first feasible origin is train_end itself
    assert not sel.chosen_by_data and sel.method == "seasonal_naive" and sel.n == 0 and sel.origins is None
    assert all(np.isnan(v) for v in sel.mape.values())
    ets = p.select_method(gmv, "2024Q4", "ets", 1)  # ets needs 12 quarters: origins from 2023Q4
    assert ets.first_origin == pd.Period("2023Q4", "Q") and ets.n == 4 and ets.chosen_by_data
    default = p.select_method(gmv, "2023Q4", "sarimax", 4)  # the default train_end: origins 2023Q1..2023Q3
    assert default.n_origins == 3 and not default.chosen_by_data and default.method == "seasonal_naive"


def test_lowest_mape_breaks_ties_towards_the_model_and_skips_gaps() -> None:
    nan = float("nan")
    assert (
        p.lowest_mape({"model": 0.1, "naive": 0.3, "drift": 0.2, "seasonal_naive": 0.1, "seasonal_naive_growth": 0.2}) == "model"
    )
    assert p.lowest_mape({"model": nan, "naive": 0.3, "drift": 0.4, "seasonal_naive": 0.3, "seasonal_naive_growth": 0.2}) == (
        "seasonal_naive_growth"
    )
    assert p.lowest_mape({"model": None, "naive": 0.3, "drift": 0.3}) == "naive"  # ties: the earlier of METHODS
    assert p.lowest_mape({"model": None, "seasonal_naive": nan, "seasonal_naive_growth": nan}) == "seasonal_naive"


@pytest.mark.slow
def test_analysis_chooses_the_headline_before_train_end_and_evaluates_after() -> None:
    r = p.recorded_results({"train_end": "2024Q4", "forecast_quarters": 3, "backtest_horizon": 2})
    assert r["selection_chosen_by_data"] and r["selection_n_origins"] >= p.MIN_SELECTION_ORIGINS
    assert r["model_status"] == "ok"
    assert r["headline_method"] == p.lowest_mape(r["selection_mape_by_method"])
    assert r["selection_n"] > 0 and r["selection_origins"][1] < "2024Q4"
    assert r["headline_forecast"] == r["forecasts_by_method"][r["headline_method"]]
    assert r["headline_holdout_mape"] == r["holdout_mape"][r["headline_method"]]
    assert r["holdout_best_method"] == p.lowest_mape(r["holdout_mape"])
    assert set(r["holdout_mape"]) == set(r["backtest_mape_by_method"]) == set(r["selection_mape_by_method"]) == set(p.METHODS)
    assert (
        p.select_method(quarterly.wide(quarterly.load_quarterly())["gmv_rmb_bn"], "2024Q4", "sarimax", 2).method
        == r["headline_method"]
    )


def test_trust_buy_row_marks_its_dated_window() -> None:
    t = p.trust_buy_run_rate(5e9, 4e8, "2022-05-20", ["2022-06-19", "2022-06-14"], dated_end="2022-06-14")
    assert t["dated"].tolist() == [False, False, True]


# --- parameter checker ---------------------------------------------------------------------------

GOOD = {
    "train_end": "2022Q1",
    "forecast_quarters": 6,
    "model": "sarimax",
    "merchant_multiple": 8.0,
    "gmv_growth": 5.15,
    "festival_end": "2022-06-19",
    "include_secondary_sources": True,
    "average_order_value_rmb": 70.0,
    "backtest_horizon": 4,
}


def test_check_params_accepts_defaults() -> None:
    p.check_params(GOOD)
    p.check_params({**GOOD, "train_end": "2023Q2", "model": "ets"})


@pytest.mark.parametrize(
    ("change", "name", "fragment"),
    [
        ({"train_end": "2022-Q1"}, "train_end", "YYYYQn"),
        ({"train_end": "2019Q4"}, "train_end", "outside"),
        ({"train_end": "2026Q1"}, "train_end", "outside"),
        ({"train_end": "2023Q1", "include_secondary_sources": False}, "train_end", "gap"),  # its V-2 row left out
        ({"train_end": "2021Q3"}, "train_end", "at least 5 quarters"),
        ({"model": "arima"}, "model", "one of"),
        ({"merchant_multiple": 0.0}, "merchant_multiple", "> 0"),
        ({"merchant_multiple": -8.0}, "merchant_multiple", "> 0"),
        ({"gmv_growth": -1.5}, "gmv_growth", "> -1"),
        ({"festival_end": "2022-06-18"}, "festival_end", "2022-06-14"),
        ({"average_order_value_rmb": 0}, "average_order_value_rmb", "> 0"),
        ({"forecast_quarters": 0}, "forecast_quarters", ">= 1"),
        ({"include_secondary_sources": False}, "train_end", "gaps"),
    ],
)
def test_check_params_names_the_parameter(change: dict, name: str, fragment: str) -> None:
    with pytest.raises(ParameterError) as info:
        p.check_params({**GOOD, **change})
    assert f"'{name}'" in str(info.value)
    assert fragment in str(info.value)


@pytest.mark.parametrize("train_end", ["2021Q2", "2021Q4"])
def test_a_short_train_end_is_refused_for_the_benchmarks_without_suggesting_a_model(train_end: str) -> None:
    with pytest.raises(ParameterError) as info:
        p.check_params({**GOOD, "train_end": train_end})
    message = str(info.value)
    assert "use train_end >= 2022Q1" in message  # 2021Q1 + 4: five quarters for the seasonal naive x growth
    assert "model" not in message  # the model is not what limits it: it may lack quarters and make no forecast


@pytest.mark.parametrize(("model", "train_end"), [("ets", "2022Q1"), ("ets", "2023Q3"), ("sarimax", "2022Q4")])
def test_a_model_short_of_quarters_is_accepted_and_makes_no_forecast(model: str, train_end: str) -> None:
    p.check_params({**GOOD, "train_end": train_end, "model": model})
    gmv = quarterly.wide(quarterly.load_quarterly())["gmv_rmb_bn"]
    p.check_train_end(train_end, model, gmv)
    assert (p.method_forecast(gmv, train_end, "model", model, 2)["status"] == "too few quarters").all()


@settings(max_examples=30, deadline=None)
@given(year=st.integers(2021, 2025), q=st.integers(1, 4), model=st.sampled_from(["sarimax", "ets"]))
def test_check_params_agrees_with_fit(year: int, q: int, model: str) -> None:
    """Whatever train_end the checker accepts, every benchmark forecasts there, and the model either
    forecasts or says it has too few quarters: exactly when it has fewer than it needs."""
    te = f"{year}Q{q}"
    gmv = quarterly.wide(quarterly.load_quarterly())["gmv_rmb_bn"]
    try:
        p.check_train_end(te, model, gmv)
    except ParameterError:
        return
    for b in p.BENCHMARKS:
        assert p.benchmark_forecast(gmv, te, b, 2).notna().all()
    status = set(p.method_forecast(gmv, te, "model", model, 2)["status"])
    short = len(p.training_data(gmv, te)) < p.MIN_TRAIN_QUARTERS[model]
    assert status == ({"too few quarters"} if short else {"ok"})
