"""Fixtures shared by the runner's tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from trustlab.runner import runs

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def forked():
    """The executor of a fork server shared by a test module's runs, as a build or `trustlab run`
    runs them (preloaded for the fixture notebooks). Tests of a run as a new interpreter call
    run_notebook without it; a test that changes the package or the project's paths must not use
    it (its runs fork from what the server imported when it started)."""
    notebooks = sorted([*(FIXTURES / "notebooks").glob("*.py"), *(FIXTURES / "report_pages").glob("*.py")])
    server = runs.start_fork_server(notebooks)
    try:
        yield runs.fork_server_executor(server)
    finally:
        server.close()
