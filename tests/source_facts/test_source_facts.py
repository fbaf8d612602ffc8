"""Tests of data/facts.csv (provenance of every fact), of its loader trustlab.data.facts and of the
computations in trustlab.source_facts."""

from __future__ import annotations

import csv
import math
import re
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from trustlab import config, source_facts
from trustlab.data import facts as data_facts
from trustlab.data import sources
from trustlab.data.tables import DataFileError

SOURCE_ID = "kuaishou-trust-pyramid-2022-06-23"
CSV = config.DATA_DIR / "facts.csv"

with CSV.open(encoding="utf-8", newline="") as _fh:
    _ROWS = list(csv.DictReader(_fh))
FACT_IDS = [r["fact_id"] for r in _ROWS]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return data_facts.load_facts()


@pytest.fixture(scope="module")
def article() -> sources.CleanedArticle:
    return sources.load_article(SOURCE_ID)


# --- the CSV as data -----------------------------------------------------------------------------


def test_columns_in_order_and_many_facts(table: pd.DataFrame) -> None:
    assert list(table.columns[: len(data_facts.FACTS_COLUMNS)]) == data_facts.FACTS_COLUMNS
    assert len(table) > 40
    assert set(table["topic"]) == set(data_facts.TOPICS)  # every topic has at least one fact
    assert (table["source_id"] == SOURCE_ID).all()


@pytest.mark.parametrize("fact_id", FACT_IDS)
def test_quote_is_verbatim_and_states_the_value(fact_id: str, table: pd.DataFrame, article: sources.CleanedArticle) -> None:
    row = table[table["fact_id"] == fact_id]
    assert len(row) == 1
    quote = row["quote"].item()
    assert quote in article.text, f"{fact_id}: quote is not a substring of the cleaned article"
    assert "\ufffd" not in quote
    problems = data_facts.verify_quotes(row, article.text)
    assert problems.empty, problems.to_dict("records")


def test_verify_quotes_finds_no_problem_in_the_file(table: pd.DataFrame, article: sources.CleanedArticle) -> None:
    assert data_facts.verify_quotes(table, article.text).empty


# The facts other code refers to by id: value, qualifier, period as the brief fixes them.
REQUIRED = {
    "gov_counterfeit_listings_intercepted_2021": (62440000, "more than", "2021-01-01", "2021-12-31"),
    "gov_violators_banned_2021": (210000, "exact", "2021-01-01", "2021-12-31"),
    "gov_report_rate_change_2021": (-8.96, "exact", "2021-01-01", "2021-12-31"),
    "gov_new_store_applications_blocked_2021": (500000, "about", "2021-01-01", "2021-12-31"),
    "gov_daily_governance_participants_2021": (450000, "exact", "2021-01-01", "2021-12-31"),
    "rights_trust_buy_orders_2021": (5e9, "exact", "2021-01-01", "2021-12-31"),
    "rights_trust_buy_orders_616_2022": (4e8, "more than", "2022-05-20", "2022-06-14"),
    "community_mutual_follow_pairs_2022q1": (1.88e10, "exact", "2022-01-01", "2022-03-31"),
    "community_mutual_follow_growth_2022q1": (68.9, "exact", "2022-01-01", "2022-03-31"),
    "community_time_per_dau_2022q1": (128.1, "exact", "2022-01-01", "2022-03-31"),
    "promo_brand_merchant_gmv_growth_616_2022": (515, "exact", "2022-05-20", "2022-06-19"),
    "promo_merchant_multiple_616_vs_116": (8, "exact", None, None),
    "fastbrand_orders_616_2022": (1.2e7, "exact", "2022-05-20", "2022-06-19"),
    "fastbrand_room_views_616_2022": (2e9, "more than", "2022-05-20", "2022-06-19"),
    "fastbrand_rooms_over_10m_616_2022": (49, "exact", "2022-05-20", "2022-06-19"),
    "fastbrand_room_sales_threshold_616_2022": (1e7, "more than", None, None),
    "fastbrand_sales_growth_616_2022": (198, "exact", "2022-05-20", "2022-06-19"),
    "fastbrand_repurchase_rate_max_616_2022": (88, "up to", None, None),
    "fastbrand_monthly_gmv_growth_mom_616_2022": (50, "more than", None, None),
    "fastbrand_traffic_support": (2.3e10, "more than", None, None),
    "fastbrand_target_2022": (500, "exact", None, None),
    "support_brand_age_max_years": (5, "at most", None, None),
    "support_own_brand_gmv_share_min": (30, "more than", None, None),
    "support_monthly_live_gmv_min": (2e6, "more than", None, None),
    "pricing_shoe_list_price": (1099, "exact", None, None),
    "pricing_shoe_promo_price": (599, "exact", None, None),
    "pricing_shoe_units_sold": (1000, "exact", None, None),
    "pricing_shoe_sellout_minutes": (2, "at most", None, None),
    "pricing_recall_voucher_a": (50, "exact", None, None),
    "pricing_recall_voucher_b": (599, "exact", None, None),
    "pricing_recall_customers": (1000, "at least", None, None),
    "pricing_menswear_unit_price": (1000, "about", None, None),
    "pricing_fabric_lead_time_min_days": (30, None, None, None),
    "pricing_fabric_lead_time_max_days": (60, "at least", None, None),
    "pricing_presale_ship_days": (45, "at most", None, None),
}
REQUIRED_DATES = {
    "promo_festival_start_2022": date(2022, 5, 20),
    "promo_festival_end_2022": date(2022, 6, 19),
    "promo_festival_end_alt_2022": date(2022, 6, 14),
}


