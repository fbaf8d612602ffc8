"""Every question has the same shape, and its notebook stays thin.

A question is a package ``lib/trustlab/<question>/`` with ``parameters.py`` (the contract),
``analysis.py`` with one orchestration ``run(params)`` and ``narrative.py`` (Summary, caveats,
sentences). Its notebook checks its parameters through that contract (never through
``trustlab.runner``) and keeps each code cell short: the logic lives in the tested package.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import jupytext
import pytest
import yaml
from trustlab import config
from trustlab.contract import Contract
from trustlab.runner import new
from trustlab.runner.notebook import Notebook

MAX_CELL_LINES = 25
# notebook -> its question's package
QUESTIONS = {
    "00_source_facts": "source_facts",
    "01_governance": "governance",
    "02_promotion_growth": "promotion",
    "03_pricing_positioning": "pricing",
    "04_community_trust": "community",
}


def _code_cells(source: Path) -> list[str]:
    cells = jupytext.read(source).cells
    return [c.source for c in cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]


def shape_problems(notebook: Path, package: Path, schema: Path) -> list[str]:
    """What keeps a question (its notebook source, its package folder, its schema) from the common shape."""
    problems = []
    cells = _code_cells(notebook)
    problems += [f"code cell {i} has {n} lines (at most {MAX_CELL_LINES})" for i, n in long_cells(cells)]
    problems += [f"imports the runner: {statement}" for statement in runner_imports(cells)]
    if ".Parameters.check_notebook(globals())" not in "\n".join(cells):
        problems.append("does not check its parameters with its contract (Parameters.check_notebook(globals()))")
    for part, function in (("parameters.py", None), ("analysis.py", "run"), ("narrative.py", "summary"), ("__init__.py", None)):
        if not (package / part).is_file():
            problems.append(f"{package.name}/{part} is missing")
        elif function and function not in _functions(package / part):
            problems.append(f"{package.name}/{part} defines no function {function}()")
    declared = yaml.safe_load(schema.read_text(encoding="utf-8"))
    question = f"trustlab.{package.name}"
    if declared.get("contract") != f"{question}.parameters:Parameters":
        problems.append(f"the schema's contract is {declared.get('contract')!r}, not {question}.parameters:Parameters")
    if declared.get("fast") != f"{question}.analysis:recorded_results":
        problems.append(f"the schema's fast path is {declared.get('fast')!r}, not {question}.analysis:recorded_results")
    return problems


def _functions(module: Path) -> set[str]:
    return {node.name for node in ast.parse(module.read_text(encoding="utf-8")).body if isinstance(node, ast.FunctionDef)}


def long_cells(cells: list[str], limit: int = MAX_CELL_LINES) -> list[tuple[int, int]]:
    """(index, lines) of each code cell over ``limit`` lines."""
    counts = [(i, len(cell.splitlines())) for i, cell in enumerate(cells)]
    return [(i, n) for i, n in counts if n > limit]


def runner_imports(cells: list[str]) -> list[str]:
    """The import statements of ``cells`` that reach trustlab.runner, as written."""
    found = []
    for cell in cells:
        for node in ast.walk(ast.parse(cell)):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            if any(n == "trustlab.runner" or n.startswith("trustlab.runner.") for n in names):
                found.append(ast.unparse(node))
    return found


def test_a_long_cell_and_a_runner_import_are_found():
    short, long = "x = 1\n\ny = 2", "\n".join(f"v{i} = {i}" for i in range(26))
    assert long_cells([short, long, long + "\n\nz = 3"]) == [(1, 26), (2, 28)]
    assert long_cells([short, "\n".join(f"v{i} = {i}" for i in range(25))]) == []
    cells = [
        "import trustlab.runner.params",
        "from trustlab.runner import params",
        "from trustlab import runner",
        "import trustlab",
    ]
    assert runner_imports(cells) == cells[:3]


def _paths(notebook: str) -> tuple[Path, Path, Path]:
    return (
        config.NOTEBOOKS_DIR / f"{notebook}.py",
        config.PACKAGE_DIR / QUESTIONS[notebook],
        config.NOTEBOOKS_DIR / "params" / f"{notebook}.schema.yaml",
    )


@pytest.mark.parametrize("notebook", sorted(QUESTIONS))
def test_the_question_has_the_common_shape_and_a_thin_notebook(notebook):
    assert shape_problems(*_paths(notebook)) == []


@pytest.mark.parametrize("notebook", sorted(QUESTIONS))
def test_the_notebook_checks_its_parameters_with_the_contract_the_runner_reads(notebook):
    assert "trustlab.runner" not in "\n".join(_code_cells(_paths(notebook)[0]))
    parameters = importlib.import_module(f"trustlab.{QUESTIONS[notebook]}.parameters")
    package = importlib.import_module(f"trustlab.{QUESTIONS[notebook]}")
    assert package.Parameters is parameters.Parameters  # the notebook's `<question>.Parameters`
    assert issubclass(parameters.Parameters, Contract) and parameters.Parameters.notebook == notebook
    assert Notebook.load(notebook).contract is parameters.Parameters
    analysis = importlib.import_module(f"trustlab.{QUESTIONS[notebook]}.analysis")
    assert callable(analysis.run) and Notebook.load(notebook).fast_function() is analysis.recorded_results


def test_a_question_out_of_place_is_named(tmp_path):
    notebook, package, schema = tmp_path / "nb.py", tmp_path / "q", tmp_path / "q.schema.yaml"
    long = "\n".join(f"v{i} = {i}" for i in range(30))
    notebook.write_text(f"# %%\nimport trustlab.runner.params\n\n# %%\n{long}\n", encoding="utf-8")
    package.mkdir()
    (package / "parameters.py").write_text("class Parameters: ...\n")
    (package / "analysis.py").write_text("def analyse(params): ...\n")
    schema.write_text("contract: trustlab.q:Parameters\nfast: trustlab.q.analysis:recorded_results\n")
    assert shape_problems(notebook, package, schema) == [
        "code cell 1 has 30 lines (at most 25)",
        "imports the runner: import trustlab.runner.params",
        "does not check its parameters with its contract (Parameters.check_notebook(globals()))",
        "q/analysis.py defines no function run()",
        "q/narrative.py is missing",
        "q/__init__.py is missing",
        "the schema's contract is 'trustlab.q:Parameters', not trustlab.q.parameters:Parameters",
    ]


def test_trustlab_new_scaffolds_a_question_of_the_common_shape(tmp_path):
    (tmp_path / "notebooks").mkdir()
    scaffold = new.plan("some_question", root=tmp_path)
    new.write(scaffold, "Does the scaffold have the shape?")
    assert shape_problems(scaffold.notebook, scaffold.module, scaffold.schema) == []
