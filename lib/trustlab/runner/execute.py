"""Process that executes one notebook with papermill and writes its report (see
:mod:`trustlab.runner.runs`).

Run as ``python -m trustlab.runner.execute SPEC.json``, or forked from a :mod:`trustlab.runner.forkserver`
that has already imported everything a run needs. It lives in its own process group so that the
parent can enforce a whole-notebook timeout by killing it together with its kernel, and it renders
the report itself so that parallel runs render in parallel.

In a fork server's child the kernel is forked too (:func:`fork_kernel`) instead of started as a
new interpreter: it inherits the imported libraries, and papermill adopts it through the kernel
manager of :func:`forked_kernel_manager`. Everything else about the run is papermill's usual path.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, cast

from trustlab.runner.deferred import defer_rfc3987_syntax
from trustlab.runner.processes import fork

defer_rfc3987_syntax()  # before papermill imports nbformat: 1.5 s saved in every run started as a new interpreter


def main(spec_path: str, forked_kernel: bool = False) -> int:
    """Execute the run described by ``spec_path`` and finalize it; returns the exit code."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from trustlab.runner.finish import disk_full, disk_full_message, finalize

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    status, error = "ok", ""
    engine_options: dict[str, Any] = {}
    kernel_pid = None
    try:
        if forked_kernel:
            arguments = kernel_arguments(spec["kernel_name"])
            kernel_pid, connection_file = fork_kernel(spec["cwd"], arguments)
            engine_options["kernel_manager_class"] = forked_kernel_manager(kernel_pid, connection_file, arguments)
        papermill.execute_notebook(
            spec["input"],
            spec["output"],
            parameters=spec["parameters"],
            kernel_name=spec["kernel_name"],
            progress_bar=spec["progress"],
            cwd=spec["cwd"],
            engine_name=register_engine(),
            **engine_options,
        )
    except PapermillExecutionError as exc:
        # finalize names the cell "cell N of M" by its position, as the report page does (not by
        # papermill's execution count, which skips markdown cells and counts the injected one)
        status, error = "failed", f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # a kernel that died or would not start, a full disk: still leave a report
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        if disk_full(exc):  # papermill saving the notebook as it runs
            error = disk_full_message(Path(spec["staged"]).parent, f"the executed notebook {Path(spec['output']).name}")
    finally:
        if kernel_pid is not None:
            _reap(kernel_pid)
    try:
        error = finalize(spec, status, error, time.perf_counter() - t0)
    except OSError as exc:  # the parent finalizes again, or says the disk is full
        if not disk_full(exc):
            raise
        (Path(spec["staged"]) / "results.json").unlink(missing_ok=True)  # a cut-short record is no record
        status, error = "failed", disk_full_message(Path(spec["staged"]).parent, "the report page and results.json")
    if error:
        print(error, file=sys.stderr)
    return 0 if status == "ok" else 3


ENGINE_NAME = "trustlab"


