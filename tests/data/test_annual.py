"""Tests of data/kuaishou_annual.csv and its loader (trustlab.data.annual)."""

from __future__ import annotations

import pytest
from trustlab import config
from trustlab.data import annual, trust_report
from trustlab.data.tables import DataFileError

RAW = config.RAW_DIR / "kuaishou-public-figures.md"


def test_values_as_hand_transcribed_and_quoted_in_section_f_of_the_raw_file():
    """6800亿元 = RMB 680 bn and +78.4 %, from section F's Sina Tech repost, status V-2 as given there."""
    table = annual.load_annual()
    assert annual.annual_value(table, "ecommerce_gmv", 2021) == 680e9
    assert annual.annual_value(table, "ecommerce_gmv_growth", 2021) == 78.4
    assert annual.annual_value(table, "ecommerce_gmv", 2020) is None
    raw = RAW.read_text(encoding="utf-8")
    section_f = raw[raw.index("## F. Added later") :]
    for _, row in table.iterrows():
        assert row["quote"] in section_f and row["source_url"] in section_f and row["status"] == "V-2"
        assert trust_report.value_in_quote(row["value"], row["quote"])


def test_secondary_rows_can_be_left_out():
    assert annual.load_annual(include_secondary=False).empty


def test_a_value_not_in_its_quote_is_refused_naming_the_file(tmp_path):
    bad = tmp_path / "kuaishou_annual.csv"
    text = (config.DATA_DIR / "kuaishou_annual.csv").read_text(encoding="utf-8")
    bad.write_text(text.replace(",78.4,percent", ",87.4,percent"), encoding="utf-8")
    with pytest.raises(DataFileError, match="kuaishou_annual.csv"):
        annual.load_annual(bad)
