"""`trustlab serve` end to end: the command started as a user starts it (on a copy of the project
holding the demo notebook), driven in headless Chromium with playwright, then stopped with
SIGTERM, leaving no run, kernel or fork server behind."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from trustlab.runner.pdf import CHROMIUM_ARGS  # the flags the PDF printer launches Chromium with

pytestmark = [pytest.mark.kernel, pytest.mark.browser, pytest.mark.slow]

pytest.importorskip("starlette")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
TOKEN = "test-token-0123456789"


def _api(base: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def _until(condition, timeout: float = 120.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`trustlab serve --port 0 --token T` on a copy of the project with the demo notebook; stopped
    (by its recorded PID) at the end."""
    with _serving(tmp_path_factory) as served:
        yield served


@pytest.fixture
def own_server(tmp_path_factory):
    """A server of the test's own, for a test that stops it (the others share :func:`server`)."""
    with _serving(tmp_path_factory) as served:
        yield served


@contextlib.contextmanager
def _serving(tmp_path_factory):
    """Start `trustlab serve` on a new copy of the project; stop it (by its recorded PID) at the end
    if the test has not stopped it already."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(FIXTURES, root / "notebooks")
    (root / "data").mkdir()
    (root / "data" / "numbers.csv").write_text("a,b\n1,2\n")
    env = {**os.environ, "TRUSTLAB_ROOT": str(root)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "trustlab.runner.cli", "serve", "--port", "0", "--token", TOKEN, "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=root,
        stdin=subprocess.DEVNULL,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("trustlab serve: open http://127.0.0.1:"), line + proc.stderr.read()
        url = line.split("open ", 1)[1].strip()
        assert url.endswith(f"/?token={TOKEN}")
        yield {"proc": proc, "url": url, "base": url.split("/?")[0], "root": root}
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_the_explorer_in_headless_chromium(server, screenshots):
    """Open the app, change a parameter and see the new report and the comparison, get a refusal
    for an out-of-range value, reload a run's address, run a small sweep."""
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            refusing = []  # the refusal is a 400 answer, which Chromium logs as an error: expected there only
            page.on(
                "console",
                lambda msg: (
                    problems.append(f"console {msg.type}: {msg.text}")
                    if msg.type == "error" and not (refusing and "status of 400" in msg.text)
                    else None
                ),
            )
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.goto(server["url"])  # the token in the address; a cookie carries it from here on
            expect(page.locator("#nb-90_demo")).to_contain_text("Demo notebook for the runner tests")
            page.click("#nb-90_demo >> text=explore")
            page.fill("#p-x", "4")
            page.fill("#p-sleep_seconds", "1.5")  # longer than the page waits before it shows progress
            page.click("#run-button")
            expect(page.locator("#run-status.progress")).to_be_visible()  # progress first, polled
            comparison = page.locator("#comparison")
            expect(comparison).to_be_visible(timeout=120_000)
            expect(comparison.locator("tr.changed", has_text="double")).to_contain_text("+5 (+166.7%)")
            expect(comparison.locator("tr.parameter.changed")).to_have_count(2)  # x and sleep_seconds
            expect(comparison.locator("tr.parameter.changed").first).to_contain_text("x")
            report = page.frame_locator("#report")
            expect(report.locator("#trustlab-provenance")).to_contain_text("changed")
            run_url = page.locator("#run-url").get_attribute("href")
            assert run_url.startswith("/notebooks/90_demo/run?x=4.0&")
            page.screenshot(path=str(screenshots / "explorer-run.png"), full_page=True)

            page.goto(server["base"] + "/notebooks/90_demo")
            page.fill("#p-x", "500")
            refusing.append(True)
            page.click("#run-button")
            expect(page.locator("#refused")).to_have_text("parameter 'x': expected > 0 and <= 100, got 500")
            refusing.clear()

            page.goto(server["base"] + run_url)  # the run's address reproduces it, from the cache at once
            expect(page.locator("#comparison")).to_be_visible()
            expect(page.locator("#run-status")).to_have_attribute("data-pending", "no")  # no progress: done already
            expect(page.locator("#status")).to_have_text("ok")

            page.goto(server["base"] + "/notebooks/90_demo/sweep")
            page.select_option("#vary", "x")
            page.fill("#start", "1")
            page.fill("#stop", "2")
            page.fill("#steps", "2")
            page.click("#sweep-button")
            expect(page.locator("#plot svg")).to_be_visible(timeout=120_000)
            csv = page.request.get(server["base"] + page.locator("#csv").get_attribute("href"))
            assert csv.ok and "result.double" in csv.text()
            assert len(page.locator("#sweep-table tr").all()) == 3
        finally:
            browser.close()
    assert problems == []


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def test_stopping_the_server_leaves_no_run_kernel_or_fork_server(own_server):
    server = own_server
    proc, base = server["proc"], server["base"]
    record = _api(base, "/api/runs?wait=false", {"notebook": "90_demo", "parameters": {"sleep_seconds": "120"}})
    _until(lambda: _api(base, f"/api/runs/{record['run_id']}")["status"] == "running", what="the run to start")
    fork_server = _api(base, "/api/status")["fork_server_pid"]
    started = _until(lambda: pids if len(pids := _descendants(proc.pid)) >= 3 else None, what="the run's kernel")
    assert fork_server in started
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0
    assert "stopped; no run, kernel or fork server is left" in proc.stderr.read()
    _until(lambda: not any(_alive(pid) for pid in started), timeout=30, what="every process the server started to end")
    assert not list((server["root"] / "reports" / "runs").glob(".*tmp-*")), "a staging folder was left behind"
