"""The suite's shared set-up: nbval compares recorded results at a stated tolerance, everything else
exactly; hypothesis draws the same examples on every run.

nbval (configured in pyproject.toml) re-executes each committed notebook and compares every output
with the stored one, to the last character. A recorded result (``trustlab.results.record``) carries
its numbers at full precision, whose last digits move with the CPU's BLAS kernel; so, before nbval
compares a cell, each recorded result of the new run whose value agrees with the stored one within
its tolerance (:func:`trustlab.results.outputs_within_tolerance`: relative 1e-6, or 1e-4 for a value an
optimizer computes; strings, booleans and integers exactly) is replaced by the stored one. A result
beyond its tolerance is left as it is, and nbval reports the cell with both values. Every other
output (tables, prose, the numbers they display at their own precision) is compared as nbval does.

The suite runs in a random order (pytest-randomly, its seed printed at the top; ``-p no:randomly``
for file order), except the cells of a notebook, which nbval must run in the notebook's order:
:func:`pytest_collection_modifyitems` puts them back. Hypothesis has two profiles, both drawing the
same examples on every run: ``full`` (what ``make test`` runs) and ``quick`` (``make test-fast``,
``--hypothesis-profile quick``), which caps every property test at :data:`QUICK_EXAMPLES` examples.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

pytest_plugins = ["pytester"]  # tests/test_suite.py runs pytest on small projects of its own

QUICK_EXAMPLES = 10  # examples per property test under the quick profile

# One BLAS thread per test process, as notebook runs get (trustlab.runner._blas): two pytest-xdist
# workers on two cores, each with a BLAS pool as wide as the machine, oversubscribe it, and the pools'
# waiting threads burn the time the other worker needs (a SARIMAX backtest test took three times the
# CPU). Set before xdist starts its workers, which inherit it, as do the kernels and commands tests
# start; a value the caller set is kept. (A run without workers, -n 0, has its BLAS started already.)
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

# Hypothesis keeps its caches in .hypothesis/ of the working directory unless told otherwise: no
# test writes into the checkout (the profiles are derandomized, so no example database is needed).
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / f"trustlab-hypothesis-{os.getuid()}"))

try:  # property tests draw the same examples on every machine and every run: a run in CI tests what passed here
    from hypothesis import settings

    settings.register_profile("full", derandomize=True)
    settings.register_profile("quick", derandomize=True, max_examples=QUICK_EXAMPLES)
    settings.load_profile("full")  # --hypothesis-profile quick loads the other one after this file is read
except ImportError:  # hypothesis is a test dependency; nothing to set without it
    pass


def pytest_configure(config: Any) -> None:
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval not installed: nothing to adjust
        return
    if getattr(IPyNbCell.compare_outputs, "trustlab_tolerant", False):
        return
    from trustlab.results import outputs_within_tolerance

    exact = IPyNbCell.compare_outputs

    def compare_outputs(self: Any, test: list, ref: list, skip_compare: Any = None) -> bool:
        return exact(self, outputs_within_tolerance(test, ref), ref, skip_compare)

    compare_outputs.trustlab_tolerant = True  # type: ignore[attr-defined]
    IPyNbCell.compare_outputs = compare_outputs


def pytest_collection_modifyitems(config: Any, items: list) -> None:
    """Keep each notebook's cells together and in the notebook's order, wherever the random order
    put them (nbval runs them in one kernel, each cell on what the ones before it did); under the
    quick hypothesis profile, cap the examples a property test asks for in its own ``@settings``."""
    cells = [item for item in items if _notebook_cell_number(item) is not None]
    if cells:
        first = items.index(cells[0])
        notebooks = list(dict.fromkeys(str(item.path) for item in cells))  # in the order the shuffle met them
        cells.sort(key=lambda item: (notebooks.index(str(item.path)), _notebook_cell_number(item)))
        rest = [item for item in items if _notebook_cell_number(item) is None]
        items[:] = rest[:first] + cells + rest[first:]
    if _hypothesis_profile() == "quick":
        for item in items:
            _cap_examples(getattr(item, "obj", None), QUICK_EXAMPLES)


def _notebook_cell_number(item: Any) -> int | None:
    """The position of an nbval cell in its notebook; None for any other test."""
    number = getattr(item, "cell_num", None)
    return number if str(getattr(item, "path", "")).endswith(".ipynb") and isinstance(number, int) else None


def _hypothesis_profile() -> str | None:
    try:
        from hypothesis import settings
    except ImportError:
        return None
    return settings.get_current_profile_name()


def _cap_examples(test: Any, limit: int) -> None:
    """A property test's own ``@settings(max_examples=N)`` outranks the loaded profile; cap it at ``limit``."""
    from hypothesis import settings

    own = getattr(test, "_hypothesis_internal_use_settings", None)  # where @settings leaves them on the test
    if isinstance(own, settings) and own.max_examples > limit:
        test._hypothesis_internal_use_settings = settings(own, max_examples=limit)
