"""A refreshed notebook is written as jupytext writes the .ipynb of a pair."""

from __future__ import annotations

import nbformat
from trustlab.runner.finish import as_paired_ipynb


def _notebook(jupytext: dict) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# title")])
    nb.metadata["jupytext"] = jupytext
    nb.metadata["kernelspec"] = {"name": "trustlab"}
    return nb


def test_the_text_representation_leaves_and_an_empty_jupytext_entry_with_it():
    nb = as_paired_ipynb(_notebook({"text_representation": {"extension": ".py", "format_name": "percent"}}))
    assert "jupytext" not in nb.metadata
    assert nb.metadata["kernelspec"] == {"name": "trustlab"}


def test_other_jupytext_settings_stay():
    nb = as_paired_ipynb(_notebook({"text_representation": {"extension": ".py"}, "formats": "ipynb,py:percent"}))
    assert nb.metadata["jupytext"] == {"formats": "ipynb,py:percent"}
