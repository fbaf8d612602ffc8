"""SIGINT or SIGTERM stops `trustlab build`, `run` (forked or not) and `sweep` at any moment: exit code 130, the
message "interrupted", no report moved into place (the one already there untouched), no staging
folder and no process left (fork server, run processes, kernels, Dask workers).

Each test starts the command in its own session, waits until it has reached a moment (a marker
file written by the notebook's cell, or by the hooks of fixtures/interrupt/hooks/sitecustomize.py),
records the command's descendants from its pid, signals that pid, and checks what is left.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from trustlab.runner import sites

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

FIXTURES = Path(__file__).parent / "fixtures" / "interrupt"
HOOKS = FIXTURES / "hooks"
NOTEBOOK = "92_hold"
REACH_SECONDS = 240  # to reach a moment: the fork server, a kernel or a Dask cluster start on a busy machine
STOP_SECONDS = 60  # a guard only: the command exits or the test fails instead of hanging


# ---------------------------------------------------------------- processes, from /proc


def _start_time(pid: int) -> str | None:
    """The start time of a live process (its identity with its pid), None if gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return None if fields[0] in ("Z", "X") else fields[19]


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid`` (children, theirs...), with its start time."""
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                pids = [int(p) for p in children.read_text().split()]
            except OSError:
                continue
            for child in pids:
                started = _start_time(child)
                if child not in found and started is not None:
                    found[child] = started
                    todo.append(child)
    return found


def still_alive(recorded: dict[int, str], seconds: float = 20) -> list[int]:
    """The recorded processes still alive once ``seconds`` have passed (or none are)."""
    deadline = time.monotonic() + seconds
    while True:
        alive = [pid for pid, started in recorded.items() if _start_time(pid) == started]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def describe(pids: list[int]) -> list[str]:
    out = []
    for pid in pids:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            out.append(f"{pid}: {command[:150]}")
        except OSError:
            out.append(f"{pid}: gone")
    return out


# ---------------------------------------------------------------- project, command, moments


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder`` with its content (None for folders)."""
    return {p.relative_to(folder).as_posix(): None if p.is_dir() else p.read_bytes() for p in sorted(folder.rglob("*"))}


def existing_report(folder: Path) -> None:
    """A report folder as an earlier run left it (trustlab's manifest lists its files)."""
    folder.mkdir(parents=True)
    (folder / f"{NOTEBOOK}.html").write_text("<p>the report already there</p>")
    (folder / f"{NOTEBOOK}.ipynb").write_text("{}")
    (folder / "results.json").write_text('{"notebook": "92_hold", "results": {"held": false}, "provenance": {}}')
    sites.mark_run(folder, NOTEBOOK)


class Project:
    """A copy of the project holding the hold notebook, and a command started on it."""

    def __init__(self, root: Path, moment: str) -> None:
        self.root = root
        self.marker = root / "reached"
        shutil.copytree(FIXTURES / "notebooks", root / "notebooks")
        (root / "data").mkdir()
        # For a build: the scenario "hold" holds in the cell only when that is the moment tested.
        hold = f"marker: {str(self.marker)!r}\n" if moment == "cell" else ""
        (root / "notebooks" / "params" / f"{NOTEBOOK}.hold.yaml").write_text(hold + "hold_seconds: 120\n")
        pythonpath = os.pathsep.join(p for p in (str(HOOKS), os.environ.get("PYTHONPATH")) if p)
        self.env = {**os.environ, "TRUSTLAB_ROOT": str(root), "PYTHONPATH": pythonpath}
        if moment != "cell":
            self.env.update(TRUSTLAB_TEST_HOLD=moment, TRUSTLAB_TEST_HOLD_MARKER=str(self.marker))
        self.stdout, self.stderr = root / "stdout.txt", root / "stderr.txt"

    def start(self, *args: str, ignore_sigint: bool = False) -> subprocess.Popen:
        def ignore() -> None:  # as a background job of a script inherits it
            signal.signal(signal.SIGINT, signal.SIG_IGN)

        with open(self.stdout, "w") as out, open(self.stderr, "w") as err:  # files: no pipe held open by a straggler
            return subprocess.Popen(
                [sys.executable, "-m", "trustlab.runner.cli", *args],
                env=self.env,
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
                preexec_fn=ignore if ignore_sigint else None,
            )

    def wait_for_moment(self, proc: subprocess.Popen) -> None:
        deadline = time.monotonic() + REACH_SECONDS
        while not self.marker.exists():
            assert proc.poll() is None, f"the command ended (exit {proc.returncode}) first:\n{self.stderr.read_text()}"
            assert time.monotonic() < deadline, f"the moment was never reached:\n{self.stderr.read_text()}"
            time.sleep(0.05)


def stop_and_check(
    project: Project, proc: subprocess.Popen, sig: signal.Signals, watched: Path, before: dict[str, bytes | None]
) -> None:
    """Signal the command at the moment reached; check it stopped, left no process, and left
    ``watched`` as it was ``before`` it started."""
    recorded = descendants(proc.pid)
    assert recorded, "the command has started no process by this moment"
    os.kill(proc.pid, sig)
    try:
        code = proc.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"the command did not stop within {STOP_SECONDS} s:\n{project.stderr.read_text()}")
    err = project.stderr.read_text()
    assert code == 130, err
    assert "trustlab: interrupted; no report was half-written" in err
    left = still_alive(recorded)
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"processes outlived the command: {describe(left)}"
    after = snapshot(watched)
    assert sorted(after) == sorted(before), "files or folders were added or removed (a staging folder, a report)"
    assert after == before, "the existing report was changed"


