"""Recorded results: JSON conversion and collection from an executed notebook."""

from __future__ import annotations

import json
import math
import re

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


# ---------------------------------------------------------------- comparing runs at a tolerance


def test_differences_compares_floats_relatively_and_the_rest_exactly():
    from trustlab.results import differences

    # 1.0 and 1.0000005 differ by 5e-7 relative: inside 1e-6, outside 1e-7.
    assert differences({"a": 1.0, "b": [2, "x", True, None]}, {"a": 1.0000005, "b": [2, "x", True, None]}) == []
    assert differences(1.0, 1.0000005, rtol=1e-7) == ["value: 1.0 != 1.0000005 (relative difference above 1e-07)"]
    assert differences(0.0, 1e-13) == []  # values that should be zero agree within the absolute tolerance
    assert differences("model", "seasonal_naive") == ["value: 'model' != 'seasonal_naive'"]
    assert differences(True, 1) == ["value: True != 1"]  # a verdict is not a number
    assert differences(3, 4) == ["value: 3 != 4"]
    assert differences(None, 0.0) == ["value: None != 0.0"]
    assert differences({"a": [1.0, 2.0]}, {"a": [1.0]}) == ["a: 2 items != 1 items"]
    assert differences({"a": 1.0}, {"b": 1.0}) == [
        "value: key 'a' only in the expected value",
        "value: key 'b' only in the actual value",
    ]
    assert differences({"t": {"q": 100.0}}, {"t": {"q": 100.02}}, rtol=1e-4) == [
        "t.q: 100.0 != 100.02 (relative difference above 0.0001)"
    ]


def test_tolerance_of_a_payload_is_never_looser_than_the_optimizer_tolerance():
    from trustlab.results import tolerance_of

    assert tolerance_of({"name": "x", "value": 1.0}) == 1e-6
    assert tolerance_of({"name": "x", "value": 1.0, "rtol": 1e-4}) == 1e-4
    with pytest.raises(ValueError, match=r"result 'x': rtol 0.01 must lie in \[1e-06, 0.0001\]"):
        tolerance_of({"name": "x", "value": 1.0, "rtol": 0.01})


def _result_output(name, value, rtol=None):
    payload = {"name": name, "value": value} | ({"rtol": rtol} if rtol else {})
    return nbformat.from_dict(
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {RESULT_MIME: payload, "text/plain": f"recorded {name} = {value!r}"},
        }
    )


def test_outputs_within_tolerance_takes_the_stored_twin_only_when_it_agrees():
    from trustlab.results import outputs_within_tolerance

    stored = [_result_output("a", 0.25), _result_output("b", 10.0, rtol=1e-4), _result_output("c", "model")]
    new = [_result_output("a", 0.25 * (1 + 1e-9)), _result_output("b", 10.0005), _result_output("c", "seasonal_naive")]
    settled = outputs_within_tolerance(new, stored)
    assert settled[0] == stored[0]  # 4e-9 relative: inside 1e-6
    assert settled[1] == stored[1]  # 5e-5 relative: inside the optimizer's 1e-4
    assert settled[2] == new[2]  # a changed verdict is left for nbval to report
    far = outputs_within_tolerance([_result_output("a", 0.2501)], stored)
    assert far[0]["data"][RESULT_MIME]["value"] == 0.2501  # 4e-4 relative: outside 1e-6


def _cell_recording(value: float, stored: float, text: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(f"from trustlab.results import record\nrecord('share', {value!r})\nprint({text!r})")
    cell.execution_count = 1
    cell.outputs = [_result_output("share", stored), nbformat.v4.new_output("stream", name="stdout", text=text + "\n")]
    cell.outputs[0]["data"]["text/plain"] = f"recorded share = {stored!r}"
    return cell


@pytest.mark.kernel
def test_nbval_compares_recorded_results_at_their_tolerance(tmp_path):
    """The project's nbval set-up (conftest.py at the root) on a notebook whose stored outputs differ
    from a new run's: only in the last digits of a recorded result (cell 0: passes), by 3.5e-4
    relative (cell 1: fails), or in a displayed number (cell 2: fails)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell_recording(0.123456789, 0.123456789 * (1 + 3e-9), "MAPE 12.3%"),
        _cell_recording(0.123456789, 0.1235, "MAPE 12.3%"),
        _cell_recording(0.123456789, 0.123456789, "MAPE 12.4%"),
    ]
    nb.cells[2].source = nb.cells[2].source.replace("12.4", "12.3")  # the new run prints 12.3%, the stored output 12.4%
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    shutil.copy(Path(__file__).resolve().parents[1] / "conftest.py", tmp_path / "conftest.py")
    nbformat.write(nb, tmp_path / "check.ipynb")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-v",
            "--nbval",
            "--nbval-current-env",
            "--rootdir",
            str(tmp_path),
            "-c",
            "/dev/null",
            "check.ipynb",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    outcomes = dict(re.findall(r"check\W+ipynb::Cell (\d) (PASSED|FAILED)", done.stdout))
    assert outcomes == {"0": "PASSED", "1": "FAILED", "2": "FAILED"}, done.stdout[-3000:] + done.stderr[-2000:]


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
