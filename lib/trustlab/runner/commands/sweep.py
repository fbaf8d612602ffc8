"""``trustlab sweep``: one notebook over a grid of parameters, tabulated (:mod:`trustlab.runner.sweep`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from trustlab import config
from trustlab.runner import runs, sweep
from trustlab.runner.commands.common import NOTEBOOK_HELP, print_json, update_index
from trustlab.runner.notebook import Notebook


def add_parser(sub: Any) -> None:
    """Register ``trustlab sweep``."""
    sw = sub.add_parser("sweep", help="run one notebook over a grid of parameters and tabulate the results")
    sw.add_argument("notebook", help=NOTEBOOK_HELP)
    sw.add_argument("--grid", required=True, help="YAML file with 'grid', 'points' and/or 'fixed'")
    sw.add_argument("--out", help="output folder (default reports/sweeps/NOTEBOOK-GRID)")
    sw.add_argument("--fast", action="store_true", help="evaluate the notebook's analysis function, no kernels")
    sw.add_argument("--scheduler", help="address of an existing Dask scheduler (default: a local cluster)")
    sw.add_argument(
        "--scheduler-timeout",
        type=positive_seconds,
        default=sweep.SCHEDULER_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="how long to wait for --scheduler to answer and a worker to join before refusing (default: %(default)g)",
    )
    sw.add_argument("--jobs", "-j", type=int, default=None, help="local workers or processes (default: cores)")
    sw.add_argument("--timeout", type=float, default=runs.DEFAULT_TIMEOUT_SECONDS, help="per-notebook timeout, s")
    sw.add_argument("--json", action="store_true", help="print one JSON record of the sweep instead of a line")
    sw.set_defaults(func=main)


def positive_seconds(text: str) -> float:
    """An argparse type: a finite number of seconds above zero (argparse names the option)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return value


def main(args: argparse.Namespace) -> int:
    """Check every point and place, sweep, and put the table in place; exit code 0 if every point succeeded."""
    notebook = Notebook.load(args.notebook)
    resolved = sweep.resolve_points(notebook, sweep.load_grid(Path(args.grid)))
    out_dir = (
        Path(args.out) if args.out else config.REPORTS_DIR / "sweeps" / f"{notebook.name}-{Path(args.grid).stem}"
    ).resolve()
    # Every check before anything is created or runs: the places, then the scheduler and its workers.
    sweep.check_places(out_dir)
    if args.scheduler:
        sweep.check_scheduler(args.scheduler, args.scheduler_timeout)
    local = f"{args.jobs or os.cpu_count() or 1} local process(es)"
    where = (
        f"the Dask scheduler at {args.scheduler}"
        if args.scheduler
        else (local if args.fast else f"a local Dask cluster of {local}")
    )
    mode = f"{'fast (analysis function, no kernels)' if args.fast else 'notebook runs'} on {where}"
    print(f"sweeping {notebook.name}: {len(resolved)} point(s), {mode} -> {out_dir}", file=sys.stderr)
    if args.fast:
        table = sweep.run_fast(
            notebook, resolved, jobs=args.jobs, scheduler=args.scheduler, scheduler_timeout=args.scheduler_timeout
        )
        sweep.save_sweep(table, out_dir, notebook.name, on_placed=update_index)
    else:

        def report_point(point: int, finished: int, total: int, outcome: dict) -> None:
            print(f"[{finished}/{total}] point-{point:04d}: {outcome['status']} in {outcome['seconds']:.1f} s", file=sys.stderr)

        table = sweep.run_notebooks(
            notebook,
            resolved,
            out_dir,
            scheduler=args.scheduler,
            scheduler_timeout=args.scheduler_timeout,
            workers=args.jobs,
            timeout=args.timeout,
            on_placed=update_index,
            on_point=report_point,
            on_cluster=lambda line: print(line, file=sys.stderr),
        )
    csv, parquet = out_dir / "sweep.csv", out_dir / "sweep.parquet"
    failed = int((table["status"] != "ok").sum())
    if args.json:
        print_json(
            {
                "command": "sweep",
                "notebook": notebook.name,
                "mode": mode,
                "out_dir": str(out_dir),
                "points": len(table),
                "ok": len(table) - failed,
                "failed": failed,
                "csv": str(csv),
                "parquet": str(parquet),
            }
        )
    else:
        print(f"{len(table) - failed} ok, {failed} failed; table: {csv} and {parquet}")
    return 0 if failed == 0 else 1
