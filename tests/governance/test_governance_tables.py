"""Notebook 01's tables (trustlab.governance.tables) and the Data sentence show what the run computed:
each expected value is worked by hand from the parameters or read from the data file directly."""

from __future__ import annotations

import csv

import pytest
from trustlab import config, plots
from trustlab import governance as gov
from trustlab.governance import figures, narrative, tables


@pytest.fixture(scope="module")
def run() -> gov.Analysis:
    return gov.run({})


def test_a_long_quote_is_cut_to_one_line():
    assert tables.short_quote("short") == "short"
    assert tables.short_quote("x" * 70) == "x" * 70
    assert tables.short_quote("abc " * 30) == ("abc " * 17)[:67].rstrip() + "…"
    assert len(tables.short_quote("y" * 200)) == 68


def test_the_trust_report_table_holds_the_years_figures(run):
    with (config.DATA_DIR / "trust_report_2021.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    in_2021 = [r for r in rows if r["period_start"].startswith("2021") or r["period_end"].startswith("2021")]
    table = tables.trust_report_table(run)
    assert table["metric"].tolist() == [r["metric"] for r in in_2021]
    assert table["quote"].map(len).max() <= tables.QUOTE_CHARS
    assert narrative.trust_report_text(2021, len(table), True) == (
        f"{len(in_2021)} trust-report figures for 2021 (quotes shortened; in full in the CSV)."
    )
    assert narrative.trust_report_text(2021, 3, False).endswith(
        "(quotes shortened; in full in the CSV). V-2 rows were left out (`include_secondary_sources = False`)."
    )


def test_the_users_table_shows_the_quarters_and_the_value_used(run):
    table = tables.users_table(run).set_index("users")
    dau = run.dau_base
    assert table.loc["DAU (million)", "from the data (mean of quarters)"] == pytest.approx(dau.value_millions)
    assert table.loc["DAU (million)", "quarters and status"] == ", ".join(
        f"{q} {s}" for q, s in zip(dau.quarters, dau.statuses, strict=True)
    )
    given = tables.users_table(gov.run({"dau_millions": 300.0})).set_index("users")
    assert given.loc["DAU (million)", "used"] == 300.0


def test_the_implied_reports_are_the_assumed_rate_times_the_orders(run):
    table = tables.implied_reports_table(run)
    orders_2020 = run.results["orders_previous_used"]
    # 1 report per 10,000 orders in 2020, the rate 8.96 % lower in 2021, 5 bn orders in 2021
    assert table["year"].tolist() == ["2020", "2021"]
    assert table["orders"].tolist() == pytest.approx([orders_2020, 5e9])
    assert table["report rate per 10k orders"].tolist() == pytest.approx([1.0, 1.0 * (1 - 0.0896)])
    assert table["implied reports"].tolist() == pytest.approx([orders_2020 / 1e4, 5e9 * (1 - 0.0896) / 1e4])


def test_the_design_effect_table_words_each_row(run):
    shown = tables.design_effect_display(run)
    assert list(shown.columns) == [
        "design effect",
        "effective reports 2021",
        "z",
        "p",
        "95% interval",
        "significant at 0.05",
        "minimum detectable fall",
    ]
    assert shown["design effect"].tolist() == run.deff_table["design_effect"].tolist()
    assert 10.0 in shown["design effect"].tolist()  # the run's own design effect is a row
    mdc = run.deff_table["mdc"].iloc[0]
    assert shown["minimum detectable fall"].iloc[0] == f"{100 * mdc:.2f}%"
    assert all(p.startswith("p ") for p in shown["p"])


@pytest.fixture
def house_style():
    """The house style for one figure test; matplotlib's settings are restored after it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context():
        plots.setup()
        yield
    plt.close("all")


def test_the_intensity_figure_draws_each_figure_per_day(run, house_style):
    fig = figures.intensity_figure(run)
    bars = fig.axes[0].patches
    # 62,440,000 listings intercepted over the 365 days of 2021
    widths = sorted(bar.get_width() for bar in bars)
    assert any(w == pytest.approx(62_440_000 / 365) for w in widths)
    assert widths == pytest.approx(sorted(run.intensity["per_day"]))


def test_the_design_effect_figure_marks_the_assumed_and_the_breakeven_design_effect(run, house_style):
    fig = figures.design_effect_figure(run)
    ax = fig.axes[0]
    labels = {line.get_label(): line for line in ax.lines}
    assert labels["observed change"].get_ydata()[0] == pytest.approx(-8.96, abs=1e-3)  # the reported change, %
    assert labels["assumed (deff 10)"].get_xdata()[0] == 10.0
    x, y = labels["minimum detectable fall"].get_data()
    assert list(x) == run.deff_table["design_effect"].tolist()
    assert y.tolist() == pytest.approx((-100 * run.deff_table["mdc"]).tolist())


def test_the_sensitivity_figure_shows_minus_z_for_each_rate_and_volume(run, house_style):
    fig = figures.sensitivity_figure(run)
    # 6 assumed base rates x 7 order volumes, one annotated cell each where the test has enough reports
    mesh = fig.axes[0].collections[0]
    values = mesh.get_array()
    assert values.size == 6 * 7
    tested = run.sensitivity.dropna(subset=["z"])
    assert sorted(v for v in values.compressed()) == pytest.approx(sorted(-tested["z"]))
    assert "significant if > 1.96" in fig.axes[0].get_title()
