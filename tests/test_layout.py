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


# ---------------------------------------------------------------- the walk of `trustlab run`

# Notebook's methods that look a notebook up again or resolve its parameters again.
LOOKUPS = {"scenario_path", "changed_from_defaults", "fast_function", "load"}


class _Module:
    """One runner module read for its calls: its top-level functions, and what its names import."""

    def __init__(self, name: str) -> None:
        path = PACKAGE.parent / (name.replace(".", "/") + ".py")
        self.name, self.tree = name, ast.parse(path.read_text(encoding="utf-8"))
        self.functions = {node.name: node for node in self.tree.body if isinstance(node, ast.FunctionDef)}
        self.imported: dict[str, tuple[str, str | None]] = {}  # local name -> (module, name in it, None for a module)
        modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("trustlab"):
                for alias in node.names:
                    child = f"{node.module}.{alias.name}"
                    self.imported[alias.asname or alias.name] = (child, None) if child in modules else (node.module, alias.name)

    def calls(self, function: str) -> list[tuple[str, str]]:
        """What ``function`` calls, in the order it is written (nested functions left out): (module, name)
        for a trustlab function, ("", method) for a method called on a value."""
        found = []

        def visit(node: ast.AST) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                    continue
                if isinstance(child, ast.Call):
                    found.append(child)
                visit(child)

        visit(self.functions[function])
        named = []
        for call in sorted(found, key=lambda c: (c.lineno, c.col_offset)):
            target = call.func
            if isinstance(target, ast.Name) and target.id in self.functions:
                named.append((self.name, target.id))
            elif isinstance(target, ast.Name) and target.id in self.imported:
                module, name = self.imported[target.id]
                named.append((module, name or target.id))
            elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id in self.imported:
                module, name = self.imported[target.value.id]
                named.append((module, f"{name}.{target.attr}" if name else target.attr))
            elif isinstance(target, ast.Attribute):
                keywords = {k.arg for k in call.keywords}
                if target.attr != "resolve" or keywords & {"cli", "overrides", "files"}:  # Path.resolve() is no lookup
                    named.append(("", target.attr))
        return named


def _entered(module: str, function: str) -> list[str]:
    """The runner modules a call of ``module.function`` enters, in order, its own module's helpers followed."""
    read = _Module(module)
    order = [module]
    for callee_module, name in read.calls(function):
        if callee_module == module:
            order += _entered(module, name)
        elif callee_module.startswith("trustlab.runner"):
            order.append(callee_module)
    return order


def _reached(module: str, function: str, seen: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every (module, function) of the runner a call of ``module.function`` reaches, methods on values as ("", name)."""
    for callee in _Module(module).calls(function):
        if callee in seen:
            continue
        seen.add(callee)
        callee_module, name = callee
        if callee_module.startswith("trustlab.runner") and name in _Module(callee_module).functions:
            _reached(callee_module, name, seen)
    return seen


def _runs_of(order: list[str]) -> list[str]:
    """``order`` with repeats in a row taken as one stay."""
    return [m for i, m in enumerate(order) if i == 0 or order[i - 1] != m]


def test_trustlab_run_enters_each_runner_module_once():
    """The command reads its line, resolves the run once (notebook.py), hands it to the pipeline and
    prints: it never comes back to a module it left (an orchestrator that calls its own helpers
    after other modules makes the parameters walk back and forth)."""
    stays = _runs_of(_entered("trustlab.runner.commands.run", "main"))
    assert len(stays) == len(set(stays)), " -> ".join(m.rsplit(".", 1)[-1] for m in stays)
    resolving = [c for c in _Module("trustlab.runner.commands.run").calls("main") if c[0] == "trustlab.runner.notebook"]
    assert resolving == [("trustlab.runner.notebook", "resolve_run")]


def test_below_the_command_no_step_looks_the_notebook_up_again():
    """From the run's pipeline down, nothing reads the notebook again or resolves its parameters
    again: the resolved run carries them."""
    reached = _reached("trustlab.runner.runs", "run_notebook", set())
    again = sorted(
        f"{module or 'a value'}.{name}"
        for module, name in reached
        if module in {"trustlab.runner.notebook", "trustlab.runner.params"} or (not module and name in LOOKUPS | {"resolve"})
    )
    assert not again, again


def test_a_module_left_and_entered_again_counts_twice():
    assert _runs_of(["a", "a", "b", "a"]) == ["a", "b", "a"]
    assert _runs_of(["a", "b", "b", "c"]) == ["a", "b", "c"]