def register_engine() -> str:
    """Register papermill's nbclient engine, saving the notebook as it runs only when a code cell
    starts, under :data:`ENGINE_NAME`; returns that name.

    papermill writes the whole notebook (figures included) when every cell starts and again when
    it completes: 66 writes for notebook 03, whose warm forked runs take 3.2 s with this engine and
    3.5 s with papermill's (01: 3.7 and 4.2 s; medians of five alternated runs). The write when a code cell starts
    is the one that matters: a run killed by its timeout is finalized from that file, which then
    holds every earlier cell's outputs and marks the cell that was running. Markdown cells run no
    code, and a completed cell's outputs are written when the next code cell starts, or at the end
    (papermill's final write, also after a failed cell); long cells are still autosaved every 30 s.
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class CodeCellStartSaves(NotebookExecutionManager):
        _saving = True

        def save(self, **kwargs: Any) -> None:
            if self._saving:
                super().save(**kwargs)

        def _without_save(self, method: Any, cell: Any, *args: Any, save: bool, **kwargs: Any) -> Any:
            self._saving = save
            try:
                return method(cell, *args, **kwargs)
            finally:
                self._saving = True

        def cell_start(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> Any:
            return self._without_save(super().cell_start, cell, cell_index, save=cell.cell_type == "code", **kwargs)

        def cell_complete(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> Any:
            return self._without_save(super().cell_complete, cell, cell_index, save=False, **kwargs)

    class TrustlabEngine(NBClientEngine):
        @classmethod
        def execute_notebook(
            cls,
            nb: Any,
            kernel_name: str,
            output_path: str | None = None,
            progress_bar: bool = True,
            log_output: bool = False,
            autosave_cell_every: int = 30,
            **kwargs: Any,
        ) -> Any:
            # papermill's Engine.execute_notebook, with the manager above
            nb_man = CodeCellStartSaves(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE_NAME, TrustlabEngine)
    return ENGINE_NAME


def kernel_arguments(kernel_name: str) -> list[str]:
    """The extra kernel arguments papermill's client (nbclient) starts a kernel of this name with."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    # nbclient keeps the IPython history in memory, but only for the kernels jupyter_client takes
    # for ipykernel by their name; the forked kernel's manager checks that it asked for the same.
    if KernelManager(kernel_name=kernel_name).ipykernel and NotebookClient.ipython_hist_file.default_value:
        return [f"--HistoryManager.hist_file={NotebookClient.ipython_hist_file.default_value}"]
    return []


def fork_kernel(cwd: str, arguments: list[str], start_timeout: float = 60.0) -> tuple[int, str]:
    """Fork an IPython kernel of this process, working in ``cwd`` and started with the extra
    ``arguments``; returns its pid and connection file once the kernel listens.

    The kernel binds its own ports and then writes the connection file, so no other process can
    take a port between its choice and its use. Must be called before any event loop or ZeroMQ
    context exists in this process (the child starts its own). The kernel exits when papermill
    shuts it down, or when this process dies.
    """
    connection_file = str(Path(cwd) / f"kernel-{os.getpid()}.json")
    parent = os.getpid()
    pid = fork(lambda: _serve_kernel(connection_file, cwd, parent, arguments))
    deadline = time.monotonic() + start_timeout
    while not _listening(connection_file):
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            raise RuntimeError(f"the forked kernel exited with code {os.waitstatus_to_exitcode(status)} before it listened")
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise RuntimeError(f"the forked kernel did not listen within {start_timeout:g} s")
        time.sleep(0.01)
    return pid, connection_file


