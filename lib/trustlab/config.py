"""Project paths, built from the package's own location so nothing depends on the working directory.

``TRUSTLAB_ROOT`` overrides the project root (used by tests that build a copy of the project).
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The folder holding ``pyproject.toml``, ``data/`` and ``notebooks/``."""
    override = os.environ.get("TRUSTLAB_ROOT")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[2]


PROJECT_ROOT = project_root()
DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
PARAMS_DIR = NOTEBOOKS_DIR / "params"
REPORTS_DIR = PROJECT_ROOT / "reports"
PACKAGE_DIR = Path(__file__).resolve().parent
