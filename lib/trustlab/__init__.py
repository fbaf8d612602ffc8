"""trustlab: helpers for reproducible research notebooks on live-stream (trust) e-commerce.

Submodules load on first use (``trustlab.params``, ``trustlab.facts``, ...), so ``import trustlab``
is cheap and every module is reachable from it.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "cli", "config", "data", "facts", "governance", "params", "plots", "pricing", "promotion", "provenance",
    "report", "results", "runner", "sites", "sweep",
}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"trustlab.{name}")
    raise AttributeError(f"module 'trustlab' has no attribute {name!r}")
