"""What a fork server imports before it forks runs: the runner's own modules, plus every module the
notebooks it will run import, followed through trustlab's own modules (imports inside functions
included, since the analyses import their heavy libraries where they use them).

Found by reading the code (``ast``), not by a list kept by hand: a build of notebook 00 does not
pay for statsmodels, a small notebook that imports only ``trustlab.results`` forks from a server
that imported little more than papermill, and a new analysis's libraries are preloaded without
anyone remembering to add them. What the reading misses (a module imported by name at run time,
a library's own lazy imports) is imported by the run itself: slower, never wrong. The lazy imports
that cost every run (a kernel's start, pandera's first validation) are named here by hand: a test
starts a kernel and validates a frame after the preload and fails if they import anything new.
"""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Iterable
from pathlib import Path

import trustlab

# What every run imports whatever its notebook: the run process (papermill, nbconvert, the
# results and page writers) and its kernel (ipykernel, and what a kernel imports only as it starts:
# its debugger with debugpy, IPython's pdb, psutil for the network interfaces, sqlite3 for the
# history, argcomplete for the command line, IPython's completer and extensions, tornado's event
# loop; about 0.4 s of every run's CPU time otherwise).
RUNNER_MODULES = (
    "papermill",
    "nbconvert",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "traitlets.config.argcomplete_config",
    "tornado.platform.asyncio",
    "faulthandler",
    "psutil",
    "sqlite3",
    "argcomplete",
    "trustlab.results",
    "trustlab.runner.params",
    "trustlab.runner.runs",
)
# What a library imports the first time it is used rather than when it is imported, preloaded with it.
# pandera's first validate() imports its pandas checks and, through them, hypothesis' strategies,
# its GeoPandas schemas (a model class is built on import), its accessors and pyarrow's pandas glue.
FIRST_USE_IMPORTS = {
    "pandera.pandas": (
        "pandera.backends.pandas.register",
        "pandera.backends.pandas.builtin_checks",
        "pandera.backends.pandas.builtin_hypotheses",
        "pandera.backends.register_checks",
        "pandera.api.geopandas",
        "pandera.accessors.pandas_accessor",
        "pyarrow.pandas_compat",
    ),
    # pandas' first string column made from text (pyarrow's version helper) and its first frame shown as text
    "pandas": ("pyarrow.vendored.version", "pandas.io.formats.string"),
}
PACKAGE_DIR = Path(trustlab.__file__).resolve().parent
# Internal, for the benchmarks (docs/architecture.md): a comma-separated list of the machinery to leave out
# ("preload": the fork server imports RUNNER_MODULES only; "deferred": see trustlab.runner.deferred).
WITHOUT_VARIABLE = "TRUSTLAB_BENCH_WITHOUT"


def left_out(piece: str) -> bool:
    """Whether ``$TRUSTLAB_BENCH_WITHOUT`` names ``piece`` ("preload" or "deferred")."""
    return piece in os.environ.get(WITHOUT_VARIABLE, "").replace(" ", "").split(",")


def modules_to_preload(notebooks: Iterable[Path]) -> list[str]:
    """The runner's modules, then what ``notebooks`` (jupytext ``.py`` sources or ``.ipynb``) import,
    directly or through trustlab's modules, with what those libraries import when first used
    (:data:`FIRST_USE_IMPORTS`), in a stable order (parents before their submodules).
    With ``preload`` left out (:func:`left_out`), the runner's modules only."""
    if left_out("preload"):
        return list(RUNNER_MODULES)
    found: set[str] = set()
    for notebook in notebooks:
        found |= _notebook_imports(Path(notebook))
    seen: set[str] = set()
    modules: set[str] = set()
    todo = sorted(found)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        source = _trustlab_source(name)
        if source is None:
            if not name.startswith("trustlab."):  # another library's module (or a name in one: skipped when imported)
                modules.add(name)
            continue  # else a name imported from a trustlab module, not a module
        modules.add(name)
        package = name if source.name == "__init__.py" else name.rpartition(".")[0]
        todo.extend(sorted(_imports(source.read_text(encoding="utf-8"), package) - seen))
    for library, first_use in FIRST_USE_IMPORTS.items():
        if library in modules:
            modules.update(first_use)
    extra = sorted(modules - set(RUNNER_MODULES), key=lambda n: (n.count("."), n))
    return [*RUNNER_MODULES, *extra]


def _notebook_imports(path: Path) -> set[str]:
    if path.suffix == ".ipynb":
        cells = [c for c in json.loads(path.read_text(encoding="utf-8")).get("cells", []) if c.get("cell_type") == "code"]
        found: set[str] = set()
        for cell in cells:
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            # IPython magics and shell lines are not Python; they import nothing we can see
            code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
            found |= _imports(code, None)
        return found
    return _imports(path.read_text(encoding="utf-8"), None)  # a jupytext percent source is Python


def _imports(code: str, package: str | None) -> set[str]:
    """Every module ``code`` imports (at any depth, in functions too). For ``from a import b`` both
    ``a`` and ``a.b`` are candidates (``b`` may be a submodule; if not, importing it fails quietly)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                if package is None:
                    continue
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            if not base or base == "__future__":
                continue
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def _trustlab_source(name: str) -> Path | None:
    """The file of a trustlab module (without importing it), or None for any other module."""
    parts = name.split(".")
    if parts[0] != "trustlab":
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None
