"""Notebook 02's tables (trustlab.promotion.tables) and figures (trustlab.promotion.figures): each
checked against values worked out by hand or read from the data files with the csv module."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from trustlab import promotion as promo  # noqa: E402
from trustlab.data import quarterly  # noqa: E402
from trustlab.data.facts import load_facts  # noqa: E402
from trustlab.promotion import tables  # noqa: E402
from trustlab.promotion.forecast import SeasonalDecomposition  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "data"


def _csv_rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _quarters(first: str, n: int) -> pd.PeriodIndex:
    return pd.period_range(first, periods=n, freq="Q", name="quarter")


def _long(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    """A quarterly frame as loaded (long), from (quarter, metric, value, status) rows."""
    frame = pd.DataFrame(rows, columns=["quarter", "metric", "value", "status"])
    frame["note"] = ""
    return frame


@pytest.fixture
def figure():
    fig, ax = plt.subplots()
    yield fig, ax
    plt.close(fig)


def test_festival_facts_table_lists_the_festival_figures_with_their_quotes_as_the_csv_has_them():
    by_id = {row["fact_id"]: row for row in _csv_rows("facts.csv")}
    table = tables.festival_facts_table(load_facts())
    assert list(table["fact_id"]) == list(tables.FESTIVAL_FACT_IDS)
    assert list(table.columns) == ["fact_id", "value", "unit", "qualifier", "period_start", "period_end", "quote"]
    for row in table.itertuples():
        assert str(row.value) == by_id[row.fact_id]["value"]
        assert row.quote == by_id[row.fact_id]["quote"]
    assert table.set_index("fact_id").loc["fastbrand_rooms_over_10m_616_2022", "value"] == "49"


def test_quarterly_table_writes_each_value_with_its_status_as_the_csv_has_them():
    table = tables.quarterly_table(quarterly.load_quarterly()).set_index("quarter")
    rows = _csv_rows("kuaishou_quarterly.csv")
    for row in (r for r in rows if r["quarter"] in ("2021Q1", "2022Q2") and r["metric"] == "gmv_rmb_bn"):
        assert table.loc[row["quarter"], "gmv_rmb_bn"] == f"{float(row['value']):,.1f} ({row['status']})"
    assert table.loc["2021Q1", "dau_m"] == "295.3 (V-c)"  # the csv's second line


def test_decomposition_grid_holds_one_plus_growth_over_multiple_minus_one_for_every_pair():
    grid = tables.decomposition_grid(5.15, 8.0)
    assert list(grid.columns) == [
        "GMV growth (fraction)",
        "x2 merchants",
        "x4 merchants",
        "x6.15 merchants",
        "x8 merchants",
        "x10 merchants",
    ]
    assert list(grid["GMV growth (fraction)"]) == [2.0, 3.0, 4.0, 5.15, 6.0]
    row = grid.set_index("GMV growth (fraction)")
    assert row.loc[5.15, "x8 merchants"] == pytest.approx(6.15 / 8 - 1)  # -0.23125
    assert row.loc[2.0, "x2 merchants"] == pytest.approx(0.5)
    assert row.loc[6.0, "x10 merchants"] == pytest.approx(-0.3)
    # a parameter equal to a grid value is one row, not two
    assert list(tables.decomposition_grid(4.0, 2.0)["GMV growth (fraction)"]) == [2.0, 3.0, 4.0, 6.0]


def test_order_value_table_gives_the_top_rooms_floor_over_orders_times_order_value():
    funnel = promo.fast_brand_funnel(
        orders=2e7, room_views=1e9, rooms_over_threshold=49, room_sales_threshold_rmb=1e7, average_order_value_rmb=70, days=31
    )
    table = tables.order_value_table(funnel, (40.0, 24.5))
    assert list(table.columns) == ["average order value, RMB", tables.TOP_ROOMS_SHARE]
    assert table[tables.TOP_ROOMS_SHARE].tolist() == pytest.approx([4.9e8 / 8e8, 1.0])  # 49 x RMB 10 m / (20 m x RMB 40)


def test_per_user_table_divides_gmv_by_dau_and_compares_each_quarter_with_a_year_earlier():
    quarters = [str(q) for q in _quarters("2021Q1", 5)]
    gmv = [100.0, 120.0, 130.0, 200.0, 150.0]
    dau = [300.0, 300.0, 310.0, 320.0, 330.0]
    rows = [(q, "gmv_rmb_bn", g, "V") for q, g in zip(quarters, gmv, strict=True)]
    rows += [(q, "dau_m", d, "V-c") for q, d in zip(quarters, dau, strict=True)]
    rows += [(q, metric, 1.0, "V") for q in quarters for metric in quarterly.METRICS if metric not in ("gmv_rmb_bn", "dau_m")]
    frame = _long(rows)
    run = SimpleNamespace(gmv=pd.Series(gmv, index=_quarters("2021Q1", 5)), quarterly=frame)
    table = tables.per_user_table(run)
    assert list(table["quarter"]) == quarters
    last = table.iloc[-1]
    assert last["GMV status"] == "V"
    assert last["YoY GMV growth"] == pytest.approx(0.5)  # 150 / 100 - 1
    assert last["GMV per DAU (RMB/quarter)"] == pytest.approx(150e9 / 330e6)  # RMB bn over million users
    assert last["YoY GMV per DAU"] == pytest.approx((150 / 330) / (100 / 300) - 1)
    assert table["YoY GMV growth"].iloc[:4].isna().all()
    assert set(tables.PER_USER_FORMATS) <= set(table.columns)


def _decomposition() -> SeasonalDecomposition:
    index = _quarters("2021Q1", 8)
    filled = pd.DataFrame(
        {
            "value": [100.0, 110.0, 120.0, 200.0, 130.0, 140.0, 150.0, 260.0],
            "interpolated": [False, False, True, False, False, False, False, False],
            "method": ["", "", "linear", "", "", "", "", ""],
        },
        index=index,
    )
    seasonal = pd.Series([-0.1, 0.0, -0.2, 0.3] * 2, index=index)
    trend = pd.Series([np.nan, np.nan, 4.9, 5.0, 5.1, 5.2, np.nan, np.nan], index=index)
    zero = pd.Series(0.0, index=index)
    return SeasonalDecomposition(filled, zero, trend, seasonal, zero)


def test_interpolation_and_seasonal_factor_tables():
    decomposition = _decomposition()
    filled = tables.interpolation_table(decomposition)
    assert filled.to_dict("records") == [{"quarter": "2021Q3", "value": 120.0, "interpolated": True, "method": "linear"}]
    factors = tables.seasonal_factor_table(decomposition)
    assert list(factors["quarter"]) == ["Q1", "Q2", "Q3", "Q4"]
    assert factors["seasonal factor (x trend)"].tolist() == pytest.approx([math.exp(-0.1), 1.0, math.exp(-0.2), math.exp(0.3)])


def _specifications() -> SimpleNamespace:
    pairs = [("Q2", "Q1"), ("Q2", "Q3"), ("Q2", "Q4"), ("Q4", "Q1"), ("Q4", "Q3"), ("Q1", "Q3"), ("Q3", "Q4")]
    contrasts = pd.DataFrame(
        [
            {"trend": trend, "quarter": q, "against": a, "effect": k / 100 + shift, "p_value": k / 1000}
            for trend, shift in (("linear", 0.0), ("log", 1.0))
            for k, (q, a) in enumerate(pairs, start=1)
        ]
    )
    table = pd.DataFrame(
        {"trend": ["linear", "log"], "growth": ["steady", "slowing"], "bic": [-10.0, -12.0], "durbin_watson": [1.1, 1.9]}
    )
    effects = (
        contrasts[contrasts["trend"] == "log"]
        .drop(columns="trend")
        .assign(lower=-1.0, upper=2.0, boot_lower=-0.5, boot_upper=1.5, agree=True)
    )
    return SimpleNamespace(table=table, contrasts=contrasts, effects=effects.iloc[::-1], chosen="log")


def test_specification_table_puts_each_shown_contrast_and_its_p_value_beside_each_trend():
    table = tables.specification_table(_specifications())
    expected_columns = ["trend", "growth", "bic", "durbin_watson"]
    expected_columns += ["Q2 vs Q1", "Q2 vs Q3", "Q2 vs Q4", "Q4 vs Q1", "Q4 vs Q3"]
    expected_columns += ["Q2 vs Q1 p", "Q2 vs Q3 p", "Q2 vs Q4 p", "Q4 vs Q1 p", "Q4 vs Q3 p"]
    assert list(table.columns) == expected_columns
    row = table.set_index("trend")
    assert row.loc["linear", "Q2 vs Q4"] == pytest.approx(0.03) and row.loc["log", "Q2 vs Q4"] == pytest.approx(1.03)
    assert row.loc["log", "Q4 vs Q3 p"] == pytest.approx(0.005)
    assert set(expected_columns[2:]) <= set(tables.SPECIFICATION_FORMATS)


def test_effects_table_shows_the_chosen_trends_contrasts_in_the_order_shown():
    effects = tables.effects_table(_specifications())
    assert list(zip(effects["quarter"], effects["against"], strict=True)) == list(tables.SHOWN_CONTRASTS)
    assert effects["effect"].tolist() == pytest.approx([1.01, 1.02, 1.03, 1.04, 1.05])
    assert list(effects.columns) == [
        "quarter",
        "against",
        "effect",
        "lower",
        "upper",
        "p_value",
        "boot_lower",
        "boot_upper",
        "agree",
    ]


def test_method_table_formats_show_a_missing_coverage_as_not_applicable():
    coverage = tables.METHOD_TABLE_FORMATS["interval coverage"]
    assert coverage(float("nan")) == "n/a" and coverage(None) == "n/a" and coverage(0.875) == "88%"


def test_seasonal_decomposition_figure_draws_the_series_its_trend_and_circles_the_filled_quarter(figure):
    _, ax = figure
    decomposition = _decomposition()
    promo.draw_seasonal_decomposition(ax, decomposition)
    observed, trend = ax.lines[0], ax.lines[1]
    assert list(observed.get_ydata()) == [100.0, 110.0, 120.0, 200.0, 130.0, 140.0, 150.0, 260.0]
    assert np.asarray(trend.get_ydata(), dtype=float)[2:6] == pytest.approx(
        [math.exp(4.9), math.exp(5.0), math.exp(5.1), math.exp(5.2)]
    )
    (circled,) = ax.collections
    assert circled.get_offsets()[:, 1].tolist() == [120.0]
    assert circled.get_label() == "interpolated (linear)"
    assert ax.get_ylabel() == "GMV per quarter (RMB bn)"


def test_effects_figure_draws_each_contrast_in_percent_with_both_intervals(figure):
    _, ax = figure
    effects = pd.DataFrame(
        {
            "quarter": ["Q2", "Q4"],
            "against": ["Q1", "Q3"],
            "effect": [0.05, 0.2],
            "lower": [-0.01, 0.1],
            "upper": [0.11, 0.3],
            "boot_lower": [0.01, 0.15],
            "boot_upper": [0.09, 0.25],
        }
    )
    promo.draw_effects(ax, effects, "quadratic")
    hac, boot = ax.containers
    assert hac.get_label() == "HAC (Newey-West), t" and boot.get_label() == "moving-block bootstrap"
    assert list(hac.lines[0].get_xdata()) == pytest.approx([-0.1, 0.9])
    assert list(hac.lines[0].get_ydata()) == pytest.approx([5.0, 20.0])
    (hac_bars,) = hac.lines[2]
    assert [y for s in hac_bars.get_segments() for y in (s[0][1], s[1][1])] == pytest.approx([-1.0, 11.0, 10.0, 30.0])
    (boot_bars,) = boot.lines[2]
    assert [y for s in boot_bars.get_segments() for y in (s[0][1], s[1][1])] == pytest.approx([1.0, 9.0, 15.0, 25.0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Q2 vs Q1", "Q4 vs Q3"]
    assert ax.get_title() == "Seasonal GMV contrasts (quadratic trend) with 95 % intervals"
