"""Benchmarks of the runner, each printing the ratio it measured in this one run.

1. Cold build of every notebook (`trustlab build --force`, parallel) against the same notebooks run
   one after another with the plain `papermill` command line. Target: at least 1.7x faster. Also
   timed: the same build with `--no-fork-server`, to show what the fork server contributes.
2. Warm build with nothing changed (`trustlab build`, every run a cache hit). Target: under 1 s.
3. A 1,000-point sweep of the pricing analysis with `--fast` against the per-notebook path,
   extrapolated from a sample of notebook runs on the same local Dask cluster. Target: 500x.
4. Each notebook's import cell (its parameters cell, then the cell of imports, in a fresh
   interpreter) as it is, against the same cell with what the analysis modules used to import when
   they were imported (pandera, scipy.stats, statsmodels' power and proportion tests, seaborn)
   loaded first. CPU seconds (user + system) of the interpreter, which other work on a shared
   machine disturbs less than wall time; best of three runs each. Target: at least 1.1x less CPU.
5. `trustlab serve` (``--only serve``, not in the default set): the complete HTML report of each
   notebook through the explorer with its workers warm, from the request with one changed
   parameter (``POST /api/runs``, waiting) to the report page fetched, the default run already
   made. Target: under 5 s per notebook on 2 cores.

6. A changed-parameter run of each notebook (one numeric parameter changed, `CHANGED_RUN`) with
   `trustlab run` (its fork server started at once, the run and kernel forked from it) against the
   stock commands on the same notebook and parameters: `papermill -p NAME VALUE` then
   `jupyter nbconvert --to html`. The two are alternated (A, B, A, B...) so that other work on the
   machine weighs on both alike; wall seconds, median of the repeats, and CPU seconds of each
   command with its children. Also timed: `trustlab run --no-fork-server` (a new interpreter for
   the run and for its kernel), to show what the fork server contributes. Target: at least 3x faster.

Usage: python -m bench [--only cold,warm,sweep,imports,serve,run] [--sample N] [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat
import yaml
from trustlab import config
from trustlab.runner import runs

BIN = Path(sys.executable).parent


def _timed(cmd: list[str], **kwargs) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - t0


def bench_cold(tmp: Path) -> dict[str, float]:
    inputs = []
    for source in runs.notebooks():
        path = tmp / f"{source.stem}.ipynb"
        nbformat.write(jupytext.read(source), path)
        inputs.append(path)
    sequential = sum(
        _timed([str(BIN / "papermill"), str(p), str(tmp / f"{p.stem}.out.ipynb"), "-k", runs.kernel_name(), "--cwd", str(tmp)])
        for p in inputs
    )
    build = _timed([str(BIN / "trustlab"), "build", "--force", "--out", str(tmp / "site")])
    # The same build with every run and kernel started as a new interpreter: what the fork server gives.
    plain = _timed([str(BIN / "trustlab"), "build", "--force", "--no-fork-server", "--out", str(tmp / "site-plain")])
    return {
        "papermill sequential s": sequential,
        "trustlab build s": build,
        "ratio": sequential / build,
        "target": 1.7,
        "trustlab build --no-fork-server s": plain,
        "ratio without the fork server": sequential / plain,
    }


def bench_warm(tmp: Path) -> dict[str, float]:
    site = tmp / "site"
    if not (site / "index.html").exists():
        subprocess.run([str(BIN / "trustlab"), "build", "--out", str(site)], check=True, stdout=subprocess.DEVNULL)
    warm = min(_timed([str(BIN / "trustlab"), "build", "--out", str(site)]) for _ in range(3))
    return {"warm build s": warm, "target s": 1.0, "ratio (target / measured)": 1.0 / warm}


def bench_sweep(tmp: Path, sample: int) -> dict[str, float]:
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
    import logging

    from dask.distributed import LocalCluster

    workers = os.cpu_count() or 1
    # The cluster is started before the clock: a 1,000-point sweep would pay its start-up once.
    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        t0 = time.perf_counter()
        sample_table = sweep.run_notebooks(pricing, points[:sample], tmp / "sample", scheduler=cluster.scheduler_address)
        sample_seconds = time.perf_counter() - t0
    assert (sample_table["status"] == "ok").all()
    extrapolated = sample_seconds / sample * len(points)
    return {
        "fast sweep s (1,000 points)": fast,
        f"notebook sample s ({sample} points, {workers} workers)": sample_seconds,
        "notebook path extrapolated s": extrapolated,
        "ratio": extrapolated / fast,
        "target": 500,
    }


# What the analysis modules imported at module level before they imported it where used.
EAGER_IMPORTS = "import pandera.pandas, scipy.stats, statsmodels.stats.power, statsmodels.stats.proportion, seaborn\n"


def import_cell(source: Path) -> str:
    """The parameters cell and the cell after it (the imports) of a notebook source, as one script."""
    cells = [c for c in jupytext.read(source).cells if c.cell_type == "code"]
    at = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    return cells[at].source + "\n" + cells[at + 1].source + "\n"


def cpu_seconds(cmd: list[str], **kwargs) -> float:
    """User + system CPU seconds of a command run to completion."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return usage.ru_utime + usage.ru_stime


