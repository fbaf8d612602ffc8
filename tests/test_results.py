"""Recorded results: JSON conversion and collection from an executed notebook."""

from __future__ import annotations

import json
import math

import nbformat
import numpy as np
import pandas as pd
import pytest
from trustlab.results import RESULT_MIME, collect, collect_nonfinite, dumps_record, record, record_problem, to_jsonable


def test_numpy_and_pandas_values_become_plain_json():
    value = {
        "a": np.float64(1.5),
        "b": np.int64(3),
        "c": [np.bool_(True), None, math.nan],
        "d": pd.Timestamp("2022-06-19"),
        "e": pd.Period("2022Q1", freq="Q"),
        "f": pd.Series({"x": 1}),
    }
    assert to_jsonable(value) == {
        "a": 1.5,
        "b": 3,
        "c": [True, None, None],
        "d": "2022-06-19T00:00:00",
        "e": "2022Q1",
        "f": {"x": 1},
    }


def test_unknown_types_are_refused():
    with pytest.raises(TypeError, match="cannot record a value of type object"):
        to_jsonable(object())


def test_collect_reads_the_result_outputs_in_order():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={RESULT_MIME: {"name": "a", "value": 1}, "text/plain": "a"}),
        nbformat.v4.new_output("display_data", data={"text/plain": "other"}),
        nbformat.v4.new_output("display_data", data={RESULT_MIME: {"name": "a", "value": 2}, "text/plain": "a"}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("text"), cell]
    assert collect(nb) == {"a": 2}


def test_non_finite_values_are_noted_by_path():
    found: dict[str, str] = {}
    value = {"ratio": np.float64(np.inf), "table": pd.DataFrame({"share": [0.5, math.nan]}), "low": [-math.inf, 1.0]}
    assert to_jsonable(value, found, "summary") == {"ratio": None, "table": [{"share": 0.5}, {"share": None}], "low": [None, 1.0]}
    assert found == {"summary.ratio": "inf", "summary.table[1].share": "nan", "summary.low[0]": "-inf"}


def test_a_run_record_is_strict_json_with_a_nonfinite_mapping():
    import json

    record_ = {
        "notebook": "n",
        "parameters": {"ceiling": math.inf, "steps": [1.0, math.nan]},
        "results": {"growth": None, "ok": 1.0},
        "provenance": {"seconds": 1.0},
    }
    text = dumps_record(record_, {"growth": "inf"})

    def refuse(constant):
        raise AssertionError(f"not strict JSON: {constant}")

    parsed = json.loads(text, parse_constant=refuse)
    assert parsed["parameters"] == {"ceiling": None, "steps": [1.0, None]}
    assert parsed["results"] == {"growth": None, "ok": 1.0}
    assert parsed["nonfinite"] == {"parameters.ceiling": "inf", "parameters.steps[1]": "nan", "results.growth": "inf"}
    assert json.loads(dumps_record({"parameters": {}, "results": {}, "provenance": {}}))["nonfinite"] == {}


def test_record_carries_non_finite_results_to_collect(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    record("growth", np.float64(-np.inf))
    record("shares", [0.5, math.nan])
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data=obj) for obj in shown]
    nb.cells = [cell]
    assert collect(nb) == {"growth": None, "shares": [0.5, None]}
    assert collect_nonfinite(nb) == {"growth": "-inf", "shares[1]": "nan"}
    assert "non-finite" in shown[0]["text/plain"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ([], "expected a JSON object, got list"),
        ({"provenance": []}, "no 'parameters' in it"),
        ({"parameters": {}, "results": {}, "provenance": []}, "expected 'provenance' to be an object, got list"),
        ({"parameters": {}, "results": {}, "provenance": {}}, None),
        ({"parameters": [], "results": {}, "provenance": {}}, "expected 'parameters' to be an object, got list"),
        ({"parameters": {}, "results": "x", "provenance": {}}, "expected 'results' to be an object, got str \"x\""),
        (
            {"parameters": {}, "results": {}, "provenance": {"seconds": "abc"}},
            "expected 'provenance.seconds' to be a finite number or null, got str \"abc\"",
        ),
        ({"parameters": {}, "results": {}, "provenance": {"seconds": 1.5, "status": "ok", "started": None}}, None),
        (
            {"parameters": {}, "results": {}, "provenance": {"seconds": 10**400}},
            "expected 'provenance.seconds' to be a finite number or null, got int " + "1" + "0" * 196 + "...",
        ),
        (
            {"parameters": {}, "results": {}, "provenance": {"seconds": True}},
            "expected 'provenance.seconds' to be a finite number or null, got bool",
        ),
        (
            {"parameters": {}, "results": {}, "provenance": {"outputs": []}},
            "expected 'provenance.outputs' to be an object, got list",
        ),
        ({"notebook": ["x"], "parameters": {}, "results": {}, "provenance": {}}, "expected 'notebook' to be a string, got list"),
        (
            {"changed_parameters": 5, "parameters": {}, "results": {}, "provenance": {}},
            "expected 'changed_parameters' to be an object, got int 5",
        ),
        # 64 levels of containers are a record (the record itself is the first); 65 are not
        ({"parameters": {}, "results": {"r": json.loads("[" * 62 + "]" * 62)}, "provenance": {}}, None),
        ({"parameters": {}, "results": {"r": json.loads("[" * 63 + "]" * 63)}, "provenance": {}}, "nested deeper than 64 levels"),
    ],
)
def test_record_problem_says_what_shape_is_wrong(value, problem):
    assert record_problem(value) == problem


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"a": ' * 100_000 + "1" + "}" * 100_000, "nested deeper than 64 levels"),  # too deep for the JSON parser itself
        ("[" * 600 + "]" * 600, "expected a JSON object, got list"),
        ("{", "not readable JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
    ],
)
def test_read_record_names_what_is_wrong_and_never_raises(tmp_path, text, problem):
    from trustlab.results import read_record

    path = tmp_path / "results.json"
    path.write_text(text)
    assert read_record(path) == (None, problem)
