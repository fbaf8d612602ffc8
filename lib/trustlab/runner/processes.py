"""Process helpers of the runner: forking, dying with a parent, finding and killing a run's descendants, deferring signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LAUNCH_DIR: str | None = None  # the server's starting directory (first on its sys.path), once serving


def fork(child: Callable[[], int]) -> int:
    """Fork; the child runs ``child()`` and exits with its code. Returns the child's pid.

    The child skips the exit handlers and finalizers it inherited: they belong to the parent.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        code = child()
    except SystemExit as exc:  # as the interpreter reads it: None is success, other non-integers failure
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """Have the kernel send this process ``signum`` (default: kill it) when its parent ``parent``
    dies (Linux; elsewhere runs outlive it).

    Its kernel follows: a kernel exits when the process that started it is gone.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signum, 0, 0, 0)
    if os.getppid() != parent:  # the server died before the request took effect
        os._exit(1)


@contextmanager
def signals_deferred(signals: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM), *, reraise: bool = True) -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the block runs (in the main thread; elsewhere they never
    interrupt a block anyway), then act on them as their handlers say (``reraise=False``: drop
    them). Used where an interruption would leave things half done: the renames that move a
    report into place, and the clean-up of an interrupted command."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {}
    try:
        for signum in signals:
            previous[signum] = signal.signal(signum, lambda signum, frame: received.append(signum))
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if received and reraise:
        signal.raise_signal(received[0])


def describe_exit(code: int) -> str:
    """How a process ended, from its exit code as subprocess gives it (negative: the signal that killed it)."""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def kill_group(proc: subprocess.Popen) -> None:
    """Kill a run process with its process group and every process it started in another
    session: a kernel started by papermill has its own, and would otherwise go on until it
    noticed its parent gone (or, still starting, until it started)."""
    try:
        os.killpg(proc.pid, signal.SIGSTOP)  # stopped, nothing in the group starts another process
    except ProcessLookupError:
        pass
    for pid in descendants(proc.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs, as Linux lists them (/proc/PID/task/*/children);
    empty where /proc does not say."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                text = children.read_text()
            except OSError:  # the thread or the process has ended
                continue
            for child in map(int, text.split()):
                if child not in found:
                    found.append(child)
                    todo.append(child)
    return found
