"""Tests of data/kuaishou_quarterly.csv (transcription checks) and of trustlab.data.quarterly."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from trustlab import config
from trustlab.data import quarterly
from trustlab.data.tables import DataFileError

CSV = config.DATA_DIR / "kuaishou_quarterly.csv"
RAW_MD = config.RAW_DIR / "kuaishou-public-figures.md"


@pytest.fixture(scope="module")
def raw_rows() -> pd.DataFrame:
    return pd.read_csv(CSV, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def raw_md() -> str:
    return RAW_MD.read_text(encoding="utf-8")


# --- the CSV as data -----------------------------------------------------------------------------

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
# Multipliers from a quoted number to the CSV unit: bn from RMB m / RMB k / 億; million from 億 / bn.
_SCALES = {"RMB bn": (1.0, 1e-3, 1e-6, 0.1), "million": (1.0, 100.0, 1000.0), "min/day": (1.0,)}


def _value_in_quote(value_text: str, unit: str, quote: str) -> bool:
    """True if the value (as written, to its own decimals) is a number in the quote after a unit change."""
    decimals = len(value_text.split(".")[1]) if "." in value_text else 0
    value = float(value_text)
    text = re.sub(r"(?<=\d) +\.(?=\d)", ".", quote)  # 'RMB290 .2 billion' in the scraped releases
    for token in _NUMBER.findall(text):
        number = float(token.replace(",", ""))
        for scale in _SCALES[unit]:
            if abs(round(number * scale, decimals) - value) < 10 ** (-decimals) / 2:
                return True
    return False


def test_value_in_quote_helper_accepts_unit_formats_and_rejects_others() -> None:
    assert _value_in_quote("175.08", "RMB bn", "E-commerce GMV (RMB million) 175,075.6 118,559.4")
    assert _value_in_quote("332.3", "RMB bn", "為人民幣3,323億元")
    assert _value_in_quote("393.8", "million", "較去年同期3.938億增長3.6%")
    assert _value_in_quote("290.2", "RMB bn", "was RMB290 .2 billion")
    assert not _value_in_quote("175.2", "RMB bn", "E-commerce GMV (RMB million) 175,075.6")
    assert not _value_in_quote("175.08", "million", "E-commerce GMV (RMB million) 175,075.6")
    assert not _value_in_quote("242", "RMB bn", "no GMV was found for the quarter")


def test_every_row_has_provenance(raw_rows: pd.DataFrame) -> None:
    assert list(raw_rows.columns) == quarterly.COLUMNS
    assert (raw_rows["source_url"].str.match(r"^https?://")).all()
    assert (raw_rows["quote"].str.len() > 0).all()
    assert set(raw_rows["status"]) <= {"V", "V-c", "V-2", "D", "D-2"}


def test_urls_and_quotes_are_verbatim_in_the_raw_file(raw_rows: pd.DataFrame, raw_md: str) -> None:
    missing_url = raw_rows.loc[~raw_rows["source_url"].map(lambda u: u in raw_md), "source_url"]
    missing_quote = raw_rows.loc[~raw_rows["quote"].map(lambda q: q in raw_md), "quote"]
    assert missing_url.empty, missing_url.tolist()
    assert missing_quote.empty, missing_quote.tolist()


def test_value_appears_in_its_quote(raw_rows: pd.DataFrame) -> None:
    quoted = raw_rows[~raw_rows["status"].str.startswith("D")]  # a derived row quotes its total, not its value
    bad = [(r.quarter, r.metric, r.value, r.quote) for r in quoted.itertuples() if not _value_in_quote(r.value, r.unit, r.quote)]
    assert not bad, bad


def test_the_2021q4_gmv_is_the_quoted_fy2021_total_minus_the_2021q1_q3_rows(raw_rows: pd.DataFrame, raw_md: str) -> None:
    derived = raw_rows[raw_rows["status"].str.startswith("D")]
    assert list(zip(derived["quarter"], derived["metric"], strict=True)) == [("2021Q4", "gmv_rmb_bn")]
    row = derived.iloc[0]
    # the annual total, read from the quote: 6800亿元 (亿 = 100 million) = RMB 680.0 bn
    amounts = re.findall(r"(\d+)亿元", row["quote"])
    assert amounts == ["6800"] and "2021年" in row["quote"]
    total = int(amounts[0]) / 10
    gmv = raw_rows[raw_rows["metric"] == "gmv_rmb_bn"].set_index("quarter")["value"].astype(float)
    expected = total - gmv["2021Q1"] - gmv["2021Q2"] - gmv["2021Q3"]
    assert float(row["value"]) == pytest.approx(expected, abs=0.005)
    assert float(row["value"]) == pytest.approx(680.0 - 118.56 - 145.4 - 175.8, abs=1e-9)  # by hand: 240.24
    # D-2: the total is a secondary copy (V-2 in its row of the raw file), and so is the 2021Q2 input
    raw_line = next(line for line in raw_md.splitlines() if row["quote"] in line)
    assert "| V-2 |" in raw_line and row["source_url"] in raw_line
    assert row["status"] == "D-2" and raw_rows.set_index(["quarter", "metric"]).loc[("2021Q2", "gmv_rmb_bn"), "status"] == "V-2"
    # the note carries the same arithmetic and the rounding the total passes on (6800亿 to the nearest 100亿: ±5 bn)
    assert row["note"].startswith(
        "derived: 680.0 (FY2021 total, V-2) - 118.56 (2021Q1) - 145.4 (2021Q2) - 175.8 (2021Q3) = 240.24;"
    )
    assert "±5 bn" in row["note"]


def test_coverage_and_known_gaps(raw_rows: pd.DataFrame) -> None:
    keys = set(zip(raw_rows["quarter"], raw_rows["metric"], strict=True))
    assert ("2021Q4", "gmv_rmb_bn") in keys  # derived from the FY2021 total (D-2), the one GMV quarter not quoted
    assert ("2022Q2", "time_per_dau_min") not in keys
    gmv_quarters = set(raw_rows.loc[raw_rows["metric"] == "gmv_rmb_bn", "quarter"])
    assert gmv_quarters == {str(p) for p in pd.period_range("2021Q1", "2025Q3", freq="Q")}  # GMV has no gap
    assert {q for q, _ in keys} == {str(p) for p in pd.period_range("2021Q1", "2025Q3", freq="Q")}
    assert raw_rows[["quarter", "metric"]].duplicated().sum() == 0


def test_spot_values_match_the_grid() -> None:
    w = quarterly.wide(quarterly.load_quarterly())
    assert w.loc[pd.Period("2022Q1", "Q"), "gmv_rmb_bn"] == pytest.approx(175.08)
    assert w.loc[pd.Period("2023Q4", "Q"), "gmv_rmb_bn"] == pytest.approx(403.9)
    assert w.loc[pd.Period("2022Q2", "Q"), "dau_m"] == pytest.approx(347.3)
    assert w.loc[pd.Period("2025Q1", "Q"), "mau_m"] == pytest.approx(711.7)
    assert w.loc[pd.Period("2024Q1", "Q"), "revenue_rmb_bn"] == pytest.approx(29.408)


# --- the loader ----------------------------------------------------------------------------------


def test_load_and_secondary_filter() -> None:
    full = quarterly.load_quarterly()
    primary = quarterly.load_quarterly(include_secondary=False)
    assert len(full) == len(pd.read_csv(CSV))
    assert not primary["status"].isin(["V-2", "D-2"]).any()
    assert len(primary) == (~full["status"].isin(["V-2", "D-2"])).sum()
    assert full["value"].dtype == float


def test_wide_has_period_index_gaps_and_status() -> None:
    frame = quarterly.load_quarterly()
    w = quarterly.wide(frame)
    s = quarterly.wide_status(frame)
    assert isinstance(w.index, pd.PeriodIndex) and w.index.freqstr.startswith("Q")
    assert list(w.columns) == quarterly.METRICS
    assert w.loc[pd.Period("2021Q4", "Q"), "gmv_rmb_bn"] == pytest.approx(240.24)
    assert s.loc[pd.Period("2021Q4", "Q"), "gmv_rmb_bn"] == "D-2"
    assert s.loc[pd.Period("2021Q4", "Q"), "dau_m"] == "V-2"
    assert s.loc[pd.Period("2021Q1", "Q"), "gmv_rmb_bn"] == "V-c"
    assert s.loc[pd.Period("2022Q2", "Q"), "time_per_dau_min"] == ""
    # without V-2 and D-2 rows, the Q4 2021 DAU and GMV are gaps but the quarter is still in the index
    w2 = quarterly.wide(quarterly.load_quarterly(include_secondary=False))
    assert pd.Period("2021Q4", "Q") in w2.index and np.isnan(w2.loc[pd.Period("2021Q4", "Q"), "dau_m"])
    assert np.isnan(w2.loc[pd.Period("2021Q4", "Q"), "gmv_rmb_bn"])
    shown = quarterly.wide_with_status(frame)
    assert shown.loc[pd.Period("2022Q1", "Q"), "gmv_rmb_bn"] == "175.1 (V)"
    assert shown.loc[pd.Period("2021Q4", "Q"), "gmv_rmb_bn"] == "240.2 (D-2)"


@pytest.mark.parametrize(
    ("column", "bad_value", "expected"),
    [
        ("status", "M", "one of ['V', 'V-c', 'V-2', 'D', 'D-2']"),
        ("quarter", "Q2 2021", "YYYYQn"),
        ("metric", "gmv", "one of"),
        ("value", "", "positive number"),
        ("value", "-3", "positive number"),
        ("source_url", "see above", "http(s) URL"),
        ("unit", "RMB m", "unit"),
    ],
)
def test_errors_name_file_row_column_and_expected_form(tmp_path, column, bad_value, expected) -> None:
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    frame.loc[4, column] = bad_value
    path = tmp_path / "broken.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError) as info:
        quarterly.load_quarterly(path)
    message = str(info.value)
    assert "broken.csv" in message
    assert "row 4" in message or column == "unit"
    assert expected in message
    if column != "unit":
        assert repr(column) in message


def test_duplicate_quarter_metric_rejected(tmp_path) -> None:
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    path = tmp_path / "dup.csv"
    pd.concat([frame, frame.iloc[[0]]]).to_csv(path, index=False)
    with pytest.raises(DataFileError, match="dup.csv"):
        quarterly.load_quarterly(path)


def test_missing_column_rejected(tmp_path) -> None:
    path = tmp_path / "nocol.csv"
    pd.read_csv(CSV, dtype=str).drop(columns=["quote"]).to_csv(path, index=False)
    with pytest.raises(DataFileError, match="missing column"):
        quarterly.load_quarterly(path)


# --- derived rows --------------------------------------------------------------------------------


def _derived_index(frame: pd.DataFrame) -> int:
    return int(frame.index[(frame["quarter"] == "2021Q4") & (frame["metric"] == "gmv_rmb_bn")][0])


@pytest.mark.parametrize(
    ("column", "bad_value", "named", "expected"),
    [
        # the arithmetic no longer gives the value: 680.0 - 118.56 - 145.4 - 175.8 = 240.24, not 241
        ("value", "241", "value", "240.24"),
        # an input is V-2 (the total and 2021Q2), so the row is D-2, not D
        ("status", "D", "status", "'D-2'"),
        # a derived row without its derivation
        ("note", "FY2021 minus Q1-Q3", "note", "derived: TOTAL (LABEL, STATUS)"),
        # a term that is not the value of its quarter's row
        (
            "note",
            "derived: 680.0 (FY2021 total, V-2) - 118.56 (2021Q1) - 145.0 (2021Q2) - 175.8 (2021Q3) = 240.64; x",
            "note",
            "145.4",
        ),
        # a term naming a quarter without a row of the metric
        (
            "note",
            "derived: 680.0 (FY2021 total, V-2) - 118.56 (2020Q4) - 145.4 (2021Q2) - 175.8 (2021Q3) = 240.24; x",
            "note",
            "2020Q4",
        ),
        # the result written in the note disagrees with its own terms
        (
            "note",
            "derived: 680.0 (FY2021 total, V-2) - 118.56 (2021Q1) - 145.4 (2021Q2) - 175.8 (2021Q3) = 250.24; x",
            "note",
            "240.24",
        ),
    ],
)
def test_a_derivation_that_does_not_add_up_is_refused(tmp_path, column, bad_value, named, expected) -> None:
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    index = _derived_index(frame)
    frame.loc[index, column] = bad_value
    path = tmp_path / "derived.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError) as info:
        quarterly.load_quarterly(path)
    message = str(info.value)
    assert "derived.csv" in message and f"line {index + 2} (row {index}" in message
    assert f"column {named!r}" in message and expected in message


def test_a_quoted_row_may_not_carry_a_derivation(tmp_path) -> None:
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    index = _derived_index(frame)
    frame.loc[index, "status"] = "V-2"
    path = tmp_path / "quoted.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError, match=r"column 'status': got 'V-2'; expected 'D-2'"):
        quarterly.load_quarterly(path)


def test_parse_derivation_reads_the_terms() -> None:
    d = quarterly.parse_derivation("derived: 680.0 (FY2021 total, V-2) - 118.56 (2021Q1) - 145.4 (2021Q2) = 416.04; rest")
    assert d is not None
    assert (d.total, d.total_label, d.total_status) == (680.0, "FY2021 total", "V-2")
    assert d.terms == (("2021Q1", 118.56), ("2021Q2", 145.4)) and d.result == 416.04 and d.remark == "rest"
    assert quarterly.parse_derivation("quoted as 1454亿") is None


# --- why a quarter has no value ------------------------------------------------------------------


def test_gap_reasons_tell_absent_rows_from_rows_left_out(raw_rows: pd.DataFrame) -> None:
    assert quarterly.gap_reasons(include_secondary=True) == {}  # every GMV quarter has a row
    left_out = quarterly.gap_reasons(include_secondary=False)
    gmv = raw_rows[raw_rows["metric"] == "gmv_rmb_bn"]
    secondary = set(gmv.loc[gmv["status"] == "V-2", "quarter"])
    assert secondary == {"2021Q2", "2023Q1", "2024Q4", "2025Q3"}  # the V-2 GMV rows, read off the grid
    assert set(left_out) == secondary | {"2021Q4"}
    for q in secondary:
        assert left_out[q].startswith("in data/kuaishou_quarterly.csv") and "secondary copy (V-2)" in left_out[q]
        assert "not found" not in left_out[q]
    assert "D-2" in left_out["2021Q4"] and "FY2021 total" in left_out["2021Q4"] and "±5 bn" in left_out["2021Q4"]
    assert "not found" not in left_out["2021Q4"]
    # time per DAU: quarters the sources do not give are absent from the file, whatever the setting
    absent = quarterly.gap_reasons(include_secondary=True, metric="time_per_dau_min")
    assert set(absent) == {"2022Q2", "2023Q2", "2023Q3", "2025Q1"}
    assert all(reason.startswith("not in data/kuaishou_quarterly.csv") and "not found" in reason for reason in absent.values())


def test_gap_reasons_refuse_an_unknown_metric() -> None:
    with pytest.raises(ValueError, match="metric 'gmv'.*one of"):
        quarterly.gap_reasons(include_secondary=True, metric="gmv")


def test_the_research_conventions_state_the_derived_quarter_as_the_data_give_it(raw_rows: pd.DataFrame) -> None:
    page = " ".join((config.PROJECT_ROOT / "docs" / "research-conventions.md").read_text(encoding="utf-8").split())
    row = raw_rows[raw_rows["status"] == "D-2"].iloc[0]
    total = int(re.findall(r"(\d+)亿元", row["quote"])[0]) / 10  # 6800亿元 = RMB 680 bn
    assert f"no source found gives {row['quarter']} GMV" in page
    assert f"(RMB {total:g} bn, a secondary copy rounded to RMB 10 bn) minus 2021Q1-Q3, RMB {row['value']} bn ± 5 bn" in page
    assert "with status D-2" in page
