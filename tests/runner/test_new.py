"""``trustlab new``: refused names write nothing; a scaffold in a copy of the project builds, tests,
sweeps, shows in the index and runs under stock papermill with no further edits."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import markupsafe
import nbformat
import pandas as pd
import pytest
from trustlab import results
from trustlab.runner import new
from trustlab.runner.params import ParameterError

PROJECT = Path(__file__).resolve().parents[2]
QUESTION = 'What if the "trust" premium doubled, and what\'s left of it?\nA back\\slash and """ too.'


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def layout(tmp_path):
    """A project layout with notebooks 00 and 03, a module, a package and a test already there."""
    for rel in (
        "notebooks/00_existing.py",
        "notebooks/03_other.py",
        "lib/trustlab/taken_module.py",
        "lib/trustlab/taken_package/__init__.py",
        "tests/test_taken_test.py",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("# here before\n")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("1bad", "NAME '1bad' is not allowed: expected a Python identifier"),
        ("Bad", "NAME 'Bad' is not allowed"),
        ("with-dash", "NAME 'with-dash' is not allowed"),
        ("../escape", "NAME '../escape' is not allowed"),
        ("naïve", "NAME 'naïve' is not allowed"),
        ("class", "NAME 'class' is not allowed"),
        ("a" * 41, "at most 40 characters"),
        ("", "NAME '' is not allowed"),
        ("pricing", "NAME 'pricing' is not allowed: trustlab.pricing already exists"),
        ("importlib", "trustlab.importlib already exists"),
        ("existing", "the notebook 00_existing.py exists already"),
        ("taken_module", "taken_module.py exists already (trustlab.taken_module)"),
        ("taken_package", "taken_package exists already (trustlab.taken_package)"),
        ("taken_test", "test_taken_test.py exists already; test file names must be unique under tests/"),
    ],
)
def test_unsafe_or_existing_names_are_refused_before_anything_is_written(layout, name, message):
    before = _tree(layout)
    with pytest.raises(ParameterError) as info:
        new.plan(name, root=layout)
    assert message in str(info.value)
    assert _tree(layout) == before


def test_the_next_free_number_is_taken_and_none_past_99(layout):
    assert new.plan("fresh", root=layout).stem == "04_fresh"
    (layout / "notebooks" / "99_last.py").write_text("")
    with pytest.raises(ParameterError, match="no notebook number left"):
        new.plan("fresh", root=layout)


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("  \n ", "--question: expected the question the notebook answers, got an empty text"),
        ("why?\x1b[2J", "expected printable text, got the control character(s) '\\x1b'"),
        ("x" * 501, "expected at most 500 characters, got 501"),
    ],
)
def test_a_question_that_cannot_head_a_notebook_is_refused(question, message):
    with pytest.raises(ParameterError) as info:
        new.check_question(question)
    assert message in str(info.value)


def test_no_question_breaks_the_files_it_is_written_into(layout):
    before = _tree(layout)
    scaffold = new.plan("hostile", root=layout)
    texts = new.render(scaffold, new.check_question(QUESTION))
    init = scaffold.part("__init__.py")
    for target, text in texts.items():
        if target.suffix == ".py" and target != scaffold.notebook:
            compile(text, str(target), "exec")  # valid Python: no docstring ended early
    docstring = ast.get_docstring(ast.parse(texts[init]))
    assert " ".join(docstring.split()).startswith("The question of notebook 04_hostile. Question: " + " ".join(QUESTION.split()))
    header = texts[scaffold.notebook].split("# %% tags=")[0]
    assert '# What if the "trust" premium doubled, and what\'s left of it?\n# A back\\slash and """ too.\n' in header
    assert _tree(layout) == before  # rendering writes nothing


