"""trustlab: helpers for reproducible research notebooks on live-stream (trust) e-commerce.

The analyses (one subpackage per question: ``source_facts``, ``governance``, ``promotion``,
``pricing``), their data (``trustlab.data``) and the helpers the notebooks use (``results``,
``provenance``, ``plots``, ``prose``) are research code; ``trustlab.runner`` is the tooling that
executes, caches, renders and publishes the notebooks, and no analysis module imports it.
Submodules load on first use, so ``import trustlab`` is cheap and every module is reachable from it.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "config",
    "data",
    "errors",
    "governance",
    "plots",
    "pricing",
    "promotion",
    "prose",
    "provenance",
    "results",
    "runner",
    "source_facts",
}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"trustlab.{name}")
    raise AttributeError(f"module 'trustlab' has no attribute {name!r}")
