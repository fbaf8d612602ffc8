"""Imports the runner's processes defer until something uses them.

jsonschema imports ``rfc3987_syntax`` when jsonschema itself is imported (nbformat imports
jsonschema; papermill and nbconvert import nbformat), and ``rfc3987_syntax`` compiles about 35 Lark
grammars at import: some 1.5 s of CPU in every process that runs a notebook, for the ``iri`` and
``iri-reference`` formats that no notebook schema uses (python-jsonschema/jsonschema#1428).
:func:`defer_rfc3987_syntax` puts a stand-in in its place that imports the real module the first
time anything uses it, so nothing behaves differently: an IRI format check, or a notebook that
imports ``rfc3987_syntax``, gets the real module.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from typing import Any

MODULE = "rfc3987_syntax"


def defer_rfc3987_syntax() -> None:
    """Install the stand-in, unless the module is already imported or not installed, or
    ``$TRUSTLAB_BENCH_WITHOUT`` names "deferred" (:func:`trustlab.runner.preload.left_out`, for the benchmarks)."""
    if "deferred" in os.environ.get("TRUSTLAB_BENCH_WITHOUT", "").replace(" ", "").split(","):
        return
    spec = None if MODULE in sys.modules else importlib.util.find_spec(MODULE)
    if spec is None:
        return
    stand_in = types.ModuleType(MODULE, "Stand-in for rfc3987_syntax: imports the real module on first use.")
    stand_in.__file__ = spec.origin
    if spec.submodule_search_locations is not None:
        stand_in.__path__ = list(spec.submodule_search_locations)

    def real() -> types.ModuleType:
        if sys.modules.get(MODULE) is stand_in:
            del sys.modules[MODULE]
        return importlib.import_module(MODULE)

    def is_valid_syntax(*args: Any, **kwargs: Any) -> Any:  # what jsonschema imports by name
        return real().is_valid_syntax(*args, **kwargs)

    def __getattr__(name: str) -> Any:  # anything else: the real module's
        if name.startswith("__") and name.endswith("__"):  # the import system's questions do not load it
            raise AttributeError(name)
        return getattr(real(), name)

    stand_in.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    stand_in.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[MODULE] = stand_in
