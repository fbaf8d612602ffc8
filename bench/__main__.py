"""Benchmarks of the runner. Each run prints what it measured and writes it to
``bench/results/<date>-<what>.json`` (machine, Python, commit, medians, ratios, targets, samples;
``bench/record.py``); docs/benchmarks.md shows its one table from such records.

- cold: cold build of every notebook (`trustlab build --force`, parallel) against the same notebooks
  run one after another with the plain `papermill` command line. Target: at least 1.7x faster.
- warm: warm build with nothing changed (`trustlab build`, every run a cache hit). Target: under 1 s; of it,
  the site's book's check (its stamp unchanged, no Sphinx run) under 0.2 s.
- sweep: a 1,000-point sweep of the pricing analysis with `--fast` against the per-notebook path,
  extrapolated from a sample of notebook runs on the same local Dask cluster. Target: 500x.
- imports: each notebook's import cell (its parameters cell, then the cell of imports, in a fresh
  interpreter) as it is, against the same cell with what the analysis modules used to import when
  they were imported (pandera, scipy.stats, statsmodels' power and proportion tests, seaborn)
  loaded first. CPU seconds (user + system), best of the rounds. Target: at least 1.1x less CPU.
- serve: the explorer (`trustlab serve`) with its workers warm: for each notebook, from the request
  with one changed parameter (``POST /api/runs``, waiting) to the report page fetched, the default
  run already made; a different value each round. Target: under 5 s per notebook.
- run: a changed-parameter `trustlab run` of each notebook against the stock commands on the same
  notebook and parameters (`papermill -p NAME VALUE`, then `jupyter nbconvert --to html`),
  alternated. No target: it shows what a single cold run costs against the stock tools.
- machinery: what the fork server, preload and the jsonschema stand-in each buy (cold build and a
  single run with and without each, alternated) and cost (lines, tests): bench/machinery.py.
- machinery_serve: the explorer's request as in serve, with preload or the fork server left out, alternated.

Usage: python -m bench [--only NAME,...] [--rounds N] [--sample N] [--results DIR] [--dry-run]
       python -m bench --table bench/results/FILE.json...   (print the Markdown table of docs/benchmarks.md)
       python -m bench --docs bench/results/FILE.json...    (rewrite the tables of docs/benchmarks.md and docs/architecture.md)
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trustlab import config

from bench import machinery, record
from bench.explorer import CHANGES, WarmExplorer
from bench.timing import alternate, paired_ratio, timed_with_cpu

BIN = Path(sys.executable).parent  # the heavy imports (the runner, jupytext) are made where used: --dry-run needs none
ALL = ("cold", "warm", "sweep", "imports", "serve", "run", "machinery", "machinery_serve")
DOC_PAGES = [config.PROJECT_ROOT / "docs" / "benchmarks.md", config.PROJECT_ROOT / "docs" / "architecture.md"]


def bench_cold(tmp: Path, rounds: int) -> dict[str, Any]:
    import jupytext
    import nbformat
    from trustlab.runner import finish, runs

    inputs = []
    for source in runs.notebooks():
        path = tmp / f"{source.stem}.ipynb"
        nbformat.write(jupytext.read(source), path)
        inputs.append(path)

    def sequential(i: int) -> tuple[float, float]:
        times = [
            timed_with_cpu(
                [str(BIN / "papermill"), str(p), str(tmp / f"{p.stem}.out.ipynb"), "-k", finish.kernel_name(), "--cwd", str(tmp)]
            )
            for p in inputs
        ]
        return sum(w for w, _ in times), sum(c for _, c in times)

    measured = alternate(
        {
            "papermill one after another": sequential,
            "trustlab build": lambda i: timed_with_cpu(
                [str(BIN / "trustlab"), "build", "--force", "--out", str(tmp / f"site-{i}")]
            ),
        },
        rounds,
    )
    ratio = "papermill one after another / trustlab build"
    return {
        "description": "cold build of every notebook, parallel, against plain papermill one after another",
        "medians": {f"{name} s": statistics.median(w for w, _ in pairs) for name, pairs in measured.items()},
        "ratios": {ratio: paired_ratio(measured, "papermill one after another", "trustlab build")},
        "targets": {ratio: {"at least": 1.7}},
        "samples [wall s, CPU s]": measured,
    }


def bench_warm(tmp: Path, rounds: int) -> dict[str, Any]:
    site = tmp / "site-warm"
    subprocess.run([str(BIN / "trustlab"), "build", "--out", str(site)], check=True, stdout=subprocess.DEVNULL)
    warm = [timed_with_cpu([str(BIN / "trustlab"), "build", "--out", str(site)]) for _ in range(rounds)]
    label = "trustlab build, nothing changed s"
    book = [_book_no_op(site) for _ in range(rounds)]
    book_label = "of which the book's check, nothing changed s"
    return {
        "description": "warm build with nothing changed (every run a cache hit; the site's book not rebuilt: its stamp is unchanged)",
        "medians": {label: statistics.median(w for w, _ in warm), book_label: statistics.median(w for w, _ in book)},
        "ratios": {},
        "targets": {label: {"at most": 1.0}, book_label: {"at most": 0.2}},
        "samples [wall s, CPU s]": {label: warm, book_label: book},
    }


def _book_no_op(site: Path) -> tuple[float, float]:
    """What the site's book adds to a warm no-op build, in wall and CPU seconds: in a new interpreter
    that has imported the commands (as `trustlab build` has by then), its module imported and its
    stamp computed and found unchanged. The build ran Sphinx if this does."""
    code = (
        "import sys, time; from pathlib import Path; from trustlab.runner.commands import common\n"
        "wall, cpu = time.perf_counter(), time.process_time()\n"
        "rebuilt = common.update_book(Path(sys.argv[1]))\n"
        "print(time.perf_counter() - wall, time.process_time() - cpu, rebuilt)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(site)], check=True, capture_output=True, text=True).stdout.split()
    assert out[2] == "False", "a warm no-op build rebuilt the book"
    return float(out[0]), float(out[1])


def bench_sweep(tmp: Path, sample: int) -> dict[str, Any]:
    import yaml
    from dask.distributed import LocalCluster
    from trustlab.runner import sweep
    from trustlab.runner.notebook import Notebook

    grid = tmp / "grid.yaml"
    rates = [round(i / 99, 4) for i in range(100)]
    grid.write_text(yaml.safe_dump({"grid": {"redemption_rate": rates, "seed": list(range(10))}}))
    pricing = Notebook.load("03_pricing_positioning")
    points = sweep.resolve_points(pricing, sweep.load_grid(grid))
    assert len(points) == 1000
    t0 = time.perf_counter()
    table = sweep.run_fast(pricing, points)
    fast = time.perf_counter() - t0
    assert (table["status"] == "ok").all()
    workers = os.cpu_count() or 1
    # The cluster is started before the clock: a 1,000-point sweep would pay its start-up once.
    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        t0 = time.perf_counter()
        sample_table = sweep.run_notebooks(pricing, points[:sample], tmp / "sample", scheduler=cluster.scheduler_address)
        sample_seconds = time.perf_counter() - t0
    assert (sample_table["status"] == "ok").all()
    extrapolated = sample_seconds / sample * len(points)
    ratio = "notebook path (extrapolated) / fast sweep"
    return {
        "description": f"1,000-point sweep of 03 with --fast against the notebook path, extrapolated from {sample} "
        f"notebook runs on a running local Dask cluster of {workers} workers",
        "medians": {
            "fast sweep, 1,000 points s": fast,
            f"notebook sample, {sample} points s": sample_seconds,
            "notebook path extrapolated to 1,000 points s": extrapolated,
        },
        "ratios": {ratio: extrapolated / fast},
        "targets": {ratio: {"at least": 500}},
    }


# What the analysis modules imported at module level before they imported it where used.
EAGER_IMPORTS = "import pandera.pandas, scipy.stats, statsmodels.stats.power, statsmodels.stats.proportion, seaborn\n"


def import_cell(source: Path) -> str:
    """The parameters cell and the cell after it (the imports) of a notebook source, as one script."""
    import jupytext

    cells = [c for c in jupytext.read(source).cells if c.cell_type == "code"]
    at = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    return cells[at].source + "\n" + cells[at + 1].source + "\n"


def bench_imports(rounds: int) -> dict[str, Any]:
    from trustlab.runner import runs

    env = {**os.environ, "MPLBACKEND": "Agg"}
    medians: dict[str, float] = {}
    lazy_total = eager_total = 0.0
    for source in runs.notebooks():
        cell = import_cell(source)
        lazy = min(timed_with_cpu([sys.executable, "-c", cell], env=env)[1] for _ in range(rounds))
        eager = min(timed_with_cpu([sys.executable, "-c", EAGER_IMPORTS + cell], env=env)[1] for _ in range(rounds))
        medians[f"{source.stem} import cell, CPU s (best)"] = lazy
        medians[f"{source.stem} with eager imports, CPU s (best)"] = eager
        lazy_total, eager_total = lazy_total + lazy, eager_total + eager
    ratio = "eager / as is, CPU, all notebooks"
    return {
        "description": "each notebook's import cell in a fresh interpreter, as is and with the formerly eager imports first",
        "medians": medians,
        "ratios": {ratio: eager_total / lazy_total},
        "targets": {ratio: {"at least": 1.1}},
    }


def bench_serve(tmp: Path, rounds: int) -> dict[str, Any]:
    from trustlab.runner import runs

    warm = WarmExplorer(tmp / "serve-site")
    try:
        samples = {
            f"{nb}, {CHANGES[nb][0]} changed": [warm.request(nb, i) for i in range(rounds)]
            for nb in (s.stem for s in runs.notebooks())
        }
    finally:
        warm.close()
    medians = {"fork server warm-up (once, at start) s": warm.warm_up_seconds}
    for label, pairs in samples.items():
        medians[f"{label}, wall s"] = statistics.median(w for w, _ in pairs)
        medians[f"{label}, CPU s"] = statistics.median(c for _, c in pairs)
    return {
        "description": "the explorer's complete report of each notebook with one parameter changed, workers warm, "
        "from the POST to the report page fetched",
        "medians": medians,
        "ratios": {},
        "targets": {f"{label}, wall s": {"at most": 5.0} for label in samples},
        "samples [wall s, CPU s]": samples,
    }


# One numeric parameter changed per notebook, within its contract.
CHANGED_RUN = {
    "00_source_facts": ("max_rows_per_topic", "20"),
    "01_governance": ("alpha", "0.01"),
    "02_promotion_growth": ("alpha", "0.2"),
    "03_pricing_positioning": ("promo_price", "499"),
    "04_community_trust": ("alpha", "0.1"),
}


def bench_run(tmp: Path, rounds: int) -> dict[str, Any]:
    import jupytext
    import nbformat
    from trustlab.runner import finish, runs

    medians: dict[str, float] = {}
    ratios: dict[str, float] = {}
    samples: dict[str, Any] = {}
    for source in runs.notebooks():
        name, value = CHANGED_RUN[source.stem]
        notebook = tmp / f"{source.stem}.ipynb"
        nbformat.write(jupytext.read(source), notebook)
        stock_out = tmp / f"{source.stem}.stock.ipynb"
        papermill = [str(BIN / "papermill"), str(notebook), str(stock_out), "-k", finish.kernel_name(), "-p", name, value]
        nbconvert = [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(stock_out)]

        def stock(i: int) -> tuple[float, float]:
            executed = timed_with_cpu([*papermill, "--cwd", str(tmp)])
            rendered = timed_with_cpu(nbconvert)
            return executed[0] + rendered[0], executed[1] + rendered[1]

        trustlab = [str(BIN / "trustlab"), "run", source.stem, "-p", name, value]
        measured = alternate(
            {
                "trustlab run": lambda i: timed_with_cpu([*trustlab, "--out", str(tmp / "runs" / f"{source.stem}-{i}")]),
                "papermill + nbconvert": stock,
            },
            rounds,
        )
        for kind, pairs in measured.items():
            medians[f"{source.stem}, {name}={value}, {kind}, wall s"] = statistics.median(w for w, _ in pairs)
            medians[f"{source.stem}, {name}={value}, {kind}, CPU s"] = statistics.median(c for _, c in pairs)
        ratios[f"{source.stem}: papermill + nbconvert / trustlab run, wall"] = paired_ratio(
            measured, "papermill + nbconvert", "trustlab run"
        )
        samples[source.stem] = measured
    return {
        "description": "a changed-parameter trustlab run of each notebook against papermill -p then jupyter nbconvert --to html",
        "medians": medians,
        "ratios": ratios,
        "targets": {},
        "samples [wall s, CPU s]": samples,
    }


def _print(name: str, result: dict[str, Any]) -> None:
    print(f"\n[{name}] {result['description']}")
    for key, value in result["medians"].items():
        print(f"  {key:<72} {value:10,.3f}")
    for key, value in result["ratios"].items():
        target = result["targets"].get(key)
        print(f"  {key:<72} {value:9,.2f}x" + (f"   target {target}" if target else ""))
    for piece, cost in result.get("costs", {}).items():
        print(f"  cost of {piece}: {cost}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(ALL), help=f"comma-separated, of {','.join(ALL)} (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds (repeats) of each timed command")
    parser.add_argument("--sample", type=int, default=4, help="notebook runs sampled for the sweep extrapolation")
    parser.add_argument("--results", type=Path, default=record.RESULTS_DIR, help="folder of the json records")
    parser.add_argument("--dry-run", action="store_true", help="time nothing: write the record's head and the commands")
    parser.add_argument("--table", type=Path, nargs="+", metavar="RECORD", help="print the records' Markdown table and stop")
    parser.add_argument(
        "--docs", type=Path, nargs="+", metavar="RECORD", help="rewrite the tables of docs/ from the records and stop"
    )
    args = parser.parse_args()
    if args.table:
        print(record.table(*(record.read(path) for path in args.table)), end="")
        return 0
    if args.docs:
        for page in DOC_PAGES:
            record.refresh_page(page, args.docs, {"costs": machinery.costs_table})
            print(f"rewritten from {' '.join(map(str, args.docs))}: {page}")
        return 0
    chosen = [name for name in args.only.split(",") if name]
    unknown = sorted(set(chosen) - set(ALL))
    if unknown or not chosen or args.rounds < 1:
        parser.error(f"--only takes names from {','.join(ALL)} (got {', '.join(unknown) or 'none'}); --rounds at least 1")
    what = "all" if set(chosen) == set(ALL) else "-".join(chosen)
    started = datetime.datetime.now(datetime.timezone.utc)
    head = record.new_record(
        what, {"only": chosen, "rounds": args.rounds, "sample": args.sample, "dry_run": args.dry_run}, started
    )
    print(f"trustlab benchmarks on {os.cpu_count()} core(s); project {config.PROJECT_ROOT}; commit {head['commit']}")
    with tempfile.TemporaryDirectory(prefix="trustlab-bench-") as tmp_name:
        tmp = Path(tmp_name)
        benchmarks: dict[str, Callable[[], dict[str, Any]]] = {
            "cold": lambda: bench_cold(tmp, args.rounds),
            "warm": lambda: bench_warm(tmp, args.rounds),
            "sweep": lambda: bench_sweep(tmp, args.sample),
            "imports": lambda: bench_imports(args.rounds),
            "serve": lambda: bench_serve(tmp, args.rounds),
            "run": lambda: bench_run(tmp, args.rounds),
            "machinery": lambda: machinery.bench_machinery(tmp, args.rounds),
            "machinery_serve": lambda: machinery.bench_machinery_serve(tmp, args.rounds),
        }
        written: Path | None = None  # the record, rewritten as each benchmark ends: a stopped run keeps what it measured
        for name in chosen:
            if args.dry_run:
                result = {"description": "not measured (--dry-run)", "medians": {}, "ratios": {}, "targets": {}}
                if name == "machinery":
                    result.update(commands=machinery.commands(tmp), costs=machinery.costs())
            else:
                result = benchmarks[name]()
            head["benchmarks"][name] = result
            _print(name, result)
            head["machine"]["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
            head["ended_utc"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            if written is None:
                written = record.write(head, args.results)
            else:
                record.rewrite(head, written)
    print(f"\nwritten: {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
