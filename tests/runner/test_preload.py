"""trustlab.runner.preload: what a fork server imports, read from the notebooks and trustlab's code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from trustlab.runner.preload import RUNNER_MODULES, _imports, modules_to_preload

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tests" / "runner" / "fixtures" / "notebooks" / "90_demo.py"


def test_a_small_notebook_preloads_the_runner_and_only_what_it_imports():
    modules = modules_to_preload([DEMO])
    assert modules[: len(RUNNER_MODULES)] == list(RUNNER_MODULES)
    assert "trustlab.results" in modules and "time" in modules
    assert not [m for m in modules if m.startswith(("statsmodels", "seaborn", "scipy", "pandera", "matplotlib"))], modules


def test_an_analysis_notebook_preloads_the_libraries_its_functions_import_where_they_use_them():
    modules = modules_to_preload([ROOT / "notebooks" / "02_promotion_growth.py"])
    # imported inside functions of trustlab.promotion.forecast, reached through trustlab.promotion
    assert {"trustlab.promotion.forecast", "statsmodels.tsa.statespace.sarimax", "pandera.pandas"} <= set(modules)
    # names imported from trustlab modules are not modules; the runner's tooling is never preloaded into runs
    assert "trustlab.promotion.forecast.backtest" not in modules
    assert not [m for m in modules if m.startswith(("dask", "playwright", "starlette", "uvicorn", "trustlab.runner.serve"))]
    # parents come before their submodules, so every import finds its package already there
    assert modules.index("trustlab.promotion") < modules.index("trustlab.promotion.forecast")


def test_notebook_00_does_not_pay_for_statsmodels():
    modules = modules_to_preload([ROOT / "notebooks" / "00_source_facts.py"])
    assert "trustlab.source_facts.analysis" in modules
    assert not [m for m in modules if m.startswith("statsmodels")]


def test_several_notebooks_preload_the_union_once():
    both = modules_to_preload([DEMO, ROOT / "notebooks" / "00_source_facts.py"])
    assert len(both) == len(set(both))
    assert set(modules_to_preload([DEMO])) | set(modules_to_preload([ROOT / "notebooks" / "00_source_facts.py"])) == set(both)


def test_an_executed_notebook_is_read_from_its_code_cells_without_magics(tmp_path):
    nb = tmp_path / "x.ipynb"
    cells = [
        {"cell_type": "markdown", "source": "import statsmodels"},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "import json\n", "!pip list\n", "from scipy import stats\n"]},
        {"cell_type": "code", "source": "this is not python"},
    ]
    nb.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    extra = set(modules_to_preload([nb])) - set(RUNNER_MODULES)
    assert extra == {"json", "scipy", "scipy.stats"}


def test_relative_imports_resolve_against_their_package_and_unparsable_code_imports_nothing():
    assert _imports("from . import b\nfrom .c import d\nfrom .. import e", "pkg.sub") == {
        "pkg.sub",
        "pkg.sub.b",
        "pkg.sub.c",
        "pkg.sub.c.d",
        "pkg",
        "pkg.e",
    }
    assert _imports("def f(:\n  import os", None) == set()
    assert _imports("from __future__ import annotations\nimport os.path", None) == {"os.path"}


def test_the_benchmarks_can_leave_preload_out(monkeypatch):
    monkeypatch.setenv("TRUSTLAB_BENCH_WITHOUT", "deferred, preload")
    assert modules_to_preload([ROOT / "notebooks" / "02_promotion_growth.py"]) == list(RUNNER_MODULES)


# A kernel starting, and pandera's first validation, after the fork server's imports: what they
# import then, every forked run imports again. Seen by running them, not by reading the code.
_AFTER_THE_PRELOAD = """
import json, sys
from pathlib import Path
from trustlab.runner import forkserver
from trustlab.runner.preload import modules_to_preload

forkserver._preload(modules_to_preload(sorted(Path(sys.argv[1]).glob("[0-9][0-9]_*.py"))))
before = set(sys.modules)
from ipykernel.kernelapp import IPKernelApp

IPKernelApp.instance().initialize(["-f", sys.argv[2] + "/kernel.json"])
started = set(sys.modules) - before
import pandas as pd
import pandera.pandas as pa

pa.DataFrameSchema({"a": pa.Column(int, pa.Check.ge(0)), "b": pa.Column(str)}).validate(pd.DataFrame({"a": [1], "b": ["x"]}, dtype=object).astype({"a": int, "b": "string"}))
validated = set(sys.modules) - before - started
Path(sys.argv[2], "imported.json").write_text(json.dumps({"kernel": sorted(started), "validate": sorted(validated)}))
"""


@pytest.mark.kernel
def test_a_forked_kernel_starting_and_validating_data_imports_nothing_the_server_did_not(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", _AFTER_THE_PRELOAD, str(ROOT / "notebooks"), str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    # before, these were debugpy, pdb, psutil, sqlite3 and hypothesis among others: about 0.5 s of CPU in every run
    assert json.loads((tmp_path / "imported.json").read_text()) == {"kernel": [], "validate": []}


def test_the_debuggers_import_warning_stays_out_of_the_servers_output_and_the_runs_environment(tmp_path):
    # debugpy prints a warning about frozen modules on stderr when imported without its switch
    code = (
        "import os; from trustlab.runner import forkserver; forkserver._preload(['ipykernel.debugger']);"
        "print(os.environ.get('PYDEVD_DISABLE_FILE_VALIDATION'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDEVD_DISABLE_FILE_VALIDATION"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "frozen modules" not in proc.stderr and "Debugger warning" not in proc.stderr
    assert proc.stdout.strip() == "None"


_FIRST_PAGE = """
import json, sys
from pathlib import Path
import nbformat
from trustlab.runner import forkserver, report
from trustlab.runner.preload import RUNNER_MODULES

forkserver._preload(list(RUNNER_MODULES))
before = set(sys.modules)
cells = [nbformat.v4.new_markdown_cell("# A title\\n\\nSome *text*, a [link](https://example.org) and $x^2$.")]
cells.append(nbformat.v4.new_code_cell("1", outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "1"})]))
report.render_html(nbformat.v4.new_notebook(cells=cells), {"notebook": "x", "parameters": {}, "provenance": {}})
Path(sys.argv[1], "imported.json").write_text(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_a_forked_runs_first_report_page_imports_nothing_the_servers_warm_up_did_not(tmp_path):
    # a run renders its page in the process forked from the server: markdown's plugins were imported there each time
    proc = subprocess.run(
        [sys.executable, "-c", _FIRST_PAGE, str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads((tmp_path / "imported.json").read_text()) == []
