"""How a run's child process starts: as a new interpreter, or forked (with its kernel) from a
fork server (:mod:`trustlab.runner.forkserver`). :func:`trustlab.runner.runs.run_notebook` takes either
as its ``executor``."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from trustlab.runner._blas import single_thread_environment
from trustlab.runner.forkserver import ForkServer, ForkServerError
from trustlab.runner.preload import modules_to_preload
from trustlab.runner.processes import describe_exit, kill_group, signals_deferred

STOP_POLL_SECONDS = 0.1  # how often a build's runs look whether the build is being stopped

# Executes a run's spec file in a child process: (spec, timeout, progress) -> (status, error text).
Executor = Callable[[Path, float, bool], tuple[str, str]]


def check_stop(stop: threading.Event | None) -> None:
    """Raise KeyboardInterrupt when ``stop`` is set: the command is being stopped."""
    if stop is not None and stop.is_set():
        raise KeyboardInterrupt


def execute_in_new_interpreter(
    spec_path: Path,
    timeout: float,
    progress: bool,
    extra_env: dict[str, str] | None = None,
    stop: threading.Event | None = None,
) -> tuple[str, str]:
    """Run the papermill child as a new interpreter (with ``extra_env`` added to its environment); returns (status,
    error text). When ``stop`` is set (by another thread) the child is killed with its kernel and
    KeyboardInterrupt raised."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "trustlab.runner.execute", str(spec_path), str(os.getpid())],
        env={**single_thread_environment(), **(extra_env or {})},  # runs execute side by side
        stdout=subprocess.PIPE,
        stderr=None if progress else subprocess.PIPE,  # papermill's progress bar goes to the terminal
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            try:
                # Retrying communicate after its timeout loses no output.
                out, err = proc.communicate(timeout=max(0.0, min(remaining, STOP_POLL_SECONDS if stop else remaining)))
                break
            except subprocess.TimeoutExpired:
                check_stop(stop)
                if time.monotonic() >= deadline:
                    kill_group(proc)
                    return "timeout", f"notebook exceeded the whole-notebook timeout of {timeout:g} s"
    except BaseException:
        with signals_deferred(reraise=False):  # being stopped already: a second Ctrl-C waits for this
            kill_group(proc)
        raise
    if proc.returncode == 0:
        return "ok", ""
    output = ((err or "") + (out or "")).strip()[-4000:]
    what = f"the run process ended ({describe_exit(proc.returncode)}) before it finished its report"
    return "failed", what + (f"; its output:\n{output}" if output else "")


def start_fork_server(notebooks: Iterable[Path] = ()) -> ForkServer:
    """Start a fork server for :func:`trustlab.runner.runs.build` or a run of ``notebooks`` (it
    imports what they need in the background: :func:`trustlab.runner.preload.modules_to_preload`;
    close it when done)."""
    return ForkServer(env=single_thread_environment(), preload=modules_to_preload(notebooks))


def fork_server_executor(server: ForkServer | None, stop: threading.Event | None = None) -> Executor:
    """The executor that forks each run (and its kernel) from ``server`` once it is ready, for
    :func:`run_notebook`. If the server cannot start, it says so once and starts each run as a new
    interpreter instead, unless ``stop`` is set (the command is being stopped: an interrupted
    build or run does not fall back to new interpreters). ``server=None``: always new interpreters."""
    unusable: list[str] = []  # why the fork server could not be used, once known

    def execute(spec_path: Path, timeout: float, progress: bool) -> tuple[str, str]:
        check_stop(stop)
        if server is not None and not unusable:
            try:
                server.wait_ready()
            except ForkServerError as exc:
                check_stop(stop)  # it was stopped because the command is: no new interpreters then
                if not unusable:
                    unusable.append(str(exc))
                    print(f"trustlab: {exc}; starting each run as a new interpreter instead", file=sys.stderr)
            else:
                try:
                    return server.execute(spec_path, timeout, progress)
                except ForkServerError as exc:  # it died before this run started (killed mid-build): go on without it
                    check_stop(stop)
                    if not unusable:
                        unusable.append(str(exc))
                        print(f"trustlab: {exc}; starting each further run as a new interpreter", file=sys.stderr)
        return execute_in_new_interpreter(spec_path, timeout, progress, stop=stop)

    return execute
