"""Fixtures shared by several test files."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Runs into a site leave its book (Sphinx, some seconds) as it is, except where a test turns it on:
# the shared smoke builds below and tests/runner/test_book.py.
os.environ.setdefault("TRUSTLAB_BOOK", "off")

# A fixture that starts what a marker names marks every test that uses it, directly or through
# another fixture, so that `make test-fast` (-m "not kernel and not browser and not slow") never
# waits on it however the test was written.
MARKED_BY_FIXTURE = {"browser": "browser", "smoke_build": "kernel", "fresh_smoke_build": "kernel", "forked": "kernel"}


def pytest_itemcollected(item: pytest.Item) -> None:
    for fixture, marker in MARKED_BY_FIXTURE.items():
        if fixture in getattr(item, "fixturenames", ()) and item.get_closest_marker(marker) is None:
            item.add_marker(marker)


@pytest.fixture
def immutable():
    """Make folders unwritable even for root (chattr +i), undone after the test."""
    marked: list[Path] = []

    def make(folder: Path) -> Path:
        if os.geteuid() != 0:
            folder.chmod(0o555)
        elif subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("this file system cannot make a folder immutable (chattr +i)")
        marked.append(folder)
        return folder

    yield make
    for folder in marked:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where a browser test saves its screenshots: the test's temporary folder (no test writes
    into the checkout), or the folder named by TRUSTLAB_SCREENSHOTS to refresh the images of docs/."""
    folder = Path(os.environ.get("TRUSTLAB_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by playwright, one per test module, launched with the flags the PDF
    printer uses (no browser download; see trustlab.runner.pdf)."""
    from playwright.sync_api import sync_playwright
    from trustlab.runner.pdf import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path() or "/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextlib.contextmanager
def served_in_a_thread(app: object) -> Iterator[str]:
    """``app`` (an ASGI app: the explorer's) served by uvicorn on a free loopback port in a thread of
    the test's process, for a browser to open; yields its base address and stops it at the end."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 60, "the server to start", alive=thread.is_alive)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def wait_until(
    condition: Callable[[], object], timeout: float, what: str, *, interval: float = 0.05, alive: Callable[[], bool] | None = None
) -> Any:
    """Poll ``condition`` until it holds and return what it returned then; fail naming ``what`` once ``timeout`` seconds have passed, or
    at once when ``alive()`` says that what would make it hold (a process) has ended.

    Tests wait on conditions (a marker file a notebook writes, a server answering), never on a fixed
    sleep: a quiet machine goes on at once, a busy one gets up to ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if alive is not None and not alive():
            pytest.fail(f"{what}: what it waited on has ended")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s")
        time.sleep(interval)
    return value


# ---------------------------------------------------------------- the smoke build, once per session


@dataclass(frozen=True)
class SmokeBuild:
    """`trustlab build --scenario smoke --out site` of the whole collection, with what it printed."""

    site: Path
    returncode: int
    stdout: str
    stderr: str

    def copy(self, dest: Path) -> Path:
        """A copy of the site for a test that changes it (the shared one is read by other tests)."""
        shutil.copytree(self.site, dest, symlinks=True)
        return dest


def _shared_build(tmp_path_factory, worker_id: str, name: str, *options: str) -> SmokeBuild:
    """`trustlab build --scenario smoke` of the whole collection into a folder ``name`` that the
    pytest-xdist workers share: the first one to ask builds it under a file lock, the others wait
    and read it."""
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # the folder all workers' temporary folders are in
    site, record = shared / name, shared / f"{name}.json"
    with FileLock(str(shared / f"{name}.lock")):
        if not record.exists():
            proc = subprocess.run(
                [sys.executable, "-m", "trustlab.runner.cli", "build", "--scenario", "smoke", "--out", str(site), *options],
                capture_output=True,
                text=True,
                timeout=1800,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "TRUSTLAB_BOOK": "on"},  # the site's book, as `make report` builds it
            )
            record.write_text(json.dumps({"returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}))
    built = SmokeBuild(site, **json.loads(record.read_text()))
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return built


@pytest.fixture(scope="session")
def smoke_build(tmp_path_factory, worker_id) -> SmokeBuild:
    """Every notebook of the collection executed once per test session on its `smoke` scenario,
    through the command line as `make report` runs it (runs forked from its fork server). Treat it
    as read-only."""
    return _shared_build(tmp_path_factory, worker_id, "smoke-site")


@pytest.fixture(scope="session")
def fresh_smoke_build(tmp_path_factory, worker_id) -> SmokeBuild:
    """The same build with every run and kernel a new interpreter (``--no-fork-server``), once per
    session: what the forked runs of the build and of `trustlab run` must show. Read-only."""
    return _shared_build(tmp_path_factory, worker_id, "smoke-site-fresh", "--no-fork-server")


RUNNER_FIXTURES = Path(__file__).parent / "runner" / "fixtures"


@pytest.fixture(scope="module")
def forked():
    """The executor of a fork server shared by a test module's runs, as a build or `trustlab run`
    runs them (preloaded for the runner's fixture notebooks). Tests of a run as a new interpreter
    call run_notebook without it; a test that changes the package or the project's paths must not
    use it (its runs fork from what the server imported when it started)."""
    from trustlab.runner import runs

    notebooks = sorted([*(RUNNER_FIXTURES / "notebooks").glob("*.py"), *(RUNNER_FIXTURES / "report_pages").glob("*.py")])
    server = runs.start_fork_server(notebooks)
    try:
        yield runs.fork_server_executor(server)
    finally:
        server.close()


# ---------------------------------------------------------------- the command in this process


@pytest.fixture
def cli(capsys) -> Callable[..., subprocess.CompletedProcess]:
    """``cli(*args)``: ``trustlab ARGS`` as ``cli_process.trustlab`` runs it, but by calling the
    command's ``main(argv)`` in this process, without a new interpreter's second of imports. It
    answers with the same exit code (argparse's own exits included) and output (captured), and puts
    back the signal handlers ``main`` installs. For refusals, messages and exit codes; a test of what
    only a process of its own shows (a signal, the interpreter's exit, shell completion, a changed
    environment such as ``TRUSTLAB_ROOT``) runs the command with ``cli_process.trustlab``."""
    import signal

    from trustlab.runner.cli import main

    def run(*args: str) -> subprocess.CompletedProcess:
        handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
        capsys.readouterr()  # what the test printed before is not the command's
        try:
            code = main(list(args))
        except SystemExit as exited:  # argparse's refusals, --help and --version
            code = exited.code
            if not isinstance(code, int):  # as the interpreter exits: None is 0, a message is printed and is 1
                if code is not None:
                    print(code, file=sys.stderr)
                code = 0 if code is None else 1
        finally:
            for number, handler in handlers.items():
                signal.signal(number, handler)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["trustlab", *args], code, out, err)

    return run


# ---------------------------------------------------------------- a run without a kernel


class FakeExecutor:
    """An executor for :func:`trustlab.runner.runs.run_notebook` (and, as ``fork_server``, for
    :func:`trustlab.runner.runs.build`) that starts no process and no kernel, as papermill's own
    tests patch its engine: the "executed" notebook is the input with papermill's parameters cell
    injected and no outputs (so it records no results), finished into a report as a real run's is.
    For the plumbing around a run (checks, staging, moving into place, signals); a test of what a
    kernel computes or shows runs a real one.

    ``during(spec)``, if given, is called in the middle of each run: a test makes something happen
    meanwhile. ``close()`` and ``wait_ready()`` make it usable as a fork server."""

    def __init__(self, during: Callable[[dict], object] | None = None) -> None:
        self.during = during
        self.closed = False

    def __call__(self, spec_path: Path, timeout: float, progress: bool) -> tuple[str, str]:
        import nbformat
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook
        from trustlab.runner.finish import finalize

        spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
        notebook = load_notebook_node(spec["input"])  # as papermill reads it (every cell gets its tags list)
        if spec["parameters"]:
            notebook = parameterize_notebook(notebook, spec["parameters"], kernel_name=spec["kernel_name"])
        nbformat.write(notebook, spec["output"])
        if self.during is not None:
            self.during(spec)
        finalize(spec, "ok", "", 0.0)
        return "ok", ""

    execute = __call__  # the fork server's method, for runs.build(..., fork_server=FakeExecutor())

    def wait_ready(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_executor() -> FakeExecutor:
    """A :class:`FakeExecutor`: runs that need to happen, not a kernel."""
    return FakeExecutor()
