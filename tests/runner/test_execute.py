"""The run process (`trustlab.runner.execute`): how it has papermill save the notebook as it runs."""

from __future__ import annotations

import nbformat
import papermill.engines
from papermill.execute import prepare_notebook_metadata
from papermill.iorw import load_notebook_node
from trustlab.runner import execute


def test_the_notebook_is_saved_when_a_code_cell_starts_and_at_the_end_only(monkeypatch, tmp_path):
    writes: list[list[str]] = []  # the cells' papermill statuses in each write
    monkeypatch.setattr(
        papermill.engines,
        "write_ipynb",
        lambda nb, path: writes.append([c.metadata.papermill.get("status", "") for c in nb.cells]),
    )
    engine = papermill.engines.papermill_engines.get_engine(execute.register_engine())

    class Simulated(engine):  # runs the cells as papermill's nbclient engine does, without a kernel
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            for index, cell in enumerate(nb_man.nb.cells):
                nb_man.cell_start(cell, index)
                nb_man.cell_complete(cell, index)

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# title"),
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_markdown_cell("text"),
            nbformat.v4.new_code_cell("y = 2"),
        ]
    )
    nbformat.write(nb, tmp_path / "in.ipynb")
    nb = prepare_notebook_metadata(load_notebook_node(str(tmp_path / "in.ipynb")), "in.ipynb", "out.ipynb")  # as papermill does
    Simulated.execute_notebook(nb, "python3", output_path=str(tmp_path / "out.ipynb"), progress_bar=False)
    assert writes == [
        ["pending"] * 4,  # notebook start
        ["completed", "running", "pending", "pending"],  # first code cell starts
        ["completed", "completed", "completed", "running"],  # second code cell starts
        ["completed"] * 4,  # the end
    ]
