"""Take the README's screenshots of the pages as they are now: a report, the site index and the explorer.

    .venv/bin/python scripts/screenshots.py   # docs/report.png, docs/report-index.png, docs/book.png, docs/explorer.png

Everything is built afresh in a temporary folder (`trustlab build --out`, `trustlab serve --out`), so the
pictures show what a newcomer's `make report` and `trustlab serve` give, not an old site: a report
page, the site's index, a report in the site's book (Sphinx) and the explorer. The explorer's
picture is a run of 03_pricing_positioning with one parameter changed, compared with the default run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from trustlab.runner.pdf import CHROMIUM_ARGS, chromium_path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TOKEN = "screenshots-" + os.urandom(8).hex()
EXPLORED = "03_pricing_positioning"
CHANGED = {"promo_price": "499"}
WIDTH, HEIGHT = 1280, 900


def _trustlab(*args: str) -> list[str]:
    return [sys.executable, "-m", "trustlab.runner.cli", *args]


def _api(base: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.loads(response.read())


def _finished(base: str, run_id: str, timeout: float = 300.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = _api(base, f"/api/runs/{run_id}")
        if record["status"] not in ("queued", "running"):
            return record
        time.sleep(0.5)
    raise SystemExit(f"screenshots: the explorer's run {run_id} did not finish in {timeout:.0f} s")


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="trustlab-screenshots-") as tmp:
        site = Path(tmp) / "site"
        subprocess.run(_trustlab("build", "--out", str(site)), check=True, cwd=ROOT)
        server = subprocess.Popen(
            _trustlab("serve", "--port", "0", "--token", TOKEN, "--out", str(Path(tmp) / "explorer")),
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
        try:
            line = server.stdout.readline() if server.stdout else ""
            if "open http://" not in line:
                raise SystemExit(f"screenshots: trustlab serve did not start: {line!r}")
            base = line.split("open ", 1)[1].strip().split("/?")[0]
            default = _api(base, "/api/runs?wait=false", {"notebook": EXPLORED, "parameters": {}})
            _finished(base, default["run_id"])
            changed = _api(base, "/api/runs?wait=false", {"notebook": EXPLORED, "parameters": CHANGED})
            _finished(base, changed["run_id"])
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium_path() or "chromium", args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
                    page.goto((site / EXPLORED / f"{EXPLORED}.html").as_uri())
                    page.screenshot(path=str(DOCS / "report.png"))
                    page.goto((site / "index.html").as_uri())
                    page.screenshot(path=str(DOCS / "report-index.png"), full_page=True)
                    page.goto((site / "book" / EXPLORED / f"{EXPLORED}.html").as_uri())
                    page.screenshot(path=str(DOCS / "book.png"))
                    page.goto(f"{base}/?token={TOKEN}")
                    page.goto(f"{base}/runs/{changed['run_id']}")
                    page.locator("#comparison").wait_for(timeout=120_000)
                    page.screenshot(path=str(DOCS / "explorer.png"))
                finally:
                    browser.close()
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                server.wait(60)
    for name in ("report.png", "report-index.png", "book.png", "explorer.png"):
        print(f"screenshots: wrote {(DOCS / name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
