"""trustlab.data.tables, the shared loader machinery: every schema failure named by file, line, column,
value and form, in one format and one error class."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest
from trustlab.data import tables

SCHEMA = pa.DataFrameSchema(
    {"name": pa.Column(str, pa.Check.str_length(min_value=1)), "value": pa.Column(float, pa.Check.gt(0))},
    checks=[pa.Check(lambda df: df["value"] < 100, error="value must be below 100")],
)
FORMS = {"name": "a non-empty name", "value": "a positive number"}


def test_every_failure_is_listed_in_line_order():
    frame = pd.DataFrame({"name": ["a", "", "c"], "value": [5.0, -1.0, 500.0]})
    with pytest.raises(tables.DataFileError) as info:
        tables.validate(frame, SCHEMA, "toy.csv", FORMS, {"value must be below 100": "value/name"})
    lines = str(info.value).splitlines()
    assert lines[0] == "3 problem(s) in toy.csv:"
    assert lines[1] == "toy.csv: line 3 (row 1), column 'name': got ''; expected a non-empty name"
    assert lines[2] == "toy.csv: line 3 (row 1), column 'value': got -1.0; expected a positive number"
    assert lines[3] == (
        "toy.csv: line 4 (row 2), column 'value': got value=500.0, name='c'; "
        "expected value must be below 100 (a check across value/name; value: a positive number)"
    )


def test_a_cell_that_is_not_a_number_is_named():
    frame = pd.DataFrame({"value": ["1", "x2"]})
    with pytest.raises(tables.DataFileError, match=r"toy.csv: line 3 \(row 1\), column 'value': got 'x2'; expected a number"):
        tables.numeric_column(frame, "value", "toy.csv", "a number")


def test_wrong_columns_are_named():
    with pytest.raises(tables.DataFileError, match=r"missing \['value'\]; unexpected \['other'\]"):
        tables.check_columns(pd.DataFrame(columns=["name", "other"]), ["name", "value"], "toy.csv")


def test_read_validated_drops_secondary_copies_only_when_asked(tmp_path):
    path = tmp_path / "toy.csv"
    pd.DataFrame({"name": ["a", "b", "c", "d", "e"], "status": ["V", "V-2", "V-c", "D-2", "D"]}).to_csv(path, index=False)
    seen = []

    def validator(frame, where):
        seen.append(where)
        return frame

    full = tables.read_validated(path, validator)
    primary = tables.read_validated(path, validator, include_secondary=False)
    assert seen == [path, path]
    assert list(full["name"]) == ["a", "b", "c", "d", "e"]
    # V-2 (a secondary copy) and D-2 (derived from one) go; D (derived from primary figures only) stays
    assert list(primary["name"]) == ["a", "c", "e"] and list(primary.index) == [0, 1, 2]


def test_a_key_column_names_the_row_in_every_message():
    frame = pd.DataFrame({"name": ["a", ""], "value": [5.0, 500.0]})
    with pytest.raises(tables.DataFileError) as info:
        tables.validate(frame, SCHEMA, "toy.csv", FORMS, {"value must be below 100": "value/name"}, key_column="name")
    lines = str(info.value).splitlines()[1:]
    assert "toy.csv: line 3 (row 1, name ''), column 'name': got ''; expected a non-empty name" in lines
    assert any(line.startswith("toy.csv: line 3 (row 1, name ''), column 'value': got value=500.0") for line in lines)


def test_the_error_is_a_value_error_and_a_missing_file_is_named(tmp_path):
    assert issubclass(tables.DataFileError, ValueError)
    with pytest.raises(FileNotFoundError, match="nothing.csv"):
        tables.read_text_table(tmp_path / "nothing.csv")