@pytest.mark.parametrize("fact_id", sorted(REQUIRED))
def test_required_fact(fact_id: str, table: pd.DataFrame) -> None:
    value, qualifier, start, end = REQUIRED[fact_id]
    assert data_facts.fact_value(table, fact_id) == pytest.approx(value, rel=1e-12)
    row = table[table["fact_id"] == fact_id].iloc[0]
    if qualifier is not None:
        assert row["qualifier"] == qualifier
    if start is not None:
        assert (row["period_start"], row["period_end"]) == (start, end)


@pytest.mark.parametrize("fact_id", sorted(REQUIRED_DATES))
def test_required_date(fact_id: str, table: pd.DataFrame) -> None:
    assert data_facts.fact_date(table, fact_id) == REQUIRED_DATES[fact_id]
    assert table.loc[table["fact_id"] == fact_id, "unit"].item() == "date"


def test_number_and_date_columns(table: pd.DataFrame) -> None:
    dates = table["unit"] == "date"
    assert table.loc[dates, "number"].isna().all()
    assert table.loc[~dates, "number"].notna().all()
    assert all(isinstance(d, date) for d in table.loc[dates, "date"])
    assert table.loc[~dates, "date"].isna().all()
    assert table["number"].dtype == float


def test_load_facts_filters_by_source(table: pd.DataFrame) -> None:
    assert len(data_facts.load_facts(source_id=SOURCE_ID)) == len(table)
    assert data_facts.load_facts(source_id="no-such-source").empty


def test_fact_value_and_date_errors(table: pd.DataFrame) -> None:
    with pytest.raises(KeyError, match="no_such_fact"):
        data_facts.fact_value(table, "no_such_fact")
    with pytest.raises(KeyError, match="no_such_fact"):
        data_facts.fact_date(table, "no_such_fact")
    with pytest.raises(ValueError, match="date"):
        data_facts.fact_value(table, "promo_festival_start_2022")
    with pytest.raises(ValueError, match="not a date"):
        data_facts.fact_date(table, "fastbrand_orders_616_2022")


# --- schema: bad copies ----------------------------------------------------------------------------


def _write_copy(tmp_path, edit) -> tuple:
    rows = [dict(r) for r in _ROWS]
    edit(rows)
    path = tmp_path / "facts.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(_ROWS[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_good_copy_loads(tmp_path) -> None:
    path = _write_copy(tmp_path, lambda rows: None)
    assert len(data_facts.load_facts(path)) == len(_ROWS)


def test_bad_number_names_row_column_value(tmp_path) -> None:
    path = _write_copy(tmp_path, lambda rows: rows[4].update(value="6244萬"))
    with pytest.raises(DataFileError) as exc:
        data_facts.load_facts(path)
    message = str(exc.value)
    assert str(path) in message
    assert "line 6 (row 4, fact_id " in message  # data row 4 counted from 0, header is line 1
    assert "'value'" in message and "'6244萬'" in message
    assert "plain number" in message and "ISO date" in message


def test_unknown_topic(tmp_path) -> None:
    path = _write_copy(tmp_path, lambda rows: rows[0].update(topic="governance"))
    with pytest.raises(DataFileError, match=r"line 2 .*'topic'.*'governance'.*one of"):
        data_facts.load_facts(path)


def test_duplicate_id(tmp_path) -> None:
    def edit(rows):
        rows[9]["fact_id"] = rows[2]["fact_id"]

    path = _write_copy(tmp_path, edit)
    with pytest.raises(DataFileError) as exc:
        data_facts.load_facts(path)
    message = str(exc.value)
    assert "line 4 " in message and "line 11 " in message
    assert "'fact_id'" in message and "not used by any other row" in message


