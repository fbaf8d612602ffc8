"""The project as JupyterLab and git see it: paired notebooks, the default kernel, nbdime diffs.

Each test drives the real component (jupytext's contents manager as Lab loads it, a Jupyter
server's REST API, git with nbdime's driver) rather than reading configuration files.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from jupytext import AsyncTextFileContentsManager
from trustlab import config

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

ROOT = config.PROJECT_ROOT
NOTEBOOK = "00_source_facts"
BIN = Path(sys.executable).parent


@pytest.fixture
def paired_copy(tmp_path: Path) -> Path:
    """A folder holding the project's jupytext.toml and one notebook pair, as Lab would serve it."""
    shutil.copy(ROOT / "jupytext.toml", tmp_path)
    for suffix in (".py", ".ipynb"):
        shutil.copy(ROOT / "notebooks" / f"{NOTEBOOK}{suffix}", tmp_path)
    return tmp_path


def _save_edit(root: Path, path: str, marker: str, drop_jupytext_metadata: bool = False) -> None:
    async def edit() -> None:
        manager = AsyncTextFileContentsManager(root_dir=str(root))
        model = await manager.get(path)
        notebook = model["content"]
        notebook.cells[1].source += f"\n{marker}"
        if drop_jupytext_metadata:  # as a plain notebook editor would
            notebook.metadata.pop("jupytext", None)
        await manager.save({"type": "notebook", "format": "json", "content": notebook}, path)

    asyncio.run(edit())


def test_saving_the_py_in_lab_updates_the_ipynb_and_keeps_its_outputs(paired_copy):
    outputs_before = sum(len(c.get("outputs", [])) for c in nbformat.read(paired_copy / f"{NOTEBOOK}.ipynb", 4).cells)
    _save_edit(paired_copy, f"{NOTEBOOK}.py", "# edited in the .py")
    stored = nbformat.read(paired_copy / f"{NOTEBOOK}.ipynb", 4)
    assert "# edited in the .py" in stored.cells[1].source
    assert sum(len(c.get("outputs", [])) for c in stored.cells) == outputs_before > 0


def test_saving_the_ipynb_in_lab_updates_the_py_even_without_jupytext_metadata(paired_copy):
    _save_edit(paired_copy, f"{NOTEBOOK}.ipynb", "# edited in the .ipynb", drop_jupytext_metadata=True)
    text = (paired_copy / f"{NOTEBOOK}.py").read_text(encoding="utf-8")
    assert "# edited in the .ipynb" in text
    assert text.startswith("# ---\n# jupyter:\n#   jupytext:\n"), "the .py lost its jupytext header"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_json(tmp_path: Path, *paths: str) -> list[dict]:
    """Start a Jupyter server of the environment in ``tmp_path``; GET each API path; stop it."""
    port, token = _free_port(), "trustlab-test"
    server = subprocess.Popen(
        [
            str(BIN / "jupyter"),
            "server",
            "--no-browser",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={tmp_path}",
            "--ServerApp.port_retries=0",
            "--allow-root",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    answers = []
    try:
        for path in paths:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}?token={token}", timeout=5) as reply:
                        answers.append(json.load(reply))
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(f"the Jupyter server did not answer: {server.stderr.read().decode()[-2000:]}")
                    time.sleep(0.2)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return answers


def test_a_jupyter_server_of_the_environment_defaults_to_the_trustlab_kernel_and_opens_py_as_notebooks(tmp_path):
    specs, docmanager = _server_json(tmp_path, "/api/kernelspecs", "/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    assert specs["default"] == "trustlab"
    assert "trustlab" in specs["kernelspecs"]
    # Lab applies the environment's overrides to the plugin's defaults (a user's own settings still
    # win): a double click on a .py opens jupytext's notebook view.
    assert docmanager["schema"]["properties"]["defaultViewers"]["default"]["python"] == "Jupytext Notebook"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def test_git_diff_of_a_notebook_is_rendered_by_nbdime(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.org")
    _git(repo, "config", "user.name", "test")
    shutil.copy(ROOT / ".gitattributes", repo)
    shutil.copy(ROOT / "notebooks" / f"{NOTEBOOK}.ipynb", repo)
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "post_install.py"), "--repo", str(repo), "--prefix", str(tmp_path / "prefix")],
        check=True,
        capture_output=True,
    )
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "notebook")
    notebook = nbformat.read(repo / f"{NOTEBOOK}.ipynb", 4)
    notebook.cells[1].source += "\nan edited sentence"
    nbformat.write(notebook, repo / f"{NOTEBOOK}.ipynb")
    diff = _git(repo, "-c", "color.ui=never", "diff")
    assert "## modified /cells/1/source:" in diff, diff[:2000]
    assert "an edited sentence" in diff


def test_this_checkout_uses_nbdime_from_the_environment():
    configured = _git(ROOT, "config", "--get", "diff.jupyternotebook.command").split()
    assert Path(configured[0]).is_file(), f"nbdime's diff driver {configured[0]} does not exist: run `make install`"
    assert "*.ipynb\tdiff=jupyternotebook merge=jupyternotebook" in (ROOT / ".gitattributes").read_text()