def bench_imports(repeats: int = 3) -> dict[str, float]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    figures: dict[str, float] = {}
    lazy_total = eager_total = 0.0
    for source in runs.notebooks():
        cell = import_cell(source)
        lazy = min(cpu_seconds([sys.executable, "-c", cell], env=env) for _ in range(repeats))
        eager = min(cpu_seconds([sys.executable, "-c", EAGER_IMPORTS + cell], env=env) for _ in range(repeats))
        figures[f"{source.stem} import cell CPU s"] = lazy
        figures[f"{source.stem} with eager imports CPU s"] = eager
        lazy_total, eager_total = lazy_total + lazy, eager_total + eager
    figures.update({"ratio (eager / as is, all notebooks)": eager_total / lazy_total, "target": 1.1})
    return figures


SERVE_CHANGES = {  # one changed parameter per notebook (03's is the issue's "what if the promo price were 499?")
    "00_source_facts": {"max_rows_per_topic": "10"},
    "01_governance": {"alpha": "0.01"},
    "02_promotion_growth": {"gmv_growth": "4.0"},
    "03_pricing_positioning": {"promo_price": "499"},
}


def _cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and of its children it has waited for (user + system, /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def bench_serve(tmp: Path) -> dict[str, float]:
    from starlette.testclient import TestClient
    from trustlab.runner.explorer import Explorer
    from trustlab.runner.serve import create_app

    explorer = Explorer(tmp / "serve-site", runs.notebooks(), workers=2)
    figures: dict[str, float] = {}
    try:
        client = TestClient(create_app(explorer), base_url="http://127.0.0.1")
        t0 = time.perf_counter()
        explorer.warm_up()
        figures["fork server warm-up s (once, at start)"] = time.perf_counter() - t0
        for source in runs.notebooks():  # the default runs to compare with (not timed)
            explorer.baseline(explorer.notebook(source.stem)).done.wait()
        for source in runs.notebooks():
            change = SERVE_CHANGES.get(source.stem, {})
            server = explorer.status()["fork_server_pid"]
            t0, cpu0 = time.perf_counter(), _cpu_seconds(server) + sum(os.times()[:2])
            record = client.post("/api/runs", json={"notebook": source.stem, "parameters": change}).json()
            page = client.get(record["report_url"]) if record.get("report_url") else None
            seconds = time.perf_counter() - t0
            # CPU of the request: the explorer's process, and the run with its kernel (reaped by the
            # fork server): what the wall time would be with a core to spare on a quiet machine.
            figures[f"{source.stem} CPU s"] = _cpu_seconds(server) + sum(os.times()[:2]) - cpu0
            if record["status"] != "ok" or page is None or page.status_code != 200 or "trustlab-provenance" not in page.text:
                raise RuntimeError(f"{source.stem}: the explorer's run did not give a report: {record.get('error')}")
            figures[f"{source.stem} {change} s"] = seconds
    finally:
        explorer.close()
    worst = max(v for k, v in figures.items() if k[:2].isdigit() and not k.endswith("CPU s"))
    figures["load average (1 min) at the end"] = os.getloadavg()[0]
    figures.update({"slowest notebook s": worst, "target s": 5.0, "ratio (target / slowest)": 5.0 / worst})
    return figures


# One numeric parameter changed per notebook, within its contract.
CHANGED_RUN = {
    "00_source_facts": ("max_rows_per_topic", "20"),
    "01_governance": ("alpha", "0.01"),
    "02_promotion_growth": ("alpha", "0.2"),
    "03_pricing_positioning": ("promo_price", "499"),
}


def timed_with_cpu(cmd: list[str], **kwargs) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, with the children it waited for) of a command."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, **kwargs)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status):
        raise subprocess.CalledProcessError(os.waitstatus_to_exitcode(status), cmd)
    return wall, usage.ru_utime + usage.ru_stime


