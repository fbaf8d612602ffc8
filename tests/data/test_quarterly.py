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
    assert set(raw_rows["status"]) <= {"V", "V-c", "V-2"}


def test_urls_and_quotes_are_verbatim_in_the_raw_file(raw_rows: pd.DataFrame, raw_md: str) -> None:
    missing_url = raw_rows.loc[~raw_rows["source_url"].map(lambda u: u in raw_md), "source_url"]
    missing_quote = raw_rows.loc[~raw_rows["quote"].map(lambda q: q in raw_md), "quote"]
    assert missing_url.empty, missing_url.tolist()
    assert missing_quote.empty, missing_quote.tolist()


def test_value_appears_in_its_quote(raw_rows: pd.DataFrame) -> None:
    bad = [
        (r.quarter, r.metric, r.value, r.quote) for r in raw_rows.itertuples() if not _value_in_quote(r.value, r.unit, r.quote)
    ]
    assert not bad, bad


def test_coverage_and_known_gaps(raw_rows: pd.DataFrame) -> None:
    keys = set(zip(raw_rows["quarter"], raw_rows["metric"], strict=True))
    assert ("2021Q4", "gmv_rmb_bn") not in keys  # NF in the sources: never filled
    assert ("2022Q2", "time_per_dau_min") not in keys
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
    assert (primary["status"] != "V-2").all()
    assert len(primary) == (full["status"] != "V-2").sum()
    assert full["value"].dtype == float


def test_wide_has_period_index_gaps_and_status() -> None:
    frame = quarterly.load_quarterly()
    w = quarterly.wide(frame)
    s = quarterly.wide_status(frame)
    assert isinstance(w.index, pd.PeriodIndex) and w.index.freqstr.startswith("Q")
    assert list(w.columns) == quarterly.METRICS
    assert np.isnan(w.loc[pd.Period("2021Q4", "Q"), "gmv_rmb_bn"])
    assert s.loc[pd.Period("2021Q4", "Q"), "gmv_rmb_bn"] == ""
    assert s.loc[pd.Period("2021Q4", "Q"), "dau_m"] == "V-2"
    assert s.loc[pd.Period("2021Q1", "Q"), "gmv_rmb_bn"] == "V-c"
    # without V-2 rows, the Q4 2021 DAU is a gap but the quarter is still in the index
    w2 = quarterly.wide(quarterly.load_quarterly(include_secondary=False))
    assert pd.Period("2021Q4", "Q") in w2.index and np.isnan(w2.loc[pd.Period("2021Q4", "Q"), "dau_m"])
    shown = quarterly.wide_with_status(frame)
    assert shown.loc[pd.Period("2022Q1", "Q"), "gmv_rmb_bn"] == "175.1 (V)"


@pytest.mark.parametrize(
    ("column", "bad_value", "expected"),
    [
        ("status", "M", "one of ['V', 'V-c', 'V-2']"),
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
