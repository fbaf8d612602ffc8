"""Sweeps: grid expansion and checks, a Dask sweep on a LocalCluster, and run diffs."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from trustlab.runner import compare, sites, sweep
from trustlab.runner.notebook import Notebook
from trustlab.runner.params import ParameterError

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
DEMO = FIXTURES / "90_demo.py"
DATA_NOTEBOOK = Path(__file__).parent / "fixtures" / "data_notebook" / "91_data.py"  # reads data/facts.csv of its project
PROJECT = Path(__file__).resolve().parents[2]


def test_grid_expands_every_combination_then_listed_points(tmp_path):
    grid = tmp_path / "g.yaml"
    grid.write_text("grid:\n  x: [1, 2]\n  label: [a, b]\nfixed:\n  fail: false\npoints:\n  - {x: 9}\n")
    points = sweep.load_grid(grid)
    assert points == [
        {"fail": False, "x": 1, "label": "a"},
        {"fail": False, "x": 1, "label": "b"},
        {"fail": False, "x": 2, "label": "a"},
        {"fail": False, "x": 2, "label": "b"},
        {"fail": False, "x": 9},
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("grid: [1, 2\n", "malformed YAML"),
        ("x: [1]\n", "expected a mapping with 'grid' and/or 'points'"),
        ("grid:\n  x: 3\n", "grid entry 'x' must be a non-empty list of values, got 3"),
        ("grid:\n  x: [1]\nextra: 1\n", "unknown key(s) ['extra']"),
        ("points:\n  - 5\n", "points[0] must be a mapping of parameter values, got 5"),
    ],
)
def test_bad_grid_files_are_rejected(tmp_path, text, message):
    grid = tmp_path / "bad.yaml"
    grid.write_text(text)
    with pytest.raises(ParameterError) as info:
        sweep.load_grid(grid)
    assert message in str(info.value) and str(grid) in str(info.value)


def test_every_point_is_checked_before_anything_runs():
    with pytest.raises(ParameterError, match=r"sweep point 1 \{'x': -1\}: parameter 'x': expected > 0"):
        sweep.resolve_points(Notebook.load(DEMO), [{"x": 1}, {"x": -1}])


def _fetch(url: str) -> tuple[int, str]:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:  # a local address: the sweep's own dashboard
        return response.status, response.read(2000).decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.kernel
def test_notebook_sweep_on_a_local_dask_cluster(tmp_path):
    resolved = sweep.resolve_points(Notebook.load(DEMO), [{"x": 1, "label": "007"}, {"x": 2.5}])
    progress = []
    dashboard = []

    def on_cluster(line: str) -> None:  # while the cluster is up: its dashboard answers at the link
        link = line.removeprefix("Dask dashboard: ")
        dashboard.append((line, link, *_fetch(link)) if link != line else (line,))

    table = sweep.run_notebooks(
        Notebook.load(DEMO),
        resolved,
        tmp_path / "sweep",
        workers=2,
        on_cluster=on_cluster,
        on_point=lambda i, done, total, outcome: progress.append((i, done, total, outcome["status"])),
    )
    [(line, link, status, page)] = dashboard
    assert link.startswith("http://127.0.0.1:") and link.endswith("/status"), line
    assert status == 200 and "Dask" in page
    assert sorted(point for point, *_ in progress) == [0, 1]  # in the order they finish
    assert [(done, total, status) for _, done, total, status in progress] == [(1, 2, "ok"), (2, 2, "ok")]
    assert list(table["status"]) == ["ok", "ok"]
    assert list(table["result.double"]) == [2.0, 5.0]
    assert list(table["param.label"]) == ["007", "abc"]
    csv, parquet = tmp_path / "sweep" / "sweep.csv", tmp_path / "sweep" / "sweep.parquet"  # written by the sweep
    assert pd.read_parquet(parquet)["result.double"].tolist() == [2.0, 5.0]
    assert pd.read_csv(csv, dtype={"param.label": str})["param.label"].tolist() == ["007", "abc"]
    for i in range(2):
        assert (tmp_path / "sweep" / f"point-{i:04d}" / "results.json").exists()
    assert sites.read_manifest(tmp_path / "sweep", sites.RUN_MANIFEST)["kind"] == "sweep"
    assert sites.read_manifest(tmp_path / "sweep" / "point-0000", sites.RUN_MANIFEST)["notebook"] == "90_demo"
    assert [p.name for p in tmp_path.iterdir()] == ["sweep"], "a staging folder was left behind"


def test_diff_lists_changed_parameters_and_results(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "results.json").write_text(json.dumps({"parameters": {"x": 1, "y": 2}, "results": {"r": {"v": 1}, "s": 3}}))
    (b / "results.json").write_text(json.dumps({"parameters": {"x": 1, "y": 5}, "results": {"r": {"v": 2}, "s": 3}}))
    table = compare.diff_runs(a, b)
    assert table.to_dict(orient="records") == [
        {"kind": "parameter", "name": "y", "a": 2, "b": 5},
        {"kind": "result", "name": "r.v", "a": 1, "b": 2},
    ]
    with pytest.raises(ParameterError, match="no results.json there"):
        compare.diff_runs(a, tmp_path / "missing")


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("null", 'expected a JSON object with "parameters" and "results" mappings, got null'),
        ("[1, 2]", 'expected a JSON object with "parameters" and "results" mappings, got a list'),
        ('{"parameters": {}, "results": "x"}', "'results' is the string \"x\"; expected a JSON object"),
        ('{"parameters": [], "results": {}}', "'parameters' is a list; expected a JSON object"),
        ('{"results": {}}', "'parameters' is missing; expected a JSON object"),
    ],
)
def test_diff_of_a_file_that_is_not_a_run_record_names_it_and_what_is_wrong(cli, tmp_path, text, wrong):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps({"parameters": {"x": 1}, "results": {}}))
    bad.write_text(text)
    for a, b in ((good, bad), (bad, good)):
        proc = cli("diff", str(a), str(b))
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert proc.stderr.startswith(f"trustlab: error: {bad}: not a run record: {wrong}"), proc.stderr
        assert "Traceback" not in proc.stderr and "unexpected" not in proc.stderr and len(proc.stderr.splitlines()) == 1


@pytest.mark.kernel
def test_fast_sweep_equals_the_notebook_runs_at_sampled_points(tmp_path, smoke_build):
    """The analysis function and the notebook agree exactly on every recorded result: at the smoke
    point (the notebook as the session's smoke build ran it) and at a point off it (run here)."""

    name = "03_pricing_positioning"
    base = Notebook.load(name).resolve(files=[Notebook.load(name).scenario_path("smoke")])
    points = sweep.resolve_points(
        Notebook.load(name),
        [
            {**base, "redemption_rate": 0.15, "seed": 11},
            base,
        ],
    )
    fast = sweep.run_fast(Notebook.load(name), points)
    swept = sweep.run_notebooks(Notebook.load(name), points[:1], tmp_path / "sweep", workers=1)
    built = json.loads((smoke_build.site / f"{name}--smoke" / "results.json").read_text())
    assert built["parameters"] == base
    slow = pd.concat([swept, pd.DataFrame([sweep.row(1, base, built["results"], "ok", 0.0)])], ignore_index=True)
    assert list(slow["status"]) == ["ok", "ok"]
    result_columns = sorted(c for c in slow.columns if c.startswith("result."))
    assert len(result_columns) >= 12
    assert set(result_columns) <= set(fast.columns), "the notebook records a result the fast path lacks"
    pd.testing.assert_frame_equal(fast[result_columns], slow[result_columns], check_exact=True)
    assert fast["result.recall_cost_b"].iloc[0] != fast["result.recall_cost_b"].iloc[1]


def test_fast_sweep_needs_a_declared_analysis_function():
    with pytest.raises(ParameterError, match="notebook 90_demo has no fast analysis function"):
        Notebook.load(DEMO).fast_function()


# ---------------------------------------------------------------- shared clusters


@pytest.fixture(scope="module")
def scheduler():
    """One in-process Dask cluster (two single-thread workers) shared by the tests of this module."""
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster:
        yield cluster.scheduler_address


def _smoke_points(seeds):

    smoke = Notebook.load("03_pricing_positioning").resolve(
        files=[Notebook.load("03_pricing_positioning").scenario_path("smoke")]
    )
    return sweep.resolve_points(Notebook.load("03_pricing_positioning"), [{**smoke, "seed": s} for s in seeds])


def _run_at_once(*calls):
    """Run the calls in threads at the same time; their return values, in order (errors re-raised)."""
    results: list = [None] * len(calls)
    errors: list = []
    start = threading.Barrier(len(calls))

    def work(i, call):
        try:
            start.wait(timeout=60)
            results[i] = call()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(thread.is_alive() for thread in threads), "a sweep never finished"
    if errors:
        raise errors[0]
    return results


@pytest.mark.slow
@pytest.mark.kernel
def test_two_notebook_sweeps_at_once_on_one_scheduler_each_get_their_own_results(tmp_path, scheduler):
    """Task keys are unique per sweep: the second sweep once got the first one's results under its own parameters."""
    points_a = sweep.resolve_points(Notebook.load(DEMO), [{"x": 1, "label": "a"}, {"x": 2, "label": "a"}])
    points_b = sweep.resolve_points(
        Notebook.load(DEMO), [{"x": 30, "label": "b"}, {"x": 40, "label": "b"}, {"x": 50, "label": "b"}]
    )
    table_a, table_b = _run_at_once(
        lambda: sweep.run_notebooks(Notebook.load(DEMO), points_a, tmp_path / "a", scheduler=scheduler),
        lambda: sweep.run_notebooks(Notebook.load(DEMO), points_b, tmp_path / "b", scheduler=scheduler),
    )
    for table, out, points in ((table_a, tmp_path / "a", points_a), (table_b, tmp_path / "b", points_b)):
        assert list(table["point"]) == list(range(len(points)))
        assert list(table["status"]) == ["ok"] * len(points)
        assert list(table["param.x"]) == [p["x"] for p in points]
        assert list(table["result.double"]) == [2 * p["x"] for p in points]
        assert list(table["result.label"]) == [p["label"] for p in points]
        for i, point in enumerate(points):
            record = json.loads((out / f"point-{i:04d}" / "results.json").read_text())
            assert record["parameters"] == point and record["results"] == {"double": 2 * point["x"], "label": point["label"]}
        assert sorted(p.name for p in out.glob("point-*")) == [f"point-{i:04d}" for i in range(len(points))]


@pytest.mark.slow
def test_two_fast_sweeps_at_once_on_one_scheduler_each_get_their_own_results(scheduler):
    """Also: a point given twice in one sweep gets the same results twice (seed 1)."""
    points_a, points_b = _smoke_points([1, 2, 1]), _smoke_points([7, 8])
    table_a, table_b = _run_at_once(
        lambda: sweep.run_fast(Notebook.load("03_pricing_positioning"), points_a, scheduler=scheduler),
        lambda: sweep.run_fast(Notebook.load("03_pricing_positioning"), points_b, scheduler=scheduler),
    )
    for table, points in ((table_a, points_a), (table_b, points_b)):
        expected = sweep.run_fast(Notebook.load("03_pricing_positioning"), points, jobs=1)  # in this process, point by point
        assert list(table["param.seed"]) == [p["seed"] for p in points]
        pd.testing.assert_frame_equal(table.drop(columns="seconds"), expected.drop(columns="seconds"), check_exact=True)
    pd.testing.assert_series_equal(
        table_a.loc[0].filter(like="result."), table_a.loc[2].filter(like="result."), check_names=False
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_an_unreachable_scheduler_is_refused_before_anything_is_created(tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"
    out = tmp_path / "reports" / "sweep"
    message = f"cannot reach the Dask scheduler at {address} within 0.5 s"
    with pytest.raises(ParameterError, match=message):
        sweep.run_notebooks(
            Notebook.load(DEMO),
            sweep.resolve_points(Notebook.load(DEMO), [{"x": 1}]),
            out,
            scheduler=address,
            scheduler_timeout=0.5,
        )
    with pytest.raises(ParameterError, match=message):
        sweep.run_fast(Notebook.load("03_pricing_positioning"), _smoke_points([1]), scheduler=address, scheduler_timeout=0.5)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ParameterError, match=r"--scheduler 'nowhere': not a Dask scheduler address"):
        sweep.check_scheduler("nowhere")


@contextlib.contextmanager
def _dask_worker(address: str, cwd: Path, env: dict[str, str]):
    """A `dask worker` process of its own (no nanny), started in ``cwd``; stopped (only it) at the end."""
    from dask.distributed import Client

    cwd.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard"],
        cwd=cwd,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with Client(address, set_as_default=False) as client:
            deadline = time.monotonic() + 120
            while not client.scheduler_info(n_workers=-1)["workers"]:
                assert proc.poll() is None, f"the dask worker exited with code {proc.returncode}"
                assert time.monotonic() < deadline, "the dask worker never joined the scheduler"
                time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _bare_scheduler():
    from dask.distributed import LocalCluster

    # tcp, not the in-process transport: workers in other processes join it
    return LocalCluster(
        n_workers=0, processes=False, protocol="tcp://", host="127.0.0.1", dashboard_address=":0", silence_logs=logging.ERROR
    )


@pytest.mark.slow
@pytest.mark.kernel
def test_workers_need_not_share_the_clients_files(tmp_path):
    """A worker started elsewhere, whose trustlab finds no project (no data/, no notebooks/), runs
    the sweep on what the client sends it, in a temporary folder of its own, and returns the files."""
    elsewhere = tmp_path / "worker-machine"
    worker_tmp = elsewhere / "tmp"
    worker_tmp.mkdir(parents=True)
    empty_project = elsewhere / "no-project"
    empty_project.mkdir()
    env = {"TRUSTLAB_ROOT": str(empty_project), "TMPDIR": str(worker_tmp)}
    facts_rows = len(pd.read_csv(PROJECT / "data" / "facts.csv"))
    with _bare_scheduler() as cluster, _dask_worker(cluster.scheduler_address, elsewhere, env):
        points = sweep.resolve_points(Notebook.load(DATA_NOTEBOOK), [{"scale": 1.0}, {"scale": 2.0}])
        table = sweep.run_notebooks(
            Notebook.load(DATA_NOTEBOOK), points, tmp_path / "client" / "sweep", scheduler=cluster.scheduler_address
        )
        fast = sweep.run_fast(Notebook.load("03_pricing_positioning"), _smoke_points([4]), scheduler=cluster.scheduler_address)
    assert list(table["status"]) == ["ok", "ok"], table.to_dict(orient="records")
    assert list(table["result.facts_rows"]) == [facts_rows, 2 * facts_rows]
    for i in range(2):
        point = tmp_path / "client" / "sweep" / f"point-{i:04d}"
        assert {p.name for p in point.iterdir()} == {"91_data.ipynb", "91_data.html", "results.json", sites.RUN_MANIFEST}
        record = json.loads((point / "results.json").read_text())
        assert record["provenance"]["data_hashes"]["data/facts.csv"]  # the client's data, sent to the worker
    assert list(empty_project.iterdir()) == []
    assert list(worker_tmp.glob("trustlab-sweep-point-*")) == [], "the worker left its temporary folder"
    pd.testing.assert_frame_equal(
        fast.drop(columns="seconds"),
        sweep.run_fast(Notebook.load("03_pricing_positioning"), _smoke_points([4]), jobs=1).drop(columns="seconds"),
    )


def _other_trustlab(lib: Path) -> None:
    """A copy of this trustlab whose version says 0.0.9."""
    shutil.copytree(PROJECT / "lib" / "trustlab", lib / "trustlab", ignore=shutil.ignore_patterns("__pycache__"))
    init = lib / "trustlab" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "0.1.0"', '__version__ = "0.0.9"'))


def _broken_trustlab(lib: Path) -> None:
    """A trustlab package that cannot be imported."""
    (lib / "trustlab").mkdir(parents=True)
    (lib / "trustlab" / "__init__.py").write_text("raise ImportError('this worker has no usable trustlab')\n")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("make_package", "expected"),
    [
        (
            _other_trustlab,
            ["run another trustlab than this client: worker tcp://", "trustlab 0.0.9 (this client: 0.1.0)", "trustlab code "],
        ),
        (_broken_trustlab, ["cannot run trustlab (", "install this trustlab on every worker"]),
    ],
)
def test_a_worker_running_another_trustlab_is_refused_before_anything_is_created(tmp_path, make_package, expected):
    other = tmp_path / "other" / "lib"
    make_package(other)
    out = tmp_path / "client" / "sweep"
    with _bare_scheduler() as cluster, _dask_worker(cluster.scheduler_address, tmp_path / "other", {"PYTHONPATH": str(other)}):
        with pytest.raises(ParameterError) as info:
            sweep.run_notebooks(
                Notebook.load(DEMO),
                sweep.resolve_points(Notebook.load(DEMO), [{"x": 1}]),
                out,
                scheduler=cluster.scheduler_address,
            )
    message = str(info.value)
    assert message.startswith(f"the Dask workers of {cluster.scheduler_address} ")
    for part in expected:
        assert part in message, message
    assert not out.parent.exists()


def test_identity_mismatches_name_each_worker_and_what_differs():
    mine = {"trustlab": "0.1.0", "trustlab code": "abc", "python": "3.11"}
    workers = {"tcp://b:1": dict(mine), "tcp://a:2": {**mine, "python": "3.12"}, "tcp://c:3": {"trustlab": "0.1.0"}}
    assert sweep.identity_mismatches(mine, workers) == [
        "worker tcp://a:2: python 3.12 (this client: 3.11)",
        "worker tcp://c:3: trustlab code unknown (this client: abc), python unknown (this client: 3.11)",
    ]


@pytest.mark.slow
@pytest.mark.kernel
def test_an_interrupted_sweep_leaves_the_earlier_sweep_folder_as_it_was(tmp_path, scheduler, monkeypatch):
    site = sites.open_site(tmp_path / "site")
    out = site / "sweeps" / "demo"
    earlier = pd.DataFrame([{"point": 0, "status": "ok", "seconds": 0.1, "param.x": 9.0, "result.double": 18.0}])
    sweep.save_sweep(earlier, out, "90_demo")
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert set(before) == {"sweep.csv", "sweep.parquet", sites.RUN_MANIFEST}
    assert sites.recorded_sweeps(site) == ["sweeps/demo"]

    written = []
    real_write_point = sweep._write_point

    def interrupt_after_one(folder, files, name):
        if written:
            raise KeyboardInterrupt  # as Ctrl-C while the second point comes back
        real_write_point(folder, files, name)
        written.append(folder)

    monkeypatch.setattr(sweep, "_write_point", interrupt_after_one)
    with pytest.raises(KeyboardInterrupt):
        sweep.run_notebooks(
            Notebook.load(DEMO), sweep.resolve_points(Notebook.load(DEMO), [{"x": 1}, {"x": 2}]), out, scheduler=scheduler
        )
    assert written, "the first point was never written"
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["demo"], "a staging folder was left behind"

    monkeypatch.setattr(sweep, "_write_point", real_write_point)
    table = sweep.run_notebooks(
        Notebook.load(DEMO),
        sweep.resolve_points(Notebook.load(DEMO), [{"x": 1}, {"x": 2, "fail": True}]),
        out,
        scheduler=scheduler,
    )
    assert list(table["status"]) == ["ok", "failed"]
    assert pd.read_csv(out / "sweep.csv")["status"].tolist() == ["ok", "failed"]  # replaced whole, now
    assert json.loads((out / "point-0001" / "results.json").read_text())["provenance"]["status"] == "failed"
    assert (out / "point-0001" / "error.txt").exists()
    assert sites.recorded_runs(site) == {"sweeps/demo/point-0000": "sweep demo", "sweeps/demo/point-0001": "sweep demo"}
    sites.check_run_folder(out)  # the manifest lists every file the sweep wrote


@pytest.mark.slow
def test_the_dashboard_line_says_why_there_is_no_link(scheduler, monkeypatch):
    """An existing scheduler started without a dashboard, and a machine without bokeh."""
    from dask.distributed import Client

    with Client(scheduler, set_as_default=False) as client:
        assert sweep.dashboard_line(client, scheduler) == f"no Dask dashboard: the Dask scheduler at {scheduler} serves none"
        import importlib.util

        real = importlib.util.find_spec
        monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "bokeh" else real(name, *a))
        line = sweep.dashboard_line(client, scheduler)
    assert line.startswith(
        f"no Dask dashboard: it needs the bokeh package, which the Dask scheduler at {scheduler} does not have"
    )


@pytest.mark.slow
@pytest.mark.kernel
def test_the_sweep_command_prints_the_dashboard_link(tmp_path):
    grid = tmp_path / "grid.yaml"
    grid.write_text("points:\n  - {x: 1}\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "trustlab.runner.cli",
            "sweep",
            str(DEMO),
            "--grid",
            str(grid),
            "--out",
            str(tmp_path / "sweep"),
            "--jobs",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stderr.splitlines()
    started = next(i for i, line in enumerate(lines) if line.startswith("sweeping 90_demo"))
    assert lines[started + 1].startswith("Dask dashboard: http://127.0.0.1:"), proc.stderr[-2000:]
    assert lines[started + 2].startswith("[1/1] point-0000: ok")
