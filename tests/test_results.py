"""Recorded results: JSON conversion and collection from an executed notebook."""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pandas as pd
import pytest

from trustlab.results import RESULT_MIME, collect, to_jsonable


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
