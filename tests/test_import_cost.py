"""Importing an analysis or data module is cheap: pandera, statsmodels, seaborn, matplotlib and scipy
are imported by the functions that use them, not with the module (a notebook's import cell pays for
them only when it asks for them)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest
import trustlab

HEAVY = ("pandera", "statsmodels", "seaborn", "matplotlib", "scipy")
PACKAGES = ("data", "governance", "pricing", "promotion")
MODULES = ("facts", "plots", "results", "config")


def _analysis_modules() -> list[str]:
    names = [f"trustlab.{m}" for m in MODULES]
    for package in PACKAGES:
        module = __import__(f"trustlab.{package}", fromlist=["__path__"])
        names.append(module.__name__)
        names += [info.name for info in pkgutil.iter_modules(module.__path__, f"{module.__name__}.")]
    return sorted(names)


def test_every_analysis_subpackage_is_listed():
    found = {info.name for info in pkgutil.iter_modules(trustlab.__path__) if info.ispkg}
    assert set(PACKAGES) <= found
    assert len(_analysis_modules()) > len(PACKAGES) + len(MODULES)


@pytest.mark.parametrize("module", _analysis_modules())
def test_importing_the_module_loads_no_heavy_dependency(module):
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [], f"import {module} loads heavy modules"
