"""A fork server for notebook runs: one process imports everything a run needs once, then forks
a child per run (and that child forks the run's kernel, see :mod:`trustlab.runner.execute`).

Starting a run as a new interpreter costs seconds of imports twice over: papermill and nbconvert
in the run process, ipykernel, pandas, statsmodels and seaborn in its kernel. A build pays them
once. Each run is still its own process (its own session and process group, so a timeout kills
it with its kernel), started from the same clean state: the server imports modules and renders
nothing but a warm-up page; it never executes notebook code.

Protocol (one JSON object per line): the parent writes ``{"id", "spec", "log", "progress"}`` on
the server's stdin; the server answers ``{"id", "pid"}`` when the run started and
``{"id", "exit"}`` with its exit code (negative: killed by that signal) when it ended. When its
stdin closes (the parent finished or died) the server kills what still runs and exits.
"""

from __future__ import annotations

import importlib
import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trustlab.runner import processes
from trustlab.runner.deferred import defer_rfc3987_syntax
from trustlab.runner.preload import RUNNER_MODULES
from trustlab.runner.processes import die_with_parent, fork

READY = "ready"
POLL_SECONDS = 0.05


class ForkServerError(RuntimeError):
    """The fork server would not start or died."""


# ---------------------------------------------------------------- server side (its own process)


def _preload(modules: list[str]) -> None:
    """Import ``modules`` (:func:`trustlab.runner.preload.modules_to_preload`); one that is not
    installed, or a name that is not a module, is skipped (a notebook that needs it says so when
    it runs). matplotlib's inline backend is not imported: it hooks into the kernel's shell when it
    is first imported, which must happen inside the kernel."""
    # The kernel's inline backend is chosen the way ipykernel chooses it, before matplotlib reads it.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # The kernel's debugger (debugpy) warns on stderr, on import, that this interpreter runs frozen modules
    # (the kernelspec's -Xfrozen_modules=off is not this process's); papermill's command line silences it so.
    quiet_debugger = "PYDEVD_DISABLE_FILE_VALIDATION" not in os.environ
    if quiet_debugger:
        os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    if quiet_debugger:  # read once, on import: the runs' environment stays the one they were given
        del os.environ["PYDEVD_DISABLE_FILE_VALIDATION"]
    from trustlab.runner import report

    report.warm_up()


def _start_run(request: dict[str, Any]) -> int:
    server = os.getpid()

    def run() -> int:
        os.setsid()  # its own process group: a timeout kills the run with its kernel
        die_with_parent(server)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)  # never onto the protocol pipe
        if not request.get("progress"):
            os.dup2(log, 2)
        os.close(log)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        from trustlab.runner import execute

        return execute.main(request["spec"], forked_kernel=True)

    return fork(run)


def serve(modules: list[str]) -> int:
    """The server's main loop (``python -m trustlab.runner.forkserver MODULE...``), after importing
    ``modules``."""
    processes.LAUNCH_DIR = os.getcwd()
    # Started with SIGINT ignored (a background job), its runs would inherit that; they are
    # stopped by their parent, but Ctrl-C semantics must not depend on how the build was started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    defer_rfc3987_syntax()  # 1.5 s of grammar compiling no run uses; forked kernels inherit the stand-in
    _preload(modules)
    out = sys.stdout
    out.write(READY + "\n")
    out.flush()
    stdin = sys.stdin.fileno()
    pending = b""
    running: dict[int, Any] = {}  # pid -> request id
    open_input = True
    while open_input or running:
        if open_input:
            readable, _, _ = select.select([stdin], [], [], POLL_SECONDS if running else None)
            if readable:
                chunk = os.read(stdin, 65536)
                if not chunk:
                    open_input = False
                    for pid in running:  # the parent is gone: nobody will collect these runs
                        _kill_group(pid)
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    request = json.loads(line)
                    pid = _start_run(request)
                    running[pid] = request["id"]
                    out.write(json.dumps({"id": request["id"], "pid": pid}) + "\n")
                    out.flush()
        else:
            select.select([], [], [], POLL_SECONDS)
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            request_id = running.pop(pid, None)
            if request_id is not None and open_input:
                out.write(json.dumps({"id": request_id, "exit": os.waitstatus_to_exitcode(status)}) + "\n")
                out.flush()
    return 0


def _run_name(spec_path: Path) -> str:
    try:
        return str(json.loads(spec_path.read_text(encoding="utf-8"))["name"])
    except (OSError, ValueError, KeyError, TypeError):
        return str(spec_path.parent.parent.name)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------- parent side