def _listening(connection_file: str) -> bool:
    """True once the kernel has written its connection file with every port it bound."""
    try:
        info = json.loads(Path(connection_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # not there yet, or half written
        return False
    return all(info.get(f"{channel}_port") for channel in ("shell", "iopub", "stdin", "control", "hb"))


def _serve_kernel(connection_file: str, cwd: str, parent: int, extra_arguments: list[str]) -> int:
    from trustlab.runner import processes

    launch_dir = processes.LAUNCH_DIR or os.getcwd()
    os.chdir(cwd)
    # As `python -m ipykernel_launcher` does: the launching directory leaves sys.path while the
    # kernel loads (the shell then puts the working directory back).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path(launch_dir)):
        del sys.path[0]
    os.environ["JPY_PARENT_PID"] = str(parent)  # as jupyter_client sets it for the kernels it starts
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import ipykernel_launcher
    from ipykernel.kernelapp import IPKernelApp

    from trustlab.kernel import quiet_loopback_tcp_warning

    arguments = ["-f", connection_file, *extra_arguments]
    sys.argv = [ipykernel_launcher.__file__, *arguments]
    # parent_handle: the kernel exits when the run process dies. Its default is read from
    # JPY_PARENT_PID when ipykernel is imported, which the fork server did long before.
    app = IPKernelApp.instance(parent_handle=parent)
    quiet_loopback_tcp_warning(app)
    app.initialize(arguments)
    if app.shell is None:
        raise RuntimeError("the forked kernel has no shell after initialize")
    with app.shell.builtin_trap:  # `get_ipython` is a builtin while the shell runs code, as on imports in cells
        redo_kernel_dependent_defaults()
    app.start()
    return 0


def redo_kernel_dependent_defaults() -> None:
    """Recompute the defaults libraries chose at import time from where they ran.

    The fork server imported them outside any kernel, with a pipe for stdout. pandas is the one
    among the preloaded libraries: ``display.max_columns`` is 0 (fit the terminal) outside a
    kernel and 20 in one; ``display.encoding`` is the encoding of ``sys.stdout``. A test compares
    every pandas option and matplotlib setting of a forked kernel with a fresh kernel's.
    """
    pandas = sys.modules.get("pandas")
    if pandas is None:
        return
    from pandas._config import config as pandas_config
    from pandas._config.display import detect_console_encoding
    from pandas.core.config_init import is_terminal

    # As pandas decides them when it is imported (pandas/core/config_init.py, pandas/_config/display.py).
    defaults = {"display.max_columns": 0 if is_terminal() else 20, "display.encoding": detect_console_encoding()}
    for key, value in defaults.items():
        registered = pandas_config._registered_options[key]
        pandas_config._registered_options[key] = registered._replace(defval=value)
        pandas.set_option(key, value)


def _reap(pid: int) -> None:
    """Collect the forked kernel once papermill has shut it down (kill it if it is still there)."""
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished == 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # papermill's kernel manager already collected it


def forked_kernel_manager(pid: int, connection_file: str, arguments: list[str]) -> type:
    """A kernel manager class that adopts the running kernel ``pid`` (listening as described in
    ``connection_file``, started with the extra ``arguments``) instead of starting one; papermill
    takes it as ``kernel_manager_class``."""
    import uuid

    from jupyter_client.connect import KernelConnectionInfo
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner
    from jupyter_client.provisioning.provisioner_base import KernelProvisionerBase

    class ForkedKernelProvisioner(LocalProvisioner):
        async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
            km = self.parent
            if km is None:
                raise RuntimeError("the forked kernel's provisioner has no kernel manager")
            km.load_connection_file(connection_file)  # the ports and key the kernel listens on
            self.connection_info = km.get_connection_info()
            wanted = list(kwargs.pop("extra_arguments", None) or [])
            if wanted != arguments:
                raise RuntimeError(f"the forked kernel was started with arguments {arguments}, papermill asked for {wanted}")
            kwargs.pop("transport_encryption", None)
            return await KernelProvisionerBase.pre_launch(self, cmd=list(self.kernel_spec.argv), **kwargs)

        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
            self.process = cast("subprocess.Popen[Any]", _ChildProcess(pid))  # the part of Popen a provisioner uses
            self.pid = pid
            self.pgid = None  # the kernel shares the run's process group: signal the kernel alone
            self.cwd = kwargs.get("cwd")
            return self.connection_info

    class ForkedKernelManager(AsyncKernelManager):
        async def _async_pre_start_kernel(self, **kw: Any):
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = ForkedKernelProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return ForkedKernelManager


class _ChildProcess:
    """The part of ``subprocess.Popen`` a provisioner uses, for a child started with ``os.fork``."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                finished, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = 0
                return self.returncode
            if finished:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        started = time.monotonic()
        while (code := self.poll()) is None:
            if timeout is not None and time.monotonic() - started > timeout:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return code

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _as_run_process(parent: int | None) -> None:
    """Set up a run process started as a new interpreter by ``parent`` (:func:`trustlab.runner.executors.execute_in_new_interpreter`).

    It lives in its own session, so its parent stops it (with its kernel) when interrupted. If the
    parent dies without doing so (a Dask worker stopped by its cluster, a killed command), or it
    is sent SIGTERM, the run stops too, killing the kernel it started (which has a session of its
    own), rather than finishing unseen. SIGINT gets its usual meaning back: a parent started with
    it ignored (a background job) hands that on.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_run)
    if parent is not None:
        from trustlab.runner.processes import die_with_parent

        die_with_parent(parent, signal.SIGTERM)


def _stop_run(signum: int, frame: object) -> None:
    from trustlab.runner.processes import descendants

    for pid in descendants(os.getpid()):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os._exit(128 + signum)


if __name__ == "__main__":
    _as_run_process(int(sys.argv[2]) if len(sys.argv) > 2 else None)
    sys.exit(main(sys.argv[1]))