def _commit_notebook(repo: Path, notebook: nbformat.NotebookNode, with_project_nbdime_config: bool) -> None:
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.org")
    _git(repo, "config", "user.name", "test")
    shutil.copy(ROOT / ".gitattributes", repo)
    if with_project_nbdime_config:
        shutil.copy(ROOT / "nbdime_config.json", repo)
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "post_install.py"), "--repo", str(repo), "--prefix", str(repo.parent / "prefix")],
        check=True,
        capture_output=True,
    )
    nbformat.write(notebook, repo / "run.ipynb")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "a run")


def _as_papermill_ran_it(notebook: nbformat.NotebookNode, started: str, seed: int) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with what papermill and the kernel write on every run: timings, random cell ids."""
    ran = nbformat.from_dict(json.loads(json.dumps(notebook)))
    ran.metadata["papermill"] = {"start_time": started, "duration": 1.0 + seed, "parameters": {"alpha": 0.05}}
    for index, cell in enumerate(ran.cells):
        cell["id"] = f"{seed:02d}{index:06x}"
        cell.metadata["papermill"] = {"start_time": started, "duration": 0.1 * seed, "status": "completed"}
        if cell.cell_type == "code":
            cell.metadata["execution"] = {"iopub.status.busy": started, "shell.execute_reply": started}
    return ran


def _diff_blocks(repo: Path) -> list[str]:
    """The headings of nbdime's ``git diff`` (one per changed place), without its colour codes."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", _git(repo, "-c", "color.ui=never", "diff"))
    return [line for line in text.splitlines() if line.startswith("## ")]


@pytest.mark.parametrize("with_project_nbdime_config", [True, False])
def test_git_diff_of_two_runs_shows_what_changed_not_run_metadata(tmp_path, with_project_nbdime_config):
    committed = nbformat.read(ROOT / "notebooks" / f"{NOTEBOOK}.ipynb", 4)
    repo = tmp_path / "repo"
    _commit_notebook(repo, _as_papermill_ran_it(committed, "2026-01-01T00:00:00", 1), with_project_nbdime_config)
    rerun = _as_papermill_ran_it(committed, "2026-01-02T00:00:00", 2)
    nbformat.write(rerun, repo / "run.ipynb")
    blocks = _diff_blocks(repo)
    if with_project_nbdime_config:
        assert blocks == [], blocks[:10]
    else:  # the control: the same change without the project's config is all noise
        assert len(blocks) > len(committed.cells), blocks[:10]
    first_code = next(cell for cell in rerun.cells if cell.cell_type == "code" and cell.outputs)
    first_code.outputs = []
    nbformat.write(rerun, repo / "run.ipynb")
    blocks = _diff_blocks(repo)
    if with_project_nbdime_config:  # a real change still shows, and only it
        assert blocks and all(f"/cells/{rerun.cells.index(first_code)}/outputs" in block for block in blocks), blocks


@pytest.mark.parametrize("newer", ["py", "ipynb"])
def test_jupytext_sync_leaves_the_committed_pairs_unchanged(tmp_path, newer):
    shutil.copy(ROOT / "jupytext.toml", tmp_path)
    folder = tmp_path / "notebooks"
    folder.mkdir()
    pairs = sorted(path.stem for path in (ROOT / "notebooks").glob("*.py"))
    for stem in pairs:
        for suffix in (".py", ".ipynb"):
            shutil.copy(ROOT / "notebooks" / f"{stem}{suffix}", folder)
        # jupytext syncs from the newer file of a pair; a clone gives either order.
        older = folder / f"{stem}.{'ipynb' if newer == 'py' else 'py'}"
        os.utime(older, (older.stat().st_atime, older.stat().st_mtime - 60))
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    subprocess.run(
        [str(BIN / "jupytext"), "--sync", *(f"{stem}.py" for stem in pairs)],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    changed = sorted(name for name, data in before.items() if (folder / name).read_bytes() != data)
    assert changed == [], f"`jupytext --sync` rewrites {changed}: re-execute with `trustlab refresh`"


def test_the_trustlab_kernelspec_starts_through_trustlab_kernel():
    from jupyter_client.kernelspec import KernelSpecManager

    argv = KernelSpecManager().get_kernel_spec("trustlab").argv
    assert argv[argv.index("-m") + 1] == "trustlab.kernel"
    assert argv[-2:] == ["-f", "{connection_file}"]


def test_a_stock_papermill_run_prints_no_tcp_warning_on_loopback(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1 + 1")])
    nbformat.write(notebook, tmp_path / "in.ipynb")
    ran = subprocess.run(
        [str(BIN / "papermill"), "-k", "trustlab", "--log-level", "WARNING", "in.ipynb", "out.ipynb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert "without encryption" not in ran.stderr + ran.stdout