def test_period_end_before_start(tmp_path) -> None:
    idx = FACT_IDS.index("fastbrand_orders_616_2022")
    path = _write_copy(tmp_path, lambda rows: rows[idx].update(period_end="2022-05-19"))
    with pytest.raises(DataFileError, match=rf"line {idx + 2} .*'period_end'.*'2022-05-19'.*on or after period_start"):
        data_facts.load_facts(path)


def test_bad_date_and_qualifier_and_id_all_listed(tmp_path) -> None:
    def edit(rows):
        rows[0]["period_start"] = "2021-13-01"
        rows[1]["qualifier"] = "roughly"
        rows[2]["fact_id"] = "Bad-Id"
        rows[3]["quote"] = ""

    path = _write_copy(tmp_path, edit)
    with pytest.raises(DataFileError) as exc:
        data_facts.load_facts(path)
    message = str(exc.value)
    assert "line 2 " in message and "'period_start'" in message and "'2021-13-01'" in message
    assert "line 3 " in message and "'qualifier'" in message and "'roughly'" in message
    assert "line 4 " in message and "'Bad-Id'" in message and "^[a-z0-9_]+$" in message
    assert "line 5 " in message and "'quote'" in message


def test_date_value_needs_date_unit(tmp_path) -> None:
    idx = FACT_IDS.index("promo_festival_start_2022")
    path = _write_copy(tmp_path, lambda rows: rows[idx].update(unit="days"))
    with pytest.raises(DataFileError, match=rf"line {idx + 2} .*'unit'.*'days'"):
        data_facts.load_facts(path)


def test_missing_column(tmp_path) -> None:
    def edit(rows):
        for r in rows:
            del r["note"]

    rows = [dict(r) for r in _ROWS]
    edit(rows)
    path = tmp_path / "facts.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[c for c in _ROWS[0] if c != "note"])
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(DataFileError, match="note"):
        data_facts.load_facts(path)


def test_quote_not_in_source_is_reported(table: pd.DataFrame, article: sources.CleanedArticle) -> None:
    bad = table.copy()
    i = FACT_IDS.index("gov_violators_banned_2021")
    bad.loc[i, "quote"] = "封禁違規主播、商家22萬人次"
    problems = data_facts.verify_quotes(bad, article.text)
    assert problems.to_dict("records") == [
        {
            "fact_id": "gov_violators_banned_2021",
            "row": i + 2,
            "problem": "quote not in the article text: '封禁違規主播、商家22萬人次'",
        }
    ]


def test_value_not_in_quote_is_reported(table: pd.DataFrame, article: sources.CleanedArticle) -> None:
    bad = table.copy()
    i = FACT_IDS.index("gov_counterfeit_listings_intercepted_2021")
    j = FACT_IDS.index("promo_festival_end_alt_2022")
    bad.loc[i, "value"] = "6244"  # forgot the 萬
    bad.loc[j, "value"] = "2022-06-19"  # the quote says 6月14日
    problems = data_facts.verify_quotes(bad, article.text)
    assert list(problems["fact_id"]) == ["gov_counterfeit_listings_intercepted_2021", "promo_festival_end_alt_2022"]
    assert list(problems["row"]) == [i + 2, j + 2]


def test_verify_quotes_signed_and_date_precision() -> None:
    frame = pd.DataFrame(
        [
            {"fact_id": "a", "value": "-8.96", "quote": "下降 8.96%"},
            {"fact_id": "b", "value": "2021-11-01", "quote": "同年11月,發布"},
            {"fact_id": "c", "value": "2021-01-01", "quote": "2021年初推出"},
            {"fact_id": "d", "value": "2021-11-02", "quote": "同年11月,發布"},
            {"fact_id": "e", "value": "2022-07-02", "quote": "7月2號要發布"},
        ]
    )
    text = "下降 8.96%。同年11月,發布。2021年初推出。7月2號要發布"
    assert list(data_facts.verify_quotes(frame, text)["fact_id"]) == ["d"]


# --- derived rates -------------------------------------------------------------------------------------


def test_per_day_by_hand() -> None:
    # 2022-05-20..2022-06-19: 12 days of May (20..31) + 19 of June = 31
    assert source_facts.day_count("2022-05-20", "2022-06-19") == 31
    assert source_facts.day_count("2022-05-20", "2022-06-14") == 26
    assert source_facts.day_count("2021-01-01", "2021-12-31") == 365
    assert source_facts.per_day(12_000_000, "2022-05-20", "2022-06-19") == pytest.approx(387096.7741935484)
    assert source_facts.per_day(400_000_000, date(2022, 5, 20), date(2022, 6, 14)) == pytest.approx(15384615.384615384)
    assert source_facts.per_day(62_440_000, "2021-01-01", "2021-12-31") == pytest.approx(171068.49315068492)
    assert source_facts.per_day(7, "2022-01-01", "2022-01-01") == 7
    with pytest.raises(ValueError, match="before"):
        source_facts.per_day(1, "2022-06-19", "2022-05-20")


