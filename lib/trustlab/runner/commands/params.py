"""``trustlab params``: a notebook's parameters (type, default, range, help), or its parameters cell."""

from __future__ import annotations

import argparse
from typing import Any

from trustlab import contract
from trustlab.runner.commands.common import NOTEBOOK_HELP, print_json
from trustlab.runner.notebook import Notebook


def add_parser(sub: Any) -> None:
    """Register ``trustlab params``."""
    show = sub.add_parser("params", help="print a notebook's parameters: type, default, range, help")
    show.add_argument("notebook", help=NOTEBOOK_HELP)
    show.add_argument("--json", action="store_true", help="print one JSON record instead of a table")
    show.add_argument(
        "--cell", action="store_true", help="print the notebook's papermill parameters cell as its contract declares it"
    )
    show.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Print the parameters (a table, one JSON record, or the parameters cell); exit code 0."""
    notebook = Notebook.load(args.notebook)
    if args.cell:  # the papermill parameters cell the contract declares, to paste into the notebook
        print(contract.parameters_cell(notebook.contract))
        return 0
    declared = notebook.parameters
    if args.json:
        print_json(
            {
                "command": "params",
                "notebook": notebook.name,
                "parameters": [
                    {
                        "name": p.name,
                        "type": p.type_name,
                        "default": p.default,
                        "range": p.describe_range() or None,
                        "help": p.help or None,
                    }
                    for p in declared.values()
                ],
            }
        )
        return 0
    width = max(len(n) for n in declared) if declared else 4
    for p in declared.values():
        rng = p.describe_range()
        print(f"{p.name:<{width}}  {p.type_name:<12} default={p.default!r}" + (f"  [{rng}]" if rng else ""))
        if p.help:
            print(f"{'':<{width}}  {p.help}")
    return 0
