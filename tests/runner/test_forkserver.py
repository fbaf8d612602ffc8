"""Builds fork their runs and kernels from one process that imported the libraries once
(`trustlab.runner.forkserver`): the kernel a notebook finds must be the one a new interpreter gives it, and
failures, timeouts, interrupts and deaths must end as they do without the fork server.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from cli_process import trustlab
from trustlab.runner import runs
from trustlab.runner.commands import common
from trustlab.runner.forkserver import ForkServerError
from trustlab.runner.notebook import resolve_run

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

FIXTURES = Path(__file__).parent / "fixtures"
DEMO = FIXTURES / "notebooks" / "90_demo.py"
KERNEL_STATE = FIXTURES / "kernel_state" / "91_kernel_state.py"
HOLD = FIXTURES / "interrupt" / "notebooks" / "92_hold.py"  # writes its marker in a cell, then holds there
MARKER = "TRUSTLAB_TEST_MARKER"


def processes_marked(marker: str) -> list[int]:
    """Live processes started with ``MARKER=marker`` in their environment (zombies have none)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environment = (entry / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if f"{MARKER}={marker}".encode() in environment:
                found.append(int(entry.name))
    return found


def wait_until_gone(marker: str, seconds: float = 20) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := processes_marked(marker)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.fixture
def marker(monkeypatch) -> str:
    """Marks every process a test starts (fork server, runs, kernels) to find stragglers."""
    value = uuid.uuid4().hex
    monkeypatch.setenv(MARKER, value)
    return value


def planned(source: Path, out: Path, *, site: Path | None = None, **cli: str) -> runs.PlannedRun:
    run = resolve_run(source, cli=cli)
    return runs.PlannedRun(run, out, runs.cache_key(run.notebook, run.values), "forced", site=site)


def test_a_forked_kernel_finds_what_a_new_kernel_finds(tmp_path):
    fresh = runs.run_notebook(resolve_run(KERNEL_STATE), tmp_path / "fresh")
    [forked] = runs.build([planned(KERNEL_STATE, tmp_path / "forked")], fork_server=True)
    assert fresh.status == forked.status == "ok", fresh.error + forked.error
    assert_same_kernel_state(fresh.results, forked.results, tmp_path / "fresh", tmp_path / "forked")


def assert_same_kernel_state(fresh: dict, forked: dict, fresh_dir: Path, forked_dir: Path) -> None:
    """The kernel-state notebook's records and figure of a new and of a forked kernel agree."""
    assert (fresh.pop("forked_from_server"), forked.pop("forked_from_server")) == (False, True), (
        "not compared with a forked kernel"
    )
    # pandas options (with their defaults), matplotlib backend and rc settings, history file,
    # kernel arguments, sys.path, working directory and environment.
    assert set(fresh) == set(forked)
    for name, value in fresh.items():
        assert forked[name] == value, f"{name} differs in a forked kernel"
    import nbformat

    figure_outputs = [
        nbformat.read(folder / "91_kernel_state.ipynb", as_version=4).cells[-1].outputs for folder in (fresh_dir, forked_dir)
    ]
    assert [[sorted(o.get("data", {})) for o in outputs] for outputs in figure_outputs] == [
        [["text/plain"], ["image/png", "text/plain"]]
    ] * 2, "the inline figure is missing"


def test_trustlab_run_forks_a_kernel_that_finds_what_a_new_one_finds(tmp_path, marker):
    folders = {"forked": tmp_path / "forked", "fresh": tmp_path / "fresh"}
    recorded = {}
    for kind, folder in folders.items():
        options = ["--no-fork-server"] if kind == "fresh" else []
        proc = trustlab("run", str(KERNEL_STATE), "--out", str(folder), "--json", *options, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "new interpreter instead" not in proc.stderr
        recorded[kind] = json.loads(proc.stdout)["results"]
    assert_same_kernel_state(recorded["fresh"], recorded["forked"], folders["fresh"], folders["forked"])
    assert wait_until_gone(marker) == [], "the fork server, the run or its kernel outlived the command"


def test_a_refused_run_stops_its_fork_server_at_once(tmp_path, marker):
    proc = trustlab("run", str(DEMO), "-p", "x", "three", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 2 and "'x'" in proc.stderr, proc.stderr
    assert wait_until_gone(marker, seconds=5) == [], "the fork server outlived a refused run"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", [nb.stem for nb in runs.notebooks()])
def test_trustlab_run_shows_the_same_outputs_forked_or_not(tmp_path, name, fresh_smoke_build):
    """Every notebook's smoke scenario through `trustlab run`, whose fork server preloads only
    what that notebook imports, shows what the session's build with every run a new interpreter
    (``--no-fork-server``, conftest.fresh_smoke_build) shows."""
    import nbformat

    out = tmp_path / "forked"
    proc = trustlab("run", name, "--scenario", "smoke", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "new interpreter instead" not in proc.stderr
    fresh = fresh_smoke_build.site / f"{name}--smoke"
    records = {kind: json.loads((folder / "results.json").read_text()) for kind, folder in (("forked", out), ("fresh", fresh))}
    outputs = {
        kind: [
            cell.get("outputs") for cell in runs.sanitize_notebook(nbformat.read(folder / f"{name}.ipynb", as_version=4)).cells
        ]
        for kind, folder in (("forked", out), ("fresh", fresh))
    }
    assert records["forked"]["changed_parameters"] == records["fresh"]["changed_parameters"]
    assert records["forked"]["results"] == records["fresh"]["results"]
    assert outputs["forked"] == outputs["fresh"], f"{name} shows other outputs when its kernel is not forked"


TIMEOUT_SECONDS = 15  # a guard the sleeping run (120 s) runs into, not a bound on how fast anything runs


def test_failures_and_timeouts_end_as_without_the_fork_server(tmp_path, marker):
    reports = tmp_path / "reports"
    good = planned(DEMO, reports / "good", site=reports, x="3")
    failing = planned(DEMO, reports / "failing", site=reports, fail="true")
    sleeping = planned(DEMO, reports / "sleeping", site=reports, sleep_seconds="120")
    # One fork server for both builds: the good and the failing run under the default timeout (no
    # run may time out however busy the machine), the sleeping one under a short one it must reach
    # its sleeping cell within (started alone, it has both cores).
    server = runs.start_fork_server()
    try:
        outcomes = runs.build([good, failing], jobs=2, fork_server=server)
        outcomes += runs.build([sleeping], timeout=TIMEOUT_SECONDS, fork_server=server)
    finally:
        server.close()
    assert [o.status for o in outcomes] == ["ok", "failed", "timeout"], [o.error[-1500:] for o in outcomes]
    assert outcomes[0].results == {"double": 6.0, "label": "abc"}
    assert "the demo notebook was asked to fail" in outcomes[1].error
    assert 'id="failed-cell"' in (reports / "failed" / "failing" / "90_demo.html").read_text()
    assert f"timeout of {TIMEOUT_SECONDS} s" in outcomes[2].error
    # The timed-out run's notebook was saved when its last cell started: every earlier cell
    # completed, and the cell it was killed in marked as running.
    import nbformat

    cells = nbformat.read(reports / "failed" / "sleeping" / "90_demo.ipynb", as_version=4).cells
    statuses = [cell.metadata.papermill["status"] for cell in cells]
    running = statuses.index("running")
    assert "time.sleep(sleep_seconds)" in cells[running].source
    assert statuses[:running] == ["completed"] * running and running > 2, statuses
    assert not (reports / "failing").exists() and not (reports / "sleeping").exists()
    assert not list(reports.glob(".*.tmp-*")), "a staging folder was left behind"
    assert wait_until_gone(marker) == [], "the fork server, a run or a kernel outlived the build"


def test_a_fork_server_that_will_not_start_leaves_runs_to_new_interpreters(tmp_path, capsys):
    class BrokenServer:
        def wait_ready(self) -> None:
            raise ForkServerError("the fork server did not start (exit code 1)")

        def execute(self, *args):
            raise AssertionError("a broken server must not be used")

    [outcome] = runs.build([planned(DEMO, tmp_path / "out")], fork_server=BrokenServer())
    assert outcome.status == "ok", outcome.error
    assert "starting each run as a new interpreter instead" in capsys.readouterr().err


def test_runs_die_with_their_fork_server_which_the_failure_names(tmp_path, marker, capsys):
    import threading

    reached = tmp_path / "reached"
    server = runs.start_fork_server()
    try:
        server.wait_ready()
        # The run holds in its kernel's cell while the server is killed on its own.
        killed = threading.Event()

        def kill_once_the_cell_holds() -> None:
            deadline = time.monotonic() + 120
            while not reached.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            if reached.exists():
                os.kill(server._proc.pid, signal.SIGKILL)
                killed.set()

        killer = threading.Thread(target=kill_once_the_cell_holds)
        killer.start()
        # One run at a time: the second starts after the server died, as a new interpreter.
        outcome, after = runs.build(
            [planned(HOLD, tmp_path / "out", marker=str(reached), hold_seconds="120"), planned(DEMO, tmp_path / "after")],
            fork_server=server,
            timeout=100,
            jobs=1,
        )
        killer.join()
    finally:
        server.close()
    assert killed.is_set(), "the run's cell never started holding"
    # The first line says what happened (the summary shows it); the kernel's warnings may follow, below it.
    what = f"the fork server (pid {server._proc.pid}) died unexpectedly (killed by SIGKILL) while running 92_hold"
    assert outcome.status == "failed" and outcome.error.splitlines()[0] == what, outcome.error
    assert f"FAILED 92_hold: {what}\n" in common.summary([outcome]) + "\n"
    assert after.status == "ok", after.error
    assert "starting each further run as a new interpreter" in capsys.readouterr().err
    assert wait_until_gone(marker) == [], "a run or its kernel outlived the fork server"


def _project_copy(root: Path, reached: Path) -> dict[str, str]:
    """A project holding only the hold notebook, for the command line: its `hold` scenario creates
    ``reached`` from inside the cell, then holds there."""
    shutil.copytree(HOLD.parent, root / "notebooks")
    (root / "notebooks" / "params" / "92_hold.hold.yaml").write_text(f"marker: {str(reached)!r}\nhold_seconds: 120\n")
    (root / "data").mkdir()
    return {**os.environ, "TRUSTLAB_ROOT": str(root)}


STOP_GUARD_SECONDS = 90  # a guard against a hang, well short of the runs' 120 s hold


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_a_stopped_build_stops_its_runs_and_writes_no_report(tmp_path, marker, sig):
    from conftest import wait_until

    reached = tmp_path / "reached"
    env = _project_copy(tmp_path, reached)
    proc = subprocess.Popen(
        [sys.executable, "-m", "trustlab.runner.cli", "build", "--scenario", "hold"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    reports = tmp_path / "reports"
    wait_until(reached.exists, 240, "the kernel never entered the holding cell", alive=lambda: proc.poll() is None)
    os.kill(proc.pid, getattr(signal, sig))
    try:  # the runs hold for 120 s: a build that waited for them instead of stopping them would still be running
        _, err = proc.communicate(timeout=STOP_GUARD_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"the build did not stop within {STOP_GUARD_SECONDS} s: it waited for its runs instead of stopping them")
    assert wait_until_gone(marker) == [], "the fork server, a run or a kernel outlived the build"
    assert not (reports / "92_hold--hold").exists() and not (reports / "failed").exists()
    if sig == "SIGKILL":  # a killed build cannot clean up after itself: the next run into the place does
        assert runs.remove_abandoned_staging(reports / "92_hold--hold"), "no staging folder to clean"
    else:
        assert proc.returncode == 130, err
        assert "interrupted; no report was half-written" in err
    assert [p.name for p in reports.iterdir()] == [".trustlab-site.json"], "a staging folder was left behind"
