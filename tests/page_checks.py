"""Accessibility and markup checks of any HTML page, for the browser tests: axe-core run inside a page
the suite's Chromium has open (:func:`axe_violations`) and html-validate over pages written to files
(:func:`html_validate`). Both come from npm, pinned in the project's package-lock.json and installed
into node_modules/ by `make node-deps` (`npm ci`), which `make test` runs first."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
HTML_VALIDATE = NODE_MODULES / "html-validate" / "bin" / "html-validate.mjs"
HTML_VALIDATE_CONFIG = ROOT / ".htmlvalidate.json"
SERIOUS = ("serious", "critical")  # the impacts no page may have (axe's others: minor, moderate)
LANDMARKS = ("region", "landmark-one-main")  # axe's rules that all content is in landmarks and there is one <main> (moderate)


def _installed(path: Path) -> Path:
    if not path.exists():
        raise AssertionError(f"{path} is missing: run `make node-deps` (npm ci) to install the page checkers")
    return path


def axe_violations(page: Any, impacts: tuple[str, ...] = SERIOUS, rules: tuple[str, ...] = ()) -> list[str]:
    """The axe-core violations of the given impacts, and of the named ``rules`` whatever their impact,
    on a playwright ``page`` (its frames included, each checked by its own copy of axe), one line each:
    rule, impact, the element and what fails.
    The page must be loaded; a context with ``bypass_csp=True`` lets the script in whatever the page's
    policy says."""
    script = _installed(AXE_SCRIPT)
    for frame in page.frames:
        frame.add_script_tag(path=str(script))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in impacts and violation["id"] not in rules:
            continue
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            found.append(f"{violation['id']} ({violation['impact']}) at {' > '.join(map(str, node['target']))}: {summary}")
    return found


def axe_pages(browser: Any, urls: dict[str, str], rules: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """:func:`axe_violations` of each page of ``urls`` (name -> address), opened in turn in one tab of a
    new context of the playwright ``browser``, 1,280 px wide."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        tab = context.new_page()
        found = {}
        for name, url in urls.items():
            tab.goto(url, wait_until="load")
            found[name] = axe_violations(tab, rules=rules)
        return found
    finally:
        context.close()


def html_validate(pages: list[Path], report: Path) -> dict[str, list[str]]:
    """html-validate's errors in each of ``pages`` (HTML files), by file name, one line each (line:column,
    rule, message), under the project's .htmlvalidate.json (html-validate:recommended, the rules it
    turns off justified in docs/contributing.md). A page without error maps to an empty list.
    html-validate writes its JSON to the file ``report`` (it exits before a long answer through a pipe
    is flushed)."""
    node = shutil.which("node")
    if node is None:
        raise AssertionError("node is missing: html-validate runs on Node.js 20 or later")
    proc = subprocess.run(
        [
            node,
            str(_installed(HTML_VALIDATE)),
            "--config",
            str(HTML_VALIDATE_CONFIG),
            "--formatter",
            f"json={report}",
            *map(str, pages),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    if proc.returncode not in (0, 1):  # 1: errors found, reported in the JSON
        raise AssertionError(f"html-validate failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    found: dict[str, list[str]] = {Path(page).name: [] for page in pages}
    for result in json.loads(report.read_text(encoding="utf-8")):
        found[Path(result["filePath"]).name] = [
            f"{m['line']}:{m['column']} {m['ruleId']}: {m['message']}" for m in result["messages"] if m["severity"] == 2
        ]
    return found