# ---------------------------------------------------------------- the moments


BUILD_CASES = [
    # fork server (default): its start-up, a forked kernel starting, the cell, the run rendering
    ("forkserver", [], signal.SIGINT),
    ("forkserver", [], signal.SIGTERM),
    ("kernel", [], signal.SIGINT),
    ("cell", [], signal.SIGTERM),
    ("render", [], signal.SIGINT),
    # each run a new interpreter: its kernel (another session) starting, the cell, rendering
    ("kernel", ["--no-fork-server"], signal.SIGTERM),
    ("cell", ["--no-fork-server"], signal.SIGINT),
    ("render", ["--no-fork-server"], signal.SIGTERM),
]


def _case_id(value: object) -> str:
    if isinstance(value, signal.Signals):
        return value.name
    if isinstance(value, list):
        return "-".join(v.lstrip("-") for v in value) or "fork-server"
    return str(value)


@pytest.mark.parametrize(("moment", "options", "sig"), BUILD_CASES, ids=_case_id)
def test_a_stopped_build_moves_no_report_and_leaves_no_process(tmp_path, moment, options, sig):
    project = Project(tmp_path, moment)
    reports = tmp_path / "reports"
    sites.open_site(reports)
    existing_report(reports / f"{NOTEBOOK}--hold")
    sites.register_run(reports, reports / f"{NOTEBOOK}--hold", "scenario hold")
    watched = reports
    before = snapshot(watched)
    proc = project.start("build", "--scenario", "hold", "--force", *options)
    project.wait_for_moment(proc)
    stop_and_check(project, proc, sig, reports, before)


RUN_CASES = [
    # fork server (default): its start-up (the parameters checked meanwhile), a forked kernel
    # starting, the cell, the run rendering
    ("forkserver", [], signal.SIGINT),
    ("forkserver", [], signal.SIGTERM),
    ("kernel", [], signal.SIGTERM),
    ("cell", [], signal.SIGINT),
    ("render", [], signal.SIGTERM),
    # the run and its kernel as new interpreters
    ("kernel", ["--no-fork-server"], signal.SIGINT),
    ("cell", ["--no-fork-server"], signal.SIGTERM),
    ("render", ["--no-fork-server"], signal.SIGINT),
]


@pytest.mark.parametrize(("moment", "options", "sig"), RUN_CASES, ids=_case_id)
def test_a_stopped_run_moves_no_report_and_leaves_no_process(tmp_path, moment, options, sig):
    project = Project(tmp_path, moment)
    out = tmp_path / "runs" / "hold"
    existing_report(out)
    watched = out.parent
    hold = ["-p", "marker", str(project.marker)] if moment == "cell" else []
    before = snapshot(watched)
    proc = project.start("run", NOTEBOOK, *hold, "--out", str(out), *options)
    project.wait_for_moment(proc)
    stop_and_check(project, proc, sig, watched, before)


@pytest.mark.parametrize(("moment", "sig"), [("kernel", signal.SIGTERM), ("cell", signal.SIGINT)], ids=_case_id)
def test_a_stopped_sweep_moves_no_report_and_leaves_no_process(tmp_path, moment, sig):
    project = Project(tmp_path, moment)
    out = tmp_path / "sweeps" / "hold"
    existing_report(out / "point-0000")
    (out / "sweep.csv").write_text("point,status\n0,ok\n")
    sites.mark_run(out, NOTEBOOK, kind="sweep")
    watched = out.parent
    grid = tmp_path / "grid.yaml"
    marker = f"marker: {str(project.marker)!r}, " if moment == "cell" else ""
    grid.write_text(f"points:\n  - {{{marker}hold_seconds: 120}}\n")
    before = snapshot(watched)
    proc = project.start("sweep", NOTEBOOK, "--grid", str(grid), "--out", str(out), "--jobs", "1")
    project.wait_for_moment(proc)
    stop_and_check(project, proc, sig, watched, before)


@pytest.mark.parametrize("command", ["build", "run", "run --no-fork-server"])
def test_sigint_stops_a_command_started_with_sigint_ignored(tmp_path, command):
    project = Project(tmp_path, "cell")
    if command == "build":
        args = ["build", "--scenario", "hold"]
        watched = tmp_path / "reports"
        sites.open_site(watched)
    else:
        args = [
            "run",
            NOTEBOOK,
            "-p",
            "marker",
            str(project.marker),
            "--out",
            str(tmp_path / "runs" / "hold"),
            *command.split()[1:],
        ]
        watched = tmp_path / "runs"
        watched.mkdir()
    before = snapshot(watched)
    proc = project.start(*args, ignore_sigint=True)
    project.wait_for_moment(proc)
    stop_and_check(project, proc, signal.SIGINT, watched, before)
