"""``trustlab status``: which reports of a site are stale, and why (the inputs that changed)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trustlab import config
from trustlab.runner import cache, runs
from trustlab.runner.commands.common import load_named, print_json
from trustlab.runner.notebook import Notebook


def add_parser(sub: Any) -> None:
    """Register ``trustlab status``."""
    status = sub.add_parser("status", help="say which reports are stale and why (the inputs that changed)")
    status.add_argument("notebooks", nargs="*", help="only these notebooks (default: all)")
    status.add_argument("--scenario", help="the named scenario's reports instead of the defaults")
    status.add_argument("--out", help="reports folder (default reports/)")
    status.add_argument("--json", action="store_true", help="print one JSON record instead of a table")
    status.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Print each notebook's status (a table, or one JSON record); exit code 0."""
    site = (Path(args.out) if args.out else config.REPORTS_DIR).resolve()
    rows = [notebook_status(notebook, site, args.scenario) for notebook in load_named(args.notebooks) or runs.load_notebooks()]
    if args.json:
        print_json({"command": "status", "site": str(site), "notebooks": rows})
    else:
        width = max(len(r["notebook"]) for r in rows) if rows else 8
        for row in rows:
            built = f" (built {row['built']})" if row["built"] else ""
            print(f"{row['notebook']:<{width}}  {row['status']}{built}")
            for line in row["why"]:
                print(f"{'':<{width}}    - {line}")
    return 0


def notebook_status(notebook: Notebook, site: Path, scenario: str | None = None) -> dict[str, Any]:
    """Whether the build's report of ``notebook`` in ``site`` is up to date, and if not why: the
    inputs that changed since it was built, file by file, where its record says."""
    files = [notebook.scenario_path(scenario)] if scenario is not None else []
    out_dir = site / (notebook.name if scenario is None else f"{notebook.name}--{scenario}")
    reason = cache.stale_reason(out_dir, notebook.name, cache.inputs_digest(notebook, files))
    recorded = cache.read_results(out_dir, warn=False) if (out_dir / "results.json").exists() else None
    prov = recorded["provenance"] if recorded else {}
    why: list[str] = []
    if reason == "inputs changed":
        before = prov.get("input_files")
        why = (
            cache.changed_inputs(before, cache.input_files(notebook, files))
            if isinstance(before, dict)
            else ["inputs changed (this report predates per-file records; build once to see which)"]
        )
    elif reason is not None:
        why = [reason]
    return {
        "notebook": notebook.name,
        "scenario": scenario,
        "status": "up to date" if reason is None else "stale",
        "why": why,
        "report": str(out_dir),
        "built": prov.get("started"),
        "commit": prov.get("git_commit"),
    }
