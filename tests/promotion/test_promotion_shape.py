"""Question 02 has the shape every question has (issue 24): ``parameters.py`` (the contract),
``analysis.py`` with one orchestration ``run(params)``, ``narrative.py``; its notebook checks its
parameters through its own contract, never through ``trustlab.runner``, and stays thin: no code cell
over 25 lines (the parameters cell aside), the tables, figures and sentences built by tested
functions of ``trustlab.promotion``."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import SimpleNamespace

import jupytext
import pytest
import yaml
from trustlab.errors import ParameterError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "02_promotion_growth.py"
SCHEMA = ROOT / "notebooks" / "params" / "02_promotion_growth.schema.yaml"
PACKAGE = ROOT / "lib" / "trustlab" / "promotion"
MAX_CELL_LINES = 25


def long_cells(source: str, limit: int = MAX_CELL_LINES) -> list[str]:
    """The code cells of a jupytext percent notebook with more than ``limit`` lines (blank lines
    count), the parameters cell aside: '<first line>: <n> lines'."""
    notebook = jupytext.reads(source, fmt="py:percent")
    return [
        f"{cell.source.splitlines()[0]!r}: {len(cell.source.splitlines())} lines"
        for cell in notebook.cells
        if cell.cell_type == "code"
        and "parameters" not in cell.metadata.get("tags", [])
        and len(cell.source.splitlines()) > limit
    ]


def runner_uses(source: str) -> list[str]:
    """Every import of ``trustlab.runner`` (or of a module under it) and every use of the name
    ``trustlab.runner`` in the code cells of a percent notebook: 'line N: ...'."""
    notebook = jupytext.reads(source, fmt="py:percent")
    found = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Attribute):
                names = [ast.unparse(node)]
            if any(name == "trustlab.runner" or name.startswith("trustlab.runner.") for name in names):
                found.append(cell.source.splitlines()[node.lineno - 1].strip())
    return list(dict.fromkeys(found))


def test_the_cell_check_counts_lines_and_leaves_the_parameters_cell_alone():
    long_body = "\n".join(f"x{i} = {i}" for i in range(26))
    text = f'# %% tags=["parameters"]\n{long_body}\n\n# %%\n{long_body}\n\n# %%\nshort = 1\n'
    assert long_cells(text) == ["'x0 = 0': 26 lines"]
    assert long_cells("# %%\n" + "\n".join(f"y{i} = {i}" for i in range(25)) + "\n") == []


def test_the_runner_check_finds_every_way_of_reaching_the_runner():
    for code in (
        "import trustlab.runner.params",
        "from trustlab.runner import params",
        "from trustlab import runner",
        "import trustlab\nPARAMS = trustlab.runner.params.validate('02', globals())",
    ):
        assert runner_uses(f"# %%\n{code}\n"), code
    assert runner_uses("# %%\nimport trustlab.provenance\nfrom trustlab import promotion\n") == []


def test_notebook_02_has_no_code_cell_over_25_lines():
    assert long_cells(NOTEBOOK.read_text(encoding="utf-8")) == []


def test_notebook_02_checks_its_parameters_through_its_own_contract_not_the_runner():
    source = NOTEBOOK.read_text(encoding="utf-8")
    assert runner_uses(source) == []
    assert "PARAMS = promo.Parameters.check_notebook(globals())" in source


def test_question_02_has_parameters_analysis_run_and_narrative(monkeypatch):
    for module in ("parameters.py", "analysis.py", "narrative.py"):
        assert (PACKAGE / module).is_file(), f"lib/trustlab/promotion/{module} is missing"
    analysis = importlib.import_module("trustlab.promotion.analysis")
    assert callable(analysis.run)
    # one orchestration: no second entry point beside run (the fast path only reads its results)
    assert not hasattr(analysis, "analysis") and not hasattr(analysis, "run_analysis") and not hasattr(analysis, "analyse")
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    assert schema["contract"] == "trustlab.promotion.parameters:Parameters"
    module, name = schema["fast"].split(":")
    assert module == "trustlab.promotion.analysis"
    # the fast path is run(params).results, nothing computed beside it
    monkeypatch.setattr(analysis, "run", lambda params: SimpleNamespace(results={"ran with": dict(params)}))
    assert getattr(analysis, name)({"alpha": 0.2}) == {"ran with": {"alpha": 0.2}}


def test_the_notebook_check_reads_the_parameters_from_a_namespace_with_other_names():
    from trustlab.promotion import Parameters

    namespace = {**Parameters.defaults(), "In": [], "Out": {}, "plt": object(), "alpha": 0.2}
    checked = Parameters.check_notebook(namespace)
    assert checked["alpha"] == 0.2 and checked["train_end"] == "2023Q4"
    assert list(checked) == list(Parameters.model_fields)
    del namespace["model"]
    with pytest.raises(ParameterError, match=r"02_promotion_growth: parameter\(s\) \['model'\] are not set"):
        Parameters.check_notebook(namespace)
    with pytest.raises(ParameterError, match="parameter 'train_end'"):
        Parameters.check_notebook({**Parameters.defaults(), "train_end": "2019Q1"})
