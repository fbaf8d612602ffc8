"""trustlab.runner.preload: what a fork server imports, read from the notebooks and trustlab's code."""

from __future__ import annotations

import json
from pathlib import Path

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
