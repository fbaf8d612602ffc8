"""Tests of data/kuaishou_community.csv (transcription checks) and of trustlab.data.community."""

from __future__ import annotations

import pandas as pd
import pytest
from trustlab import config
from trustlab.data import community
from trustlab.data.tables import DataFileError

CSV = config.DATA_DIR / "kuaishou_community.csv"
RAW_MD = config.RAW_DIR / "kuaishou-public-figures.md"

# Each row as transcribed by hand from the raw file, with the number as its quote writes it and the
# factor that turns that number into the row's unit: (quarter, metric, value, status, written, factor)
HAND = [
    ("2021Q4", "mutual_follow_pairs_bn", 16.3, "V-2", "163亿", 1e8 / 1e9),
    ("2021Q4", "mutual_follow_pairs_yoy_pct", 68.2, "V-2", "68.2%", 1.0),
    ("2022Q1", "mutual_follow_pairs_yoy_pct", 68.9, "V", "68.9%", 1.0),
    ("2023Q4", "mutual_follow_pairs_bn", 33.0, "V-2", "33 billion", 1.0),
    ("2021Q4", "repurchase_rate_yoy_pp", 5.0, "V-2", "五个百分点", 1.0),
    ("2023Q4", "monthly_buyers_m", 130.0, "V-2", "130 million", 1.0),
    ("2024Q1", "monthly_buyers_m", 126.0, "V-2", "126 million", 1.0),
    ("2024Q1", "monthly_buyers_yoy_pct", 22.4, "V-2", "+22.4%", 1.0),
    ("2024Q3", "monthly_buyers_m", 133.0, "V-2", "0.133 billion", 1000.0),
    ("2024Q3", "monthly_buyers_yoy_pct", 12.2, "V-2", "12.2%", 1.0),
    ("2024Q4", "monthly_buyers_m", 143.0, "V-2", "143 million", 1.0),
    ("2025Q2", "monthly_buyers_m", 134.0, "V-2", "134 million", 1.0),
]


@pytest.fixture(scope="module")
def raw_rows() -> pd.DataFrame:
    return pd.read_csv(CSV, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def raw_md() -> str:
    return RAW_MD.read_text(encoding="utf-8")


def test_rows_are_the_hand_transcription(raw_rows: pd.DataFrame) -> None:
    got = {(r.quarter, r.metric): (float(r.value), r.status) for r in raw_rows.itertuples()}
    assert got == {(q, m): (v, s) for q, m, v, s, _, _ in HAND}


@pytest.mark.parametrize(("quarter", "metric", "value", "status", "written", "factor"), HAND)
def test_each_quote_is_in_the_raw_file_with_its_url_and_states_the_value(
    raw_rows: pd.DataFrame, raw_md: str, quarter, metric, value, status, written, factor
) -> None:
    row = raw_rows[(raw_rows["quarter"] == quarter) & (raw_rows["metric"] == metric)].iloc[0]
    assert row["quote"] in raw_md and row["source_url"] in raw_md
    assert written in row["quote"]  # the number as the quote writes it ...
    number = 5.0 if written == "五个百分点" else float(written.split()[0].rstrip("%亿").lstrip("+"))
    assert number * factor == pytest.approx(value, rel=1e-12)  # ... is the value, after the unit change
    # the status is the one the raw file gives the row that carries the quote
    line = next(line for line in raw_md.splitlines() if row["quote"] in line)
    assert line.split("|")[5].strip() == status


def test_value_in_quote_reads_units_scales_and_chinese_numerals() -> None:
    assert community.value_in_quote(16.3, "bn pairs", "累计超过163亿对")
    assert community.value_in_quote(133.0, "million", "number 0.133 billion")
    assert community.value_in_quote(5.0, "percentage points", "增长超过五个百分点")
    assert not community.value_in_quote(16.4, "bn pairs", "累计超过163亿对")
    assert not community.value_in_quote(13.0, "million", "number 0.133 billion")


def test_load_and_secondary_filter() -> None:
    full = community.load_community()
    primary = community.load_community(include_secondary=False)
    assert len(full) == len(HAND)
    assert list(primary["metric"]) == ["mutual_follow_pairs_yoy_pct"] and list(primary["quarter"]) == ["2022Q1"]
    growth = community.series(full, "mutual_follow_pairs_yoy_pct")
    assert [str(q) for q in growth.index] == ["2021Q4", "2022Q1"] and list(growth) == [68.2, 68.9]


@pytest.mark.parametrize(
    ("column", "bad_value", "expected"),
    [
        ("quarter", "Q4 2023", "YYYYQn"),
        ("metric", "buyers", "one of"),
        ("value", "", "finite number stated by the quote"),
        ("value", "131", "value must appear in its quote"),
        ("unit", "m", "unit must match the metric"),
        ("status", "M", "one of ['V', 'V-c', 'V-2']"),
        ("qualifier", "over", "one of ['', 'more than'"),
        ("source_url", "futunn", "http(s) URL"),
    ],
)
def test_errors_name_file_row_column_and_expected_form(tmp_path, column, bad_value, expected) -> None:
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    frame.loc[5, column] = bad_value  # the 2023Q4 buyers row: 130 million
    path = tmp_path / "broken.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError) as info:
        community.load_community(path)
    message = str(info.value)
    assert "broken.csv" in message and "row 5" in message and expected in message


def test_duplicate_rows_and_missing_columns_are_refused(tmp_path) -> None:
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    path = tmp_path / "dup.csv"
    pd.concat([frame, frame.iloc[[0]]]).to_csv(path, index=False)
    with pytest.raises(DataFileError, match="dup.csv"):
        community.load_community(path)
    path = tmp_path / "nocol.csv"
    frame.drop(columns=["quote"]).to_csv(path, index=False)
    with pytest.raises(DataFileError, match="missing column"):
        community.load_community(path)


def test_series_refuses_an_unknown_metric() -> None:
    with pytest.raises(ValueError, match="expected one of"):
        community.series(community.load_community(), "followers")
