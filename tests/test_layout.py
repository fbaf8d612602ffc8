"""The package's layout holds: analyses never import the runner, imports have no loops, modules stay small.

Read from the source (imports as the code states them, at any depth in a module), so a lazy import
inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

from trustlab import config

PACKAGE = config.PACKAGE_DIR
RUNNER = PACKAGE / "runner"
MAX_LINES = 520  # "no module over about 500 lines"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every trustlab module ``path`` imports (``from trustlab.runner import runs`` names trustlab.runner.runs)."""
    found = set()
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("trustlab")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("trustlab"):
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in modules else node.module)
    return found


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_analysis_module_imports_the_runner():
    offenders = {
        _module_name(path): sorted(m for m in _imports(path) if m == "trustlab.runner" or m.startswith("trustlab.runner."))
        for path in _sources()
        if RUNNER not in path.parents
    }
    assert not {name: used for name, used in offenders.items() if used}


def test_the_runner_has_no_import_loop():
    graph = {
        _module_name(p): {m for m in _imports(p) if m.startswith("trustlab.runner.")} for p in _sources() if RUNNER in p.parents
    }
    for name in graph:
        graph[name].discard(name)

    def loop_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    return path + [nxt]
                if nxt not in path:
                    stack.append((nxt, path + [nxt]))
        return None

    loops = [loop for name in graph if (loop := loop_from(name))]
    assert not loops, " ; ".join(" -> ".join(loop) for loop in loops)


def _lines(path: Path) -> int:
    """The module's lines, less the continuation lines inside brackets: a call or literal that
    ruff format spreads over several lines counts as the line it starts on, so formatting alone
    never pushes a module over the limit (docstrings, comments and blank lines count)."""
    import io
    import tokenize

    text = path.read_text(encoding="utf-8")
    depth, continued, seen = 0, set(), set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        row = token.start[0]
        if row not in seen:
            seen.add(row)
            if depth > 0:
                continued.add(row)
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
    return len(text.splitlines()) - len(continued)


def test_line_count_leaves_out_wrapped_continuations(tmp_path):
    wrapped = tmp_path / "m.py"
    wrapped.write_text('"""Doc\nstring."""\n\n# note\nx = f(\n    1,\n    2,\n)\ny = [1, 2]\n')
    assert _lines(wrapped) == 6  # 9 lines, less the arguments and closing bracket of f( ... )


def test_no_module_is_much_over_500_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in _sources() if (n := _lines(p)) > MAX_LINES}
    assert not long, f"split these modules: {long}"


def test_every_module_says_what_it_is_for():
    missing = [
        str(p.relative_to(PACKAGE))
        for p in _sources()
        if p.stat().st_size and not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))
    ]
    assert not missing, f"modules without a docstring: {missing}"


def test_tests_mirror_the_package():
    """tests/PKG/ for each subpackage lib/trustlab/PKG/ (and nothing else), test files named uniquely
    (pytest imports them by name)."""
    tests = Path(__file__).resolve().parent
    folders = {p.name for p in tests.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))}
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == packages, f"test folders {sorted(folders)} do not mirror the subpackages {sorted(packages)}"
    names = [p.name for p in tests.rglob("test_*.py") if "fixtures" not in p.parts]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def _private_uses(source: str, own: str, modules: set[str]) -> list[str]:
    """Where the module ``own`` (its ``source``) uses a private name (``_x``) of another trustlab module:
    ``from trustlab.m import _x``, or ``alias._x`` where ``alias`` names a trustlab module it imported
    (``import trustlab.m as alias``, ``from trustlab import m``)."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}  # local name -> the trustlab module it names
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("trustlab") and alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("trustlab"):
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                if child in modules:
                    aliases[alias.asname or alias.name] = child
                elif alias.name.startswith("_") and not alias.name.startswith("__") and node.module != own:
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and aliases[node.value.id] != own
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr} ({aliases[node.value.id]})")
    return sorted(found, key=lambda use: int(use.split()[1].rstrip(":")))


def test_no_module_uses_another_modules_private_names():
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    uses = {
        str(p.relative_to(PACKAGE)): found
        for p in _sources()
        if (found := _private_uses(p.read_text(encoding="utf-8"), _module_name(p), modules))
    }
    assert not uses, f"make these public in the module that owns them, or move them: {uses}"


def test_a_private_name_taken_from_another_module_is_found():
    modules = {"trustlab.runner.runs", "trustlab.runner.report", "trustlab.runner.sweep"}
    source = (
        "from trustlab.runner import report, runs as r\n"
        "from trustlab.runner.sweep import _row, row\n"
        "import trustlab.runner.runs as running\n"
        "r._execute()\nreport._templates()\nrunning._index_href\nreport.__doc__\nr.execute()\n"
    )
    assert _private_uses(source, "trustlab.runner.report", {*modules, "trustlab.runner.cli"}) == [
        "line 2: from trustlab.runner.sweep import _row",
        "line 4: r._execute (trustlab.runner.runs)",
        "line 6: running._index_href (trustlab.runner.runs)",
    ]  # report's own private names are its own business
    assert _private_uses(source, "trustlab.runner.cli", modules) == [
        "line 2: from trustlab.runner.sweep import _row",
        "line 4: r._execute (trustlab.runner.runs)",
        "line 5: report._templates (trustlab.runner.report)",
        "line 6: running._index_href (trustlab.runner.runs)",
    ]
