"""Where a result came from: the commit, the package versions and the hashes of the data files."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from trustlab import config

if TYPE_CHECKING:  # imported lazily at run time: it is slow to import
    import pandas as pd

KEY_PACKAGES = (
    "trustlab",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "seaborn",
    "matplotlib",
    "pandera",
    "papermill",
    "nbconvert",
    "jupytext",
    "dask",
)


GIT_COMMIT_VARIABLE = "TRUSTLAB_GIT_COMMIT"


def git_commit(root: Path | None = None) -> str | None:
    """The commit checked out in the project, with '+dirty' when tracked files have changes; None outside git.

    A sweep's worker runs notebooks on a copy of the client's project sent to it, which is no git
    checkout: there the client's commit comes in ``TRUSTLAB_GIT_COMMIT``.
    """
    if root is None and os.environ.get(GIT_COMMIT_VARIABLE):
        return os.environ[GIT_COMMIT_VARIABLE]
    root = root or config.PROJECT_ROOT
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "lib", "data", "notebooks"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def package_versions(packages: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str]:
    """Installed versions of the packages a run depends on ('not installed' where missing)."""
    versions = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_digest() -> str:
    """SHA-256 over the trustlab package's own files (code and templates, caches excluded): two
    installations agree on it exactly when they run the same trustlab code."""
    digest = hashlib.sha256()
    package = config.PACKAGE_DIR
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(file_sha256(path).encode())
    return digest.hexdigest()


def data_files(root: Path | None = None) -> list[Path]:
    """Every data file of the project (``data/**``, README excluded), sorted."""
    data_dir = (root or config.PROJECT_ROOT) / "data"
    return sorted(p for p in data_dir.rglob("*") if p.is_file() and p.name != "README.md")


def data_hashes(root: Path | None = None) -> dict[str, str]:
    """SHA-256 of every data file, keyed by its path relative to the project root."""
    root = root or config.PROJECT_ROOT
    return {str(p.relative_to(root)): file_sha256(p) for p in data_files(root)}


def environment_table() -> "pd.DataFrame":
    """A small table of the run's environment, for the last cell of every notebook."""
    import pandas as pd

    rows = [("commit", git_commit() or "not a git checkout")]
    rows += [(name, version) for name, version in package_versions().items()]
    return pd.DataFrame(rows, columns=["component", "version"]).set_index("component")
