"""The `trustlab` command as a user runs it, for the runner tests: a new process with no stdin,
its output captured as text."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any


def trustlab(
    *args: str, timeout: float = 600, extra_env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess:
    """Run ``trustlab ARGS`` (``python -m trustlab.runner.cli``); ``extra_env`` is added to this
    process's environment, other keyword arguments (``cwd``, ``env``) go to :func:`subprocess.run`."""
    if extra_env is not None:
        kwargs["env"] = {**(kwargs.get("env") or os.environ), **extra_env}
    return subprocess.run(
        [sys.executable, "-m", "trustlab.runner.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        **kwargs,
    )
