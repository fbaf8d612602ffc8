"""Fixtures shared by several test files."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest


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


def wait_until(condition: Callable[[], object], timeout: float, what: str, *, interval: float = 0.05,
               alive: Callable[[], bool] | None = None) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` once ``timeout`` seconds have passed, or
    at once when ``alive()`` says that what would make it hold (a process) has ended.

    Tests wait on conditions (a marker file a notebook writes, a server answering), never on a fixed
    sleep: a quiet machine goes on at once, a busy one gets up to ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if alive is not None and not alive():
            pytest.fail(f"{what}: what it waited on has ended")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s")
        time.sleep(interval)
