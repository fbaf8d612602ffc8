"""trustlab.tables_display: numbers and tables formatted for reading, at their edges."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from trustlab import tables_display as td


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (0.0, "0"),
        (-0.0, "0"),
        (100.0, "100"),  # an integer-valued float: no decimals (not 100.000000)
        (np.float64(100.0), "100"),
        (580000.0, "580,000"),
        (-1234567, "-1,234,567"),
        (np.int64(2405), "2,405"),
        (10**20, "100,000,000,000,000,000,000"),  # a Python integer is exact: shown in full
        (1e20, "1e+20"),  # a float that large is not exact: scientific
        (-3.5e16, "-3.5e+16"),
        (2.5678, "2.568"),
        (-45.83, "-45.83"),
        (0.127, "0.127"),
        (0.0123456, "0.01235"),
        (12345.6, "12,346"),  # never fewer than all integer digits
        (-1234.56, "-1,235"),
        (9.99996, "10"),
        (1.23456e-7, "1.235e-07"),
        (1e-300, "1e-300"),
        (math.nan, "—"),
        (np.nan, "—"),
        (None, "—"),
        (pd.NA, "—"),
        (math.inf, "∞"),
        (-math.inf, "-∞"),
    ],
)
def test_format_number_edges(value, text):
    assert td.format_number(value) == text


def test_format_number_digits_and_refusals():
    assert td.format_number(3.14159, digits=2) == "3.1"
    assert td.format_number(3.14159, digits=6) == "3.14159"
    with pytest.raises(ValueError, match="digits: expected a positive integer, got 0"):
        td.format_number(1.0, digits=0)
    with pytest.raises(TypeError, match="expected a number, got str '12'"):
        td.format_number("12")
    with pytest.raises(TypeError, match="expected a number, got bool True"):
        td.format_number(True)


def test_format_percent_and_cells():
    assert td.format_percent(0.127) == "12.7 %"
    assert td.format_percent(1.0) == "100 %"
    assert td.format_percent(float("nan")) == "—"
    assert td.format_cell("a <b> quote") == "a <b> quote"  # escaping is the Styler's (escape="html")
    assert td.format_cell(np.bool_(True)) == "True"
    assert td.format_cell(pd.Timestamp("2022-06-19")) == "2022-06-19 00:00:00"
    assert td.format_cell(pd.NaT) == "—"
    assert td.format_cell(np.float32(0.5)) == "0.5"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("62440000", "62,440,000"),
        ("-8.96", "-8.96"),
        ("5.15", "5.15"),
        (" 1e-9 ", "1e-09"),
        (".5", "0.5"),
        ("2022-05-20", "2022-05-20"),
        ("about 5", "about 5"),
        ("", ""),
        (None, "—"),
        (math.nan, "—"),
        (2405.0, "2,405"),
    ],
)
def test_format_text_number_formats_numbers_kept_as_text_and_leaves_dates(value, text):
    assert td.format_text_number(value) == text


def test_styled_formats_every_number_and_gap_and_wraps_long_text():
    frame = pd.DataFrame(
        {
            "tier": ["low", "high <RMB 1,000>"],
            "index": [100.0, 87.654321],
            "orders": [461538, None],
            "share": [0.127, 0.5],
            "quote": ["short", "x" * 80],
        }
    )
    html = td.styled(frame, percent=["share"]).to_html()
    for shown in (">100<", ">87.65<", ">461,538<", ">—<", ">12.7 %<", ">50 %<", "high &lt;RMB 1,000&gt;"):
        assert shown in html, shown
    assert "100.000000" not in html and "461538.0" not in html
    # Only the long text column wraps, within a bounded width, left-aligned.
    assert html.count("max-width: 32em") == 1 and "td.col4" in html and "td.col0" not in html
    assert "white-space: normal" in html and "text-align: left" in html
    assert "row_heading" not in html  # the index is hidden


def test_styled_options_and_refusals():
    frame = pd.DataFrame({"a": [1.23456, float("nan")], "b": ["x", "y"]})
    html = td.styled(
        frame, formats={"a": "{:.1f}"}, text_columns=["b"], text_width="10em", index=True, caption="A caption"
    ).to_html()
    assert ">1.2<" in html and ">—<" in html and "max-width: 10em" in html and "A caption" in html
    assert "row_heading" in html
    with pytest.raises(KeyError, match=r"percent: no column\(s\) \['c'\] in the table; its columns: \['a', 'b'\]"):
        td.styled(frame, percent=["c"])
    with pytest.raises(KeyError, match=r"text_columns: no column\(s\) \['z'\]"):
        td.styled(frame, text_columns=["z"])
    with pytest.raises(TypeError, match="expected a pandas DataFrame, got list"):
        td.styled([1, 2])
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        td.styled(pd.DataFrame([[1, 2]], columns=["a", "a"]))


def test_show_displays_the_styled_table(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    assert td.show(pd.DataFrame({"a": [1.0]})) is None
    assert ">1<" in shown[0].to_html()


def test_column_labels_may_break_after_each_underscore_and_are_escaped():
    frame = pd.DataFrame({"per_day_per_million_dau": [1.5], "a<b": ["x"]})
    html = td.styled(frame).to_html()
    assert ">per_<wbr>day_<wbr>per_<wbr>million_<wbr>dau<" in html  # the browser may break the label there
    assert ">a&lt;b<" in html
    assert td.breakable_label("count_in_period") == "count_<wbr>in_<wbr>period"
