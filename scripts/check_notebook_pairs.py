"""Check that the notebook pairs agree: each ``notebooks/NN_name.py`` (jupytext percent source) and
its ``NN_name.ipynb`` (executed copy) hold the same cells, as jupytext reads them.

The pre-commit hook ``jupytext-sync`` runs it on the notebooks a commit touches; with no arguments it
checks every pair. A pair that disagrees, or lacks a member, prints what differs and how to fix it,
and the exit code is 1. It writes nothing (``jupytext --sync`` would rewrite the metadata that
``trustlab refresh`` keeps).

Usage: python scripts/check_notebook_pairs.py [notebooks/NN_name.py | notebooks/NN_name.ipynb ...]
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cells(path: Path) -> list[str]:
    import jupytext

    notebook = jupytext.read(path)
    return [f"# ---- cell {i} ({cell.cell_type})\n{cell.source}" for i, cell in enumerate(notebook.cells, start=1)]


def pair_problem(stem: Path) -> str | None:
    """What is wrong with the pair ``stem``.py / ``stem``.ipynb, or None when they agree."""
    source, executed = stem.with_suffix(".py"), stem.with_suffix(".ipynb")
    missing = [p.name for p in (source, executed) if not p.exists()]
    if missing:
        return f"{stem.name}: {' and '.join(missing)} missing; every notebook is a .py and .ipynb pair"
    ours, theirs = _cells(source), _cells(executed)
    if ours == theirs:
        return None
    diff = difflib.unified_diff(
        "\n".join(theirs).splitlines(), "\n".join(ours).splitlines(), str(executed), str(source), lineterm="", n=1
    )
    return (
        f"{stem.name}: the .py and the .ipynb hold different cells; after editing the .py run "
        f"`trustlab refresh {stem.name}` (or `jupytext --sync {source}`):\n" + "\n".join(list(diff)[:60])
    )


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or sorted((ROOT / "notebooks").glob("*.py"))
    stems = sorted({p.with_suffix("") for p in paths if p.suffix in (".py", ".ipynb")})
    problems = [problem for stem in stems if (problem := pair_problem(stem))]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
