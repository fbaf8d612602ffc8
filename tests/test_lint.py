"""The code passes ruff (lint and format) and mypy as configured in pyproject.toml, and the
pre-commit hooks of .pre-commit-config.yaml run and pass on the committed files."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from trustlab import config

ROOT = config.PROJECT_ROOT
CHECKED = ["lib", "tests", "bench", "scripts", "notebooks"]
BIN = Path(sys.executable).parent


def _run(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_ruff_finds_nothing():
    proc = _run(sys.executable, "-m", "ruff", "check", "--no-cache", *CHECKED)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


def test_ruff_format_would_change_nothing():
    proc = _run(sys.executable, "-m", "ruff", "format", "--check", "--no-cache", *CHECKED)
    assert proc.returncode == 0, f"run `ruff format {' '.join(CHECKED)}`:\n" + proc.stdout[-3000:] + proc.stderr[-1000:]


def test_mypy_checks_the_package_in_its_pre_commit_hook():
    """mypy itself runs once, as the pre-commit hook (test_pre_commit_passes_on_every_file...): on
    the whole package, whatever files a commit stages."""
    assert "lib/trustlab" in " ".join(_mypy_files()), "mypy checks the package (pyproject.toml [tool.mypy] files)"
    mypy = _hooks()["mypy"]
    assert mypy["entry"] == ".venv/bin/mypy" and mypy["pass_filenames"] is False, mypy


def _mypy_files() -> list[str]:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["files"]


def test_the_package_ships_its_type_marker():
    import tomllib

    assert (config.PACKAGE_DIR / "py.typed").is_file()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "py.typed" in package_data["trustlab"]


# ---------------------------------------------------------------- pre-commit


def _hooks() -> dict[str, dict]:
    spec = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    return {hook["id"]: hook for repo in spec["repos"] for hook in repo["hooks"]}


def test_the_pre_commit_hooks_are_the_ones_documented():
    hooks = _hooks()
    assert {"ruff-check", "ruff-format", "jupytext-sync", "nbqa-ruff", "mypy"} <= set(hooks)
    for hook in hooks.values():  # run from .venv: nothing to download on a machine without network
        assert hook["language"] == "system" and hook["entry"].startswith(".venv/bin/"), hook


def _clone(tmp_path: Path) -> Path:
    """A clone of this checkout's last commit, with this checkout's uncommitted changes to tracked files."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True, capture_output=True)
    changed = _run("git", "diff", "--name-only", "--no-renames", "HEAD").stdout.split()  # a rename: both paths
    untracked = _run("git", "ls-files", "--others", "--exclude-standard").stdout.split()
    for rel in changed + untracked:
        source = ROOT / rel
        if source.is_file():
            (clone / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / rel)
        elif (clone / rel).exists():
            (clone / rel).unlink()
    (clone / ".venv").symlink_to(BIN.parent)  # the hooks' entries call .venv/bin/...
    if (ROOT / ".mypy_cache").is_dir():  # mypy then checks what changed (by content hash), not the whole package cold
        shutil.copytree(ROOT / ".mypy_cache", clone / ".mypy_cache")
    for args in (
        ["add", "--all"],
        ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "x", "--allow-empty", "--no-verify"],
    ):
        subprocess.run(["git", "-C", str(clone), *args], check=True, capture_output=True)
    return clone


def _statuses(output: str) -> dict[str, str]:
    """Each hook's name and its status (Passed, Failed, Skipped) in the output of `pre-commit run`."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"^(\S.*?)\.{3,}(?:\(no files to check\))?(Passed|Failed|Skipped)$", line.rstrip())
        if match:
            found[match.group(1)] = match.group(2)
    return found


@pytest.mark.slow
def test_pre_commit_passes_on_every_file_and_each_hook_stops_what_it_guards(tmp_path):
    """In a clone of this checkout: every hook runs and passes; then one break per hook (an unused
    import, unformatted code, a notebook pair out of sync, an unused import in a notebook's cell, a
    type error in the package) and every hook fails, naming the file."""
    if not (ROOT / ".git").exists():
        pytest.skip(f"{ROOT} is not a git checkout: pre-commit runs on a git repository")
    clone = _clone(tmp_path)
    names = {hook["name"]: hook_id for hook_id, hook in _hooks().items()}

    def run() -> subprocess.CompletedProcess:
        return _run(str(BIN / "pre-commit"), "run", "--all-files", "--color", "never", cwd=clone, timeout=900)

    proc = run()
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert _statuses(proc.stdout) == {name: "Passed" for name in names}, proc.stdout

    def append(rel: str, text: str) -> None:
        path = clone / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    append("tests/test_layout.py", "\nimport os\n")  # ruff check: unused import
    append("bench/__init__.py", "\nx = [1,2]\n")  # ruff format
    append("notebooks/00_source_facts.py", "\n# %%\nprint('added to the .py alone')\n")  # pair out of sync
    append("lib/trustlab/prose.py", "\n\ndef _broken() -> int:\n    return 'text'\n")  # mypy
    import nbformat

    other = clone / "notebooks" / "01_governance.ipynb"
    notebook = nbformat.read(other, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("import json"))  # nbqa ruff: unused import in a cell
    nbformat.write(notebook, other)
    proc = run()
    assert proc.returncode != 0
    assert _statuses(proc.stdout) == {name: "Failed" for name in names}, proc.stdout
    for shown in ("test_layout.py", "00_source_facts", "01_governance.ipynb", "prose.py"):
        assert shown in proc.stdout, f"{shown} is not named:\n{proc.stdout[-4000:]}"
    assert "files were modified by this hook" in proc.stdout  # ruff format reformatted bench/__init__.py
