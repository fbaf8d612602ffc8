"""Draw the layers of lib/trustlab into docs/architecture.md, from the code's own imports.

    .venv/bin/python scripts/architecture_graph.py          # rewrite the graph in docs/architecture.md
    .venv/bin/python scripts/architecture_graph.py --check  # exit 1 if the page is not what the code gives

Each top-level module or subpackage of ``lib/trustlab`` is one box; an arrow ``A --> B`` says that
some file of A imports B (at the top of a file or inside a function). Boxes are grouped by floor: a
box's floor is one above the highest floor it imports, so the ground imports nothing of trustlab's.
The graph is a Mermaid block between two markers of the page, which GitHub and most Markdown viewers
draw; tests/test_docs.py fails when it is stale.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lib" / "trustlab"
PAGE = ROOT / "docs" / "architecture.md"
START, END = "<!-- architecture-graph:start -->", "<!-- architecture-graph:end -->"


def units() -> list[str]:
    """The boxes: every top-level module (but ``__init__``) and subpackage of the package."""
    found = [path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"]
    found += [path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()]
    return sorted(found)


def _imported(tree: ast.AST) -> set[str]:
    """The first component below ``trustlab`` of every trustlab name a file imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("trustlab.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "trustlab":
                continue
            names |= {parts[1]} if len(parts) > 1 else {alias.name for alias in node.names}
    return names


def imports() -> dict[str, set[str]]:
    """For each box, the other boxes its files import."""
    boxes = set(units())
    edges: dict[str, set[str]] = {box: set() for box in boxes}
    for box in boxes:
        files = [PACKAGE / f"{box}.py"] if (PACKAGE / f"{box}.py").exists() else sorted((PACKAGE / box).rglob("*.py"))
        for file in files:
            edges[box] |= _imported(ast.parse(file.read_text(encoding="utf-8"))) & boxes
        edges[box].discard(box)
    return edges


def floors(edges: dict[str, set[str]]) -> dict[str, int]:
    """Each box's floor: 0 for the ground, else one above the highest box it imports (refuses a loop)."""
    floor: dict[str, int] = {}

    def place(box: str, path: tuple[str, ...]) -> int:
        if box in path:
            raise SystemExit(f"architecture_graph: an import loop: {' -> '.join((*path, box))}")
        if box not in floor:
            floor[box] = 1 + max((place(below, (*path, box)) for below in edges[box]), default=-1)
        return floor[box]

    for box in sorted(edges):
        place(box, ())
    return floor


def render() -> str:
    """The Mermaid block, floors from the top down, each floor's boxes and arrows in name order."""
    edges = imports()
    floor = floors(edges)
    lines = ["```mermaid", "flowchart TD"]
    for level in sorted(set(floor.values()), reverse=True):
        boxes = sorted(box for box in floor if floor[box] == level)
        lines.append(f'  subgraph floor{level}["floor {level}"]')
        lines += [f'    {box}["{box}/"]' if (PACKAGE / box).is_dir() else f"    {box}" for box in boxes]
        lines.append("  end")
    lines += [f"  {box} --> {below}" for box in sorted(edges) for below in sorted(edges[box])]
    lines.append("```")
    return "\n".join(lines)


def page_with_graph(page: str) -> str:
    """The page with the current graph between its markers."""
    if START not in page or END not in page:
        raise SystemExit(f"architecture_graph: {PAGE} lacks the markers {START} and {END}")
    before, rest = page.split(START, 1)
    after = rest.split(END, 1)[1]
    return f"{before}{START}\n{render()}\n{END}{after}"


def main(argv: list[str]) -> int:
    page = PAGE.read_text(encoding="utf-8")
    current = page_with_graph(page)
    if "--check" in argv:
        if current != page:
            print(f"{PAGE} is stale: run python scripts/architecture_graph.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(current, encoding="utf-8")
    print(f"architecture_graph: wrote the graph into {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
