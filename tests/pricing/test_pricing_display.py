"""Notebook 03's tables and figures (trustlab.pricing.tables, trustlab.pricing.figures) show what the run
computed: every value checked against the formula worked by hand, or against the data file read directly."""

from __future__ import annotations

import csv

import matplotlib
import numpy as np
import pandas as pd
import pytest
from trustlab import config, plots, prose
from trustlab import pricing as pr
from trustlab.pricing import figures, narrative, tables

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SMOKE = {"n_buyers": 2000, "monte_carlo_draws": 5000, "n_merchants": 2000, "seed": 1}


@pytest.fixture(scope="module")
def run() -> pr.PricingRun:
    return pr.run(SMOKE)


@pytest.fixture(autouse=True)
def _house_style():
    """The house style for each test; matplotlib's settings are restored after it."""
    with matplotlib.rc_context():
        plots.setup()
        yield
    plt.close("all")


def test_short_cuts_a_long_text_at_whole_words():
    assert tables.short("a short quote") == "a short quote"
    assert tables.short("alpha beta gamma delta", 15) == "alpha beta …"


def test_the_case_facts_are_the_pricing_and_support_rows_of_the_facts_file(run):
    with (config.DATA_DIR / "facts.csv").open(encoding="utf-8", newline="") as stream:
        ids = [row["fact_id"] for row in csv.DictReader(stream)]
    expected = [i for i in ids if i.startswith(("pricing_", "support_", "fastbrand_target"))]
    table = tables.case_facts_table(run.facts)
    assert table["fact_id"].tolist() == expected
    assert list(table.columns) == ["fact_id", "metric", "value", "unit", "qualifier", "quote"]
    assert table["quote"].map(len).max() <= 70


def test_a_changed_fact_parameter_is_marked_and_named(run):
    table = tables.fact_check_table({**run.params, "list_price": 1299.0}, run.facts)
    assert table.set_index("parameter").loc["list_price", "agrees"] == "NO"
    assert set(table["agrees"]) == {"yes", "NO"} and (table["agrees"] == "NO").sum() == 1
    assert narrative.fact_check_text(table) == (
        "**Changed from the article:** list_price (this run is a scenario, not the case)."
    )
    assert narrative.fact_check_text(tables.fact_check_table(run.params, run.facts)) == (
        "All article-fact parameters equal the facts."
    )


def test_the_recall_table_is_the_recall_arithmetic(run):
    p = run.params  # promo 599, shipping 15, salvage 50, voucher A 50, B 599, redemption 0.8, cost ratio 0.4
    per_a = 599 + 15 - 50 + 50 * 0.8 * 0.4
    per_b = 599 * 0.8 * 0.4
    table = tables.recall_table(run)
    assert table.columns[2] == "1,000 customers, RMB"
    assert table["per customer, RMB"].tolist() == pytest.approx([per_a, per_b])
    assert table["1,000 customers, RMB"].tolist() == pytest.approx([1000 * per_a, 1000 * per_b])
    assert p["recall_customers"] == 1000


def test_the_newsvendor_table_shows_the_fill_rate_as_a_percentage(run):
    table = tables.newsvendor_table(run)
    assert table["quantity"].tolist() == [
        "quantity",
        "expected sales",
        "expected leftovers",
        "expected lost sales",
        "fill rate",
        "expected profit",
    ]
    nv = run.newsvendor
    assert table.loc[0, "analytic"] == nv.quantity
    assert table.loc[4, "analytic"].endswith("%")
    assert float(table.loc[4, "analytic"].rstrip(" %")) == pytest.approx(100 * nv.fill_rate, rel=1e-3)
    # sales + lost sales = mean demand (2,000 garments), whatever the batch
    assert table.loc[1, "analytic"] + table.loc[3, "analytic"] == pytest.approx(2000.0)


def test_the_conversion_table_has_one_row_per_price_tier_and_one_column_per_platform_and_source():
    conversion = pd.DataFrame(
        {
            "price_rmb": [100.0, 100.0, 1000.0, 1000.0],
            "platform": ["price", "trust", "price", "trust"],
            "observed_conversion": [0.5, 0.6, 0.1, 0.3],
            "expected_conversion": [0.55, 0.65, 0.12, 0.28],
        }
    )
    wide = tables.conversion_wide(conversion).set_index("price tier")
    tiers = [f"RMB {v:,.0f}" for v in pr.PRICE_TIERS_RMB]
    assert list(wide.index) == tiers
    assert wide.loc["RMB 1,000", "trust: simulated"] == 0.3 and wide.loc["RMB 100", "price: true model"] == 0.55