def bench_run(tmp: Path, repeats: int) -> dict[str, float]:
    import statistics

    figures: dict[str, float] = {}
    ratios = []
    for source in runs.notebooks():
        name, value = CHANGED_RUN[source.stem]
        notebook = tmp / f"{source.stem}.ipynb"
        nbformat.write(jupytext.read(source), notebook)
        trustlab_cmd = [str(BIN / "trustlab"), "run", source.stem, "-p", name, value]
        stock_out = tmp / f"{source.stem}.stock.ipynb"
        papermill_cmd = [
            str(BIN / "papermill"),
            str(notebook),
            str(stock_out),
            "-k",
            runs.kernel_name(),
            "-p",
            name,
            value,
            "--cwd",
            str(tmp),
        ]
        nbconvert_cmd = [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(stock_out)]
        ours, stock, plain = [], [], []
        for i in range(repeats):
            ours.append(timed_with_cpu([*trustlab_cmd, "--out", str(tmp / "runs" / f"{source.stem}-{i}")]))
            plain.append(timed_with_cpu([*trustlab_cmd, "--no-fork-server", "--out", str(tmp / "plain" / f"{source.stem}-{i}")]))
            executed = timed_with_cpu(papermill_cmd)
            rendered = timed_with_cpu(nbconvert_cmd)
            stock.append((executed[0] + rendered[0], executed[1] + rendered[1]))
        wall_ours = statistics.median(w for w, _ in ours)
        wall_stock = statistics.median(w for w, _ in stock)
        figures[f"{source.stem} trustlab run s"] = wall_ours
        figures[f"{source.stem} papermill + nbconvert s"] = wall_stock
        figures[f"{source.stem} ratio"] = wall_stock / wall_ours
        figures[f"{source.stem} trustlab run --no-fork-server s"] = statistics.median(w for w, _ in plain)
        figures[f"{source.stem} CPU s, trustlab run"] = statistics.median(c for _, c in ours)
        figures[f"{source.stem} CPU s, stock"] = statistics.median(c for _, c in stock)
        ratios.append(wall_stock / wall_ours)
    figures.update({"lowest ratio": min(ratios), "target": 3.0})
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="cold,warm,sweep,imports,run")
    parser.add_argument("--sample", type=int, default=4, help="notebook runs sampled for the sweep extrapolation")
    parser.add_argument("--repeats", type=int, default=3, help="alternated repeats of each changed-parameter run")
    args = parser.parse_args()
    chosen = args.only.split(",")
    print(f"trustlab benchmarks on {os.cpu_count()} core(s); project {config.PROJECT_ROOT}")
    with tempfile.TemporaryDirectory(prefix="trustlab-bench-") as tmp:
        tmp = Path(tmp)
        for name, func in (
            ("cold", lambda: bench_cold(tmp)),
            ("warm", lambda: bench_warm(tmp)),
            ("sweep", lambda: bench_sweep(tmp, args.sample)),
            ("imports", bench_imports),
            ("serve", lambda: bench_serve(tmp)),
            ("run", lambda: bench_run(tmp, args.repeats)),
        ):
            if name in chosen:
                figures = func()
                print(f"\n[{name}]")
                for key, value in figures.items():
                    print(f"  {key:<48} {value:,.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
