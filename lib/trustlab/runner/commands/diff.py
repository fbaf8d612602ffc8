"""``trustlab diff``: the parameters and recorded results that differ between two runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trustlab.runner import compare
from trustlab.runner.commands.common import print_json


def add_parser(sub: Any) -> None:
    """Register ``trustlab diff``."""
    diff = sub.add_parser("diff", help="show the parameters and recorded results that differ between two runs")
    diff.add_argument("run_a", help="a run folder or its results.json")
    diff.add_argument("run_b", help="the run folder or results.json to compare it with")
    diff.add_argument("--json", action="store_true", help="print one JSON record instead of a table")
    diff.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Print the differences (the results in the notebook's groups, worded as its narrative words
    them, then the parameters; or one JSON record); exit code 1 when the runs differ, as diff(1)."""
    record_a, record_b = compare.load_record(Path(args.run_a)), compare.load_record(Path(args.run_b))
    table = compare.compare_records(record_a, record_b)
    sections = compare.diff_sections(record_a, record_b)
    if args.json:
        print_json(
            {
                "command": "diff",
                "run_a": str(args.run_a),
                "run_b": str(args.run_b),
                "same": table.empty,
                "differences": table.to_dict(orient="records"),
                "groups": [{"title": s["title"], "names": [r["name"] for r in s["rows"]]} for s in sections],
            }
        )
    elif table.empty:
        print("no differences in parameters or recorded results")
    else:
        print(compare.sections_text(sections))
    return 0 if table.empty else 1
