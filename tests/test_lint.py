"""The code passes ruff (pyflakes, pycodestyle, import order) as configured in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys

from trustlab import config


def test_ruff_finds_nothing():
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "lib", "tests", "bench", "scripts", "notebooks"],
        cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]