@given(
    st.floats(min_value=0, max_value=1e12, allow_nan=False),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    st.integers(min_value=0, max_value=3000),
)
def test_per_day_times_days_is_count(count: float, start: date, extra: int) -> None:
    end = start + timedelta(days=extra)
    assert source_facts.day_count(start, end) == extra + 1
    assert source_facts.per_day(count, start, end) * (extra + 1) == pytest.approx(count, rel=1e-12, abs=1e-9)
    # a longer period never gives a higher rate
    assert source_facts.per_day(count, start, end + timedelta(days=1)) <= source_facts.per_day(count, start, end)


def test_festival_day_counts(table: pd.DataFrame) -> None:
    assert source_facts.festival_day_counts(table) == {"2022-06-19": 31, "2022-06-14": 26}


def test_festival_rate_sensitivity(table: pd.DataFrame) -> None:
    frame = source_facts.festival_rate_sensitivity(table).set_index("fact_id")
    assert set(frame.index) == {"fastbrand_orders_616_2022", "rights_trust_buy_orders_616_2022", "fastbrand_room_views_616_2022"}
    orders = frame.loc["fastbrand_orders_616_2022"]
    assert orders["per_day_2022-06-19"] == pytest.approx(12e6 / 31)
    assert orders["per_day_2022-06-14"] == pytest.approx(12e6 / 26)
    assert frame["relative_difference"].tolist() == pytest.approx([31 / 26 - 1] * 3)
    assert frame.loc["rights_trust_buy_orders_616_2022", "stated_end"] == "2022-06-14"


def test_derived_rates(table: pd.DataFrame) -> None:
    frame = source_facts.derived_rates(table)
    assert list(frame.columns) == ["quantity", "value", "unit", "arithmetic", "inputs"]
    by_q = frame.set_index("quantity")
    row = by_q.loc["suspected counterfeit listings intercepted per day, 2021"]
    assert row["value"] == pytest.approx(62440000 / 365)
    assert row["arithmetic"] == "62440000 / 365"
    assert row["inputs"] == "gov_counterfeit_listings_intercepted_2021"
    assert by_q.loc["orders covered by 信任購 per day, 2021 (whole year)", "value"] == pytest.approx(5e9 / 365)
    assert by_q.loc["fast-brand live-room views per fast-brand order, 616 festival 2022", "value"] == pytest.approx(2e9 / 1.2e7)
    assert by_q.loc["shoe anniversary discount off list price", "value"] == pytest.approx(1 - 599 / 1099)
    # every arithmetic string evaluates to its value, and every input is a fact
    for _, r in frame.iterrows():
        expression = re.sub(r" \(\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}\)$", "", r["arithmetic"])  # drop the period note
        assert eval(expression, {"__builtins__": {}}) == pytest.approx(r["value"]), r["quantity"]  # noqa: S307
        for fid in r["inputs"].split(", "):
            assert fid in FACT_IDS
    assert frame["value"].map(math.isfinite).all()


def test_consistency_checks(table: pd.DataFrame, article: sources.CleanedArticle) -> None:
    checks = source_facts.consistency_checks(table, article).set_index("check")
    assert set(checks["status"]) <= {"ok", "warning"}
    assert checks.loc["festival start date", "status"] == "ok"
    assert checks.loc["festival end date", "status"] == "warning"
    assert "31 days" in checks.loc["festival end date", "detail"] and "26 days" in checks.loc["festival end date", "detail"]
    assert checks.loc["信任購 orders: 2021 total vs festival run rate", "status"] == "warning"
    assert checks.loc["trust card (2021 early) precedes 信任購 (Nov 2021)", "status"] == "ok"
    assert checks.loc["fast-brand age limit vs age of Kuaishou e-commerce", "status"] == "warning"
    assert checks.loc["merchant multiple base", "status"] == "warning"
    assert checks.loc["unrepaired spans counted", "status"] == "ok"
    assert checks.loc["no quote contains an unrepaired span", "status"] == "ok"
    spans = [c for c in checks.index if c.startswith("unrepaired span at")]
    assert len(spans) == 2
    # the first span (正當��益) sits between governance and consumer-rights quotes
    assert checks.loc[spans[0], "status"] == "warning"
    assert "rights_trust_card_launch_2021" in checks.loc[spans[0], "detail"]