class ForkServer:
    """Parent-side handle of a fork server; thread-safe, one :meth:`execute` per run.

    Use as a context manager; leaving it stops the server and kills any run still going.
    """

    def __init__(self, env: dict[str, str], preload: Sequence[str] = RUNNER_MODULES, start_timeout: float = 300.0) -> None:
        """Start the server without waiting for it: it imports ``preload`` while the caller goes on
        (the first :meth:`execute` waits until it is ready)."""
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "trustlab.runner.forkserver", *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            start_new_session=True,  # Ctrl-C reaches the parent, which stops the runs itself
        )
        self._start_timeout = start_timeout
        self._lock = threading.Lock()
        self._replies: dict[int, queue.Queue] = {}
        self._next_id = 0
        self._stopping = False
        self._ready = threading.Event()
        self._started_ok = False
        self._ended = ""  # how the server ended, once its output closed
        threading.Thread(target=self._read_replies, daemon=True).start()

    def wait_ready(self) -> None:
        """Block until the server has imported everything; raise :class:`ForkServerError` if it
        failed, or KeyboardInterrupt if it was closed meanwhile (an interrupted build stops: it
        does not go on without its server)."""
        if not self._ready.wait(self._start_timeout):
            raise ForkServerError(f"the fork server did not start within {self._start_timeout:g} s")
        if self._stopping:
            raise KeyboardInterrupt
        if not self._started_ok:
            raise ForkServerError(f"the fork server did not start (exit code {self._proc.poll()})")

    def _read_replies(self) -> None:
        assert self._proc.stdout is not None
        self._started_ok = self._proc.stdout.readline().decode().strip() == READY
        self._ready.set()
        for line in self._proc.stdout:
            message = json.loads(line)
            with self._lock:
                replies = self._replies.get(message["id"])
            if replies is not None:
                replies.put(message)
        self._ended = self._how_it_ended()
        with self._lock:  # the server died: wake every waiting run
            for replies in self._replies.values():
                replies.put({"exit": None})

    def _how_it_ended(self, seconds: float = 10.0) -> str:
        """How the server ended ("killed by SIGKILL"), once its output closed. Looked at without
        collecting it (WNOWAIT): :meth:`close` collects it, and signals it only while it is not collected."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                info = os.waitid(os.P_PID, self._proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:  # close() collected it meanwhile
                return processes.describe_exit(self._proc.returncode) if self._proc.returncode is not None else "it ended"
            if info is not None:
                killed = info.si_code in (os.CLD_KILLED, os.CLD_DUMPED)
                return processes.describe_exit(-info.si_status if killed else info.si_status)
            time.sleep(0.02)
        return "its output closed"

    def execute(self, spec_path: Path, timeout: float, progress: bool) -> tuple[str, str]:
        """Run the spec in a forked child; returns (status, error text) as :func:`trustlab.runner.executors.execute_in_new_interpreter` does.

        The child's output goes to ``run.log`` beside the spec. Raises KeyboardInterrupt when the
        run was killed because the server is being stopped (an interrupted build).
        """
        self.wait_ready()
        log_path = spec_path.with_name("run.log")
        replies: queue.Queue = queue.Queue()
        with self._lock:
            self._next_id += 1
            request_id = self._next_id
            self._replies[request_id] = replies
            request = {"id": request_id, "spec": str(spec_path), "log": str(log_path), "progress": progress}
            try:
                assert self._proc.stdin is not None
                self._proc.stdin.write((json.dumps(request) + "\n").encode())
                self._proc.stdin.flush()
            except (BrokenPipeError, ValueError) as exc:
                if self._stopping:  # closed by an interrupted build between its wait and this request
                    raise KeyboardInterrupt from None
                raise ForkServerError("the fork server has stopped") from exc
        try:
            started = replies.get()
            if started.get("exit", 0) is None:
                if self._stopping:
                    raise KeyboardInterrupt
                raise ForkServerError("the fork server stopped before the run started")
            pid = started["pid"]
            try:
                ended = replies.get(timeout=timeout)
            except queue.Empty:
                _kill_group(pid)
                replies.get()
                return "timeout", f"notebook exceeded the whole-notebook timeout of {timeout:g} s"
            except BaseException:
                _kill_group(pid)
                raise
        finally:
            with self._lock:
                self._replies.pop(request_id, None)
        code = ended["exit"]
        if self._stopping and code != 0:
            raise KeyboardInterrupt
        if code == 0:
            return "ok", ""
        log = log_path.read_text(encoding="utf-8", errors="replace").strip()[-4000:] if log_path.exists() else ""
        if code is None:  # the first line says what happened; the run's and its kernel's last words follow
            what = (
                f"the fork server (pid {self._proc.pid}) died unexpectedly ({self._ended}) while running {_run_name(spec_path)}"
            )
            return "failed", what + (f"\nthe run's output before that:\n{log}" if log else "")
        return "failed", f"the run process ended ({processes.describe_exit(code)}) before it finished its report" + (
            f"; its output:\n{log}" if log else ""
        )

    def close(self) -> None:
        """Stop the server; runs still going are killed. Closing it again does nothing."""
        self._stopping = True
        if self._proc.returncode is not None:  # already stopped and collected
            return
        with self._lock:
            idle = not self._replies
        if idle:  # nothing to wait for, maybe still importing: no need to let it finish
            _kill_group(self._proc.pid)
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            try:
                self._proc.stdin.close()
            except BrokenPipeError:
                pass
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _kill_group(self._proc.pid)
            self._proc.wait()

    def __enter__(self) -> "ForkServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1:]))