def test_the_logit_table_words_its_flags(run):
    table = tables.logit_table(run)
    assert set(table["true value inside interval"]) <= {"yes", "no"}
    assert set(table["far from true value"]) <= {"FAR", ""}
    assert table["true"].tolist() == [0.5, -3.0, 1.0, 2.0]  # the contract's true values


def test_prose_bullets_marks_each_line_once():
    assert prose.bullets(["a", "- b", "c"]) == "- a\n- b\n- c"
    assert prose.bullets([]) == ""


def test_the_recall_figure_draws_the_cost_of_each_option(run):
    fig = figures.recall_figure(run)
    left, right = fig.axes[:2]
    x, cost_a = left.lines[0].get_data()
    _, cost_b = left.lines[1].get_data()
    # at redemption r and cost ratio 0.4, for 1,000 customers, in RMB thousand
    assert np.allclose(cost_a, (599 + 15 - 50 + 50 * x * 0.4) * 1000 / 1e3)
    assert np.allclose(cost_b, 599 * x * 0.4 * 1000 / 1e3)
    ratio, cost_a = right.lines[0].get_data()
    assert np.allclose(cost_a, (599 + 15 - 50 + 50 * 0.8 * ratio) * 1000 / 1e3)
    # the break-even cost ratio is (refund + shipping - salvage) / ((voucher B - voucher A) * redemption)
    breakeven = (599 + 15 - 50) / ((599 - 50) * 0.8)
    assert any(np.allclose(line.get_xdata(), [breakeven, breakeven]) for line in right.lines[2:])


def test_the_batch_figure_sets_presale_against_the_optimal_batch(run):
    fig = figures.batch_figure(run)
    left, right = fig.axes[:2]
    quantities, profit = left.lines[0].get_data()
    # expected profit at Q = 0 is 0; the curve peaks at the optimal quantity's profit
    assert profit[0] == pytest.approx(0.0)
    assert profit.max() == pytest.approx(run.newsvendor.expected_profit / 1e3, rel=1e-3)
    shares, presale = right.lines[0].get_data()
    # presale: (price - cost) x accepting share x (1 - cancel share) x mean demand, RMB thousand
    assert np.allclose(presale, (1000 - 400) * 0.9 * (1 - shares / 100) * 2000 / 1e3)
    assert right.lines[1].get_ydata()[0] == pytest.approx(run.newsvendor.expected_profit / 1e3)


def test_the_claim_map_marks_this_runs_assumption(run):
    ax = figures.claim_map_figure(run).axes[0]
    assert ax.collections[1].get_offsets().tolist() == [[2.0, 70.0]]  # interaction 2.0, trust share 70 %
    assert ax.lines[0].get_ydata()[0] == pytest.approx(20.0)  # the price-positioned platform's share, %


def test_the_conversion_figure_plots_the_simulated_share_of_buyers(run):
    conversion = pr.conversion_table(run.choices, run.truth, pr.platform_mix(run.params))
    ax = figures.conversion_figure(conversion, 1).axes[0]
    for points in ax.collections:
        platform = points.get_label().split(": simulated")[0]
        bought = run.choices[run.choices["platform"].astype(str) == platform].groupby("price_rmb", observed=True)["buy"]
        assert points.get_offsets()[:, 1].tolist() == pytest.approx((bought.sum() / bought.size()).tolist()), platform
    assert len(ax.collections) == 2


def test_the_eligibility_figure_plots_each_thresholds_share_in_percent():
    sensitivity = pd.DataFrame(
        {
            "threshold": ["age", "age", "gmv", "gmv", "published"],
            "factor": [0.5, 2.0, 0.5, 2.0, np.nan],
            "eligible_share": [0.01, 0.04, 0.05, 0.002, 0.02],
        }
    )
    ax = figures.eligibility_figure(sensitivity).axes[0]
    assert [line.get_label() for line in ax.lines] == ["age", "gmv"]
    assert ax.lines[0].get_ydata().tolist() == pytest.approx([1.0, 4.0])
    assert ax.lines[1].get_ydata().tolist() == pytest.approx([5.0, 0.2])


def test_the_spend_figure_draws_each_comparable_platform_and_nothing_without_one(run):
    spend = run.spend
    fig = figures.spend_per_buyer_figure(spend)
    comparable = spend[spend["comparable"]]
    ax = fig.axes[0]
    assert len(ax.lines) == comparable["platform"].nunique()
    for line, (_, group) in zip(ax.lines, comparable.groupby("platform", sort=False), strict=True):
        assert line.get_ydata().tolist() == group["spend_per_buyer_rmb"].tolist()
    assert figures.spend_per_buyer_figure(spend.assign(comparable=False)) is None