def test_write_creates_every_file_once_and_removes_them_if_one_appeared_meanwhile(layout):
    import jupytext
    from trustlab.runner import params

    scaffold = new.plan("fresh", root=layout)
    written = new.write(scaffold, "Does it hold?")
    assert written == [*scaffold.rendered(), scaffold.committed]
    stored = nbformat.read(scaffold.committed, as_version=4)  # unexecuted, in sync with its source
    assert [(c.cell_type, c.source) for c in stored.cells] == [
        (c.cell_type, c.source) for c in jupytext.read(scaffold.notebook).cells
    ]
    assert not any(c.get("outputs") for c in stored.cells if c.cell_type == "code")
    assert stored.metadata["kernelspec"]["name"] == "trustlab"
    # The contract class lives in the scaffolded module (importable once the project is installed; here
    # it is loaded from its file): typed, with help and ranges, and the notebook's cell is its rendering.
    import importlib.util

    from trustlab import contract

    spec = importlib.util.spec_from_file_location("scaffolded_fresh", scaffold.part("parameters.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    declared = params.parameters_of(module.Parameters)
    assert all(p.help and p.constraints for p in declared.values()) and len(declared) == 3
    cell = next(c.source for c in stored.cells if "parameters" in c.metadata.get("tags", []))
    assert cell == contract.parameters_cell(module.Parameters)

    other = new.plan("second", root=layout)
    before = _tree(layout)
    other.test.parent.mkdir()
    other.test.write_text("# written by someone else meanwhile\n")
    with pytest.raises(ParameterError, match="appeared meanwhile; trustlab new never overwrites a file"):
        new.write(other, "Does it hold?")
    assert _tree(layout) == {**before, str(other.test.relative_to(layout)): b"# written by someone else meanwhile\n"}
    assert not other.module.exists()  # the package folder it made is gone too: the name is free again
    assert other.test.parent.is_dir()  # the folder someone else made stays


def _copy_project(root: Path) -> None:
    """The parts of the project a scaffold, its tests and its runs need (no committed .ipynb, no .git)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.ipynb")
    for folder in ("lib", "data", "notebooks"):
        shutil.copytree(PROJECT / folder, root / folder, ignore=ignore)
    for name in ("pyproject.toml", "requirements.lock", "tests/test_notebooks.py", "tests/nbval_sanitize.cfg"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT / name, root / name)


def _projection(start: float, growth: float, periods: int) -> dict[str, float]:
    """The placeholder's recorded results by hand: compound growth over ``periods`` periods."""
    final = start * (1 + growth) ** periods
    return {"final_value": final, "total_change": final / start - 1}


@pytest.mark.slow
@pytest.mark.kernel
def test_a_scaffold_builds_tests_sweeps_and_runs_under_papermill_with_no_edits(tmp_path):
    root = tmp_path / "project"
    _copy_project(root)
    # Nothing of this pytest (xdist worker, addopts) nor another project root leaks into the copy's commands.
    env = {k: v for k, v in os.environ.items() if k != "TRUSTLAB_ROOT" and not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = str(root / "lib")  # config.PROJECT_ROOT is the copy: it lies above the package

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL
        )

    def trustlab(*args: str) -> subprocess.CompletedProcess:
        return run("-m", "trustlab.runner.cli", *args)

    # the next number after the project's own notebooks (00-04 today), counted here from the copy
    taken = [int(p.name[:2]) for p in (root / "notebooks").glob("[0-9][0-9]_*.py")]
    stem = f"{max(taken) + 1:02d}_trust_premium"
    before = _tree(root)
    refused = trustlab("new", "pricing", "--question", "x")
    assert refused.returncode == 2 and "trustlab.pricing already exists" in refused.stderr
    assert _tree(root) == before

    created = trustlab("new", "trust_premium", "--question", QUESTION)  # executes it once (as `trustlab refresh`)
    assert created.returncode == 0, created.stderr[-3000:] + created.stdout[-2000:]
    assert set(_tree(root)) - set(before) == {
        f"notebooks/{stem}.py",
        f"notebooks/{stem}.ipynb",
        f"notebooks/params/{stem}.schema.yaml",
        f"notebooks/params/{stem}.smoke.yaml",
        "lib/trustlab/trust_premium/__init__.py",
        "lib/trustlab/trust_premium/parameters.py",
        "lib/trustlab/trust_premium/analysis.py",
        "lib/trustlab/trust_premium/narrative.py",
        "tests/trust_premium/test_trust_premium.py",
    }
    scaffolded = _tree(root)
    again = trustlab("new", "trust_premium", "--question", "again")
    assert again.returncode == 2 and f"the notebook {stem}.py exists already" in again.stderr
    assert _tree(root) == scaffolded

    # `make test` on it: the generated test, the skeleton and sync checks, and nbval on the committed .ipynb.
    tested = run(
        "-m",
        "pytest",
        "-n",
        "0",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",  # nbval runs a notebook's cells in order, one kernel
        "-q",
        "-rA",
        "tests/trust_premium/test_trust_premium.py",
        "tests/test_notebooks.py",
        f"notebooks/{stem}.ipynb",
        "-k",
        f"test_trust_premium or ({stem} and not smoke)",
    )
    assert tested.returncode == 0, tested.stdout[-4000:] + tested.stderr[-2000:]
    passed = {line.split(" ", 1)[1] for line in tested.stdout.splitlines() if line.startswith("PASSED ")}
    assert {
        f"tests/test_notebooks.py::test_skeleton_and_parameters_cell[{stem}]",
        f"tests/test_notebooks.py::test_committed_notebook_is_in_sync_with_its_source[{stem}]",
        "tests/trust_premium/test_trust_premium.py::test_the_summary_reads_well_across_the_contract",
        "tests/trust_premium/test_trust_premium.py::test_the_contract_names_this_analysis_as_the_fast_path",
    } <= passed, passed
    assert sum(name.startswith(f"notebooks/{stem}.ipynb::") for name in passed) >= 5, "nbval checked no cells"

    defaults = {"start_value": 100.0, "growth_rate": 0.05, "periods": 12}
    committed = results.collect(nbformat.read(root / "notebooks" / f"{stem}.ipynb", as_version=4))
    assert committed == _projection(100.0, 0.05, 12)

    built = trustlab("build", stem)
    assert built.returncode == 0, built.stderr[-3000:]
    record = json.loads((root / "reports" / stem / "results.json").read_text())
    assert record["parameters"] == defaults and record["results"] == committed
    index = (root / "reports" / "index.html").read_text(encoding="utf-8")
    assert f"{stem}/{stem}.html" in index and "Trust premium" in index
    assert str(markupsafe.escape(" ".join(QUESTION.split()))) in index

    (root / "grid.yaml").write_text("grid:\n  growth_rate: [0.01, 0.1]\n")
    swept = trustlab("sweep", stem, "--grid", "grid.yaml", "--fast", "--jobs", "1")
    assert swept.returncode == 0, swept.stderr[-3000:]
    table = pd.read_csv(root / "reports" / "sweeps" / f"{stem}-grid" / "sweep.csv")
    assert list(table["status"]) == ["ok", "ok"]
    assert list(table["result.final_value"]) == [_projection(100.0, g, 12)["final_value"] for g in (0.01, 0.1)]

    converted = run("-m", "jupytext", "--to", "ipynb", f"notebooks/{stem}.py", "-o", str(tmp_path / "in.ipynb"))
    assert converted.returncode == 0, converted.stderr
    papermill = run(
        "-m", "papermill", str(tmp_path / "in.ipynb"), str(tmp_path / "out.ipynb"), "-k", "trustlab", "-p", "periods", "3"
    )
    assert papermill.returncode == 0, papermill.stderr[-3000:]
    ran = results.collect(nbformat.read(tmp_path / "out.ipynb", as_version=4))
    assert ran == _projection(100.0, 0.05, 3) and ran != committed