def test_consistency_check_flags_a_quote_with_a_lost_character(table: pd.DataFrame, article: sources.CleanedArticle) -> None:
    bad = table.copy()
    bad.loc[0, "quote"] = "只有保障消費者正當\ufffd\ufffd益"
    checks = source_facts.consistency_checks(bad, article).set_index("check")
    assert checks.loc["no quote contains an unrepaired span", "status"] == "warning"
    assert bad.loc[0, "fact_id"] in checks.loc["no quote contains an unrepaired span", "detail"]


def test_notebook_parameter_checker() -> None:
    from trustlab.runner.params import ParameterError

    source_facts.check_params({"topics": ["pricing", "community"]})
    with pytest.raises(ParameterError, match="repeated: \\['pricing'\\]"):
        source_facts.check_params({"topics": ["pricing", "community", "pricing"]})


def test_an_untraceable_fact_is_named_by_line_fact_and_column(tmp_path) -> None:
    i = FACT_IDS.index("gov_violators_banned_2021")
    j = FACT_IDS.index("gov_counterfeit_listings_intercepted_2021")

    def edit(rows):
        rows[i]["quote"] = "封禁違規主播、商家99萬人次"
        rows[j]["value"] = "6244"  # forgot the 萬

    path = _write_copy(tmp_path, edit)
    with pytest.raises(DataFileError) as exc:
        data_facts.load_facts(path)
    message = str(exc.value)
    assert (
        f"{path}: line {i + 2} (row {i}, fact_id 'gov_violators_banned_2021'), column 'quote': got '封禁違規主播、商家99萬人次'"
        in message
    )
    assert "quote not in the article text" in message
    assert f"line {j + 2} (row {j}, fact_id 'gov_counterfeit_listings_intercepted_2021'), column 'value': got '6244'" in message
    assert "value 6244 is not among the numbers in the quote" in message


# --- festival windows: one value per metric per run, the same in notebooks 00 and 02 -------------------


def test_each_festival_figure_keeps_its_dated_window(table: pd.DataFrame) -> None:
    for end in ("2022-06-19", "2022-06-14"):
        s, e, basis = source_facts.figure_window(table, "rights_trust_buy_orders_616_2022", end)
        assert (s.isoformat(), e.isoformat(), basis) == ("2022-05-20", "2022-06-14", "dated in its own sentence")
        s, e, _ = source_facts.figure_window(table, "fastbrand_orders_616_2022", end)
        assert e.isoformat() == "2022-06-19"


def test_festival_end_dates_only_an_undated_figure(table: pd.DataFrame) -> None:
    undated = table.copy()
    row = undated["fact_id"] == "fastbrand_orders_616_2022"
    undated.loc[row, "period_end"] = ""
    assert source_facts.figure_per_day(undated, "fastbrand_orders_616_2022", "2022-06-14") == pytest.approx(12e6 / 26)
    assert source_facts.figure_window(undated, "fastbrand_orders_616_2022", "2022-06-14")[2].startswith("festival_end")
    with pytest.raises(ValueError, match="fastbrand_orders_616_2022"):
        source_facts.figure_window(undated, "fastbrand_orders_616_2022")


@pytest.mark.slow
@pytest.mark.parametrize("festival_end", ["2022-06-14", "2022-06-19"])
def test_one_value_per_metric_per_run(festival_end: str, table: pd.DataFrame) -> None:
    """Derived-rates table, the fast path (prose and results.json of 00) and notebook 02 agree."""
    from trustlab import promotion

    params = {"festival_end": festival_end, "topics": list(data_facts.TOPICS)}
    results = source_facts.recorded_results(params)
    derived = source_facts.derived_rates(table, festival_end).set_index("quantity")["value"]
    assert results["fast_brand_orders_per_day"] == derived["fast-brand orders per day, 616 festival 2022"]
    assert results["fast_brand_orders_per_day"] == pytest.approx(12e6 / 31)  # 387,097, whatever festival_end says
    assert results["trust_buy_orders_per_day_festival"] == pytest.approx(4e8 / 26)
    promo = promotion.run({"festival_end": festival_end, "train_end": "2025Q3", "forecast_quarters": 1})
    assert promo.results["fast_brand_orders_per_day"] == results["fast_brand_orders_per_day"]
    assert promo.results["trust_buy_daily_festival"] == results["trust_buy_orders_per_day_festival"]
    summary = " ".join(source_facts.summary(results, params))
    assert "387,097" in summary
