"""The project as JupyterLab and git see it: paired notebooks, the default kernel, nbdime diffs.

Each test drives the real component (jupytext's contents manager as Lab loads it, a Jupyter
server's REST API, git with nbdime's driver) rather than reading configuration files.
"""

from __future__ import annotations

import asyncio
import json
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


def test_a_jupyter_server_of_the_environment_defaults_to_the_trustlab_kernel(tmp_path):
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
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernelspecs?token={token}", timeout=5) as reply:
                    specs = json.load(reply)
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
    assert specs["default"] == "trustlab"
    assert "trustlab" in specs["kernelspecs"]


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
