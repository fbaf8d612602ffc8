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
"""

from __future__ import annotations

from typing import Any

try:  # property tests draw the same examples on every machine and every run: a run in CI tests what passed here
    from hypothesis import settings

    settings.register_profile("trustlab", derandomize=True)
    settings.load_profile("trustlab")
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
