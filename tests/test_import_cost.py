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
PACKAGES = ("community", "data", "governance", "pricing", "promotion", "source_facts")
MODULES = ("plots", "results", "config")


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


# One interpreter imports what every analysis module imports anyway (none of it heavy: checked),
# then forks a child per module, which imports that module and reports the heavy ones it loaded.
# The same as a fresh interpreter per module, without paying for numpy and pandas each time.
PROBE = """
import importlib, json, os, sys
heavy, modules = set(json.loads(sys.argv[1])), json.loads(sys.argv[2])
import numpy, pandas, pydantic, yaml  # the shared base
base = sorted({m.split(".")[0] for m in sys.modules} & heavy)
report = {"(base)": base}
for module in modules:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(module)
            found = sorted({m.split(".")[0] for m in sys.modules} & heavy)
        except BaseException as exc:
            found = [f"import failed: {type(exc).__name__}: {exc}"]
        os.write(write, json.dumps(found).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        report[module] = json.loads(pipe.read() or '["no answer"]')
    os.waitpid(pid, 0)
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def heavy_imports_by_module() -> dict[str, list[str]]:
    modules = _analysis_modules()
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY), json.dumps(modules)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report.pop("(base)") == [], "the shared base of the probe imports a heavy module itself"
    assert sorted(report) == modules
    return report


@pytest.mark.parametrize("module", _analysis_modules())
def test_importing_the_module_loads_no_heavy_dependency(module, heavy_imports_by_module):
    assert heavy_imports_by_module[module] == [], f"import {module} loads heavy modules"
