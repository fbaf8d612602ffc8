"""Every kind of page trustlab makes passes axe-core (no serious or critical violation) in Chromium and
html-validate (no error under the project's .htmlvalidate.json): the report page of each committed
notebook as a run renders it, the report site's index, and the explorer's pages (home, a notebook's
form, a finished run, a sweep). One browser for all of them; the checkers are in tests/page_checks.py."""

from __future__ import annotations

import datetime
import urllib.request
from pathlib import Path

import nbformat
import pytest
from page_checks import LANDMARKS, axe_pages, html_validate
from trustlab import config
from trustlab.runner import report, runs

from conftest import wait_until

pytestmark = [pytest.mark.browser]

DEMO = Path(__file__).parent / "fixtures" / "notebooks" / "90_demo.py"
PRICING = config.NOTEBOOKS_DIR / "03_pricing_positioning.py"
COLLECTION = sorted(config.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def report_pages(tmp_path_factory) -> list[Path]:
    """The report page of each committed notebook, rendered as a run renders it (`trustlab run`, the build)."""
    folder = tmp_path_factory.mktemp("reports")
    pages = []
    for committed in COLLECTION:
        nb = nbformat.read(committed, as_version=4)
        record = runs.new_record(committed.stem, None, {"seed": 7}, "key", None, datetime.datetime.now())
        record["changed_parameters"] = {"seed": 1}  # the header's "changed" badge on the page too
        page = folder / f"{committed.stem}.html"
        page.write_text(report.render_html(nb, record), encoding="utf-8")
        pages.append(page)
    return pages


@pytest.fixture(scope="module")
def explorer_pages(tmp_path_factory):
    """An explorer of the demo notebook and 03 (its form has the contract's groups and sliders), served by
    uvicorn in a thread, after one run and one sweep of the demo: the address of each kind of page,
    each page's HTML written to a file, and the site (its index rewritten after the run)."""
    from starlette.testclient import TestClient
    from trustlab.runner.explorer import Explorer
    from trustlab.runner.serve import create_app

    from conftest import served_in_a_thread

    explorer = Explorer(tmp_path_factory.mktemp("explore") / "site", [DEMO, PRICING], workers=1)
    try:
        with served_in_a_thread(create_app(explorer)) as base:
            with TestClient(create_app(explorer), base_url="http://127.0.0.1") as client:
                run = client.post("/api/runs", json={"notebook": "90_demo", "parameters": {"x": "2.5"}}).json()
                assert run["status"] in ("ok", "cached"), run
                client.post("/notebooks/90_demo/sweep", data={"vary": "x", "start": "1", "stop": "2", "steps": "2"})
            sweep = next(job for job in explorer.sweeps.values() if job.notebook == "90_demo")
            assert sweep.done.wait(120) and sweep.status == "ok", sweep.error
            index = explorer.site / "index.html"
            wait_until(
                lambda: index.exists() and f"runs/{run['run_id']}/" in index.read_text(), 120, "the run in the site's index"
            )
            paths = {
                "explorer-home": "/",
                "explorer-form": "/notebooks/03_pricing_positioning",
                "explorer-run": run["run_url"],
                "explorer-sweep": "/notebooks/90_demo/sweep?vary=x&start=1&stop=2&steps=2",
            }
            folder = tmp_path_factory.mktemp("explorer-pages")
            files = []
            for name, path in paths.items():
                with urllib.request.urlopen(base + path, timeout=60) as response:
                    (folder / f"{name}.html").write_bytes(response.read())
                files.append(folder / f"{name}.html")
            yield {"urls": {name: base + path for name, path in paths.items()}, "files": files, "index": index}
    finally:
        explorer.close()


def test_the_checkers_find_low_contrast_no_landmark_a_digit_id_and_a_th_without_scope(browser, tmp_path):
    """The checkers themselves, on a page made to fail: grey #b0b0b0 on white is 2.1:1 (WCAG AA asks 4.5:1
    for body text), text outside any landmark, an id starting with a digit, and a table with headers on both
    sides, neither with a scope, and rows outside a <tbody>."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html>\n<html lang="en">\n  <head>\n    <title>bad</title>\n  </head>\n  <body>\n'
        '    <p id="0_bad" style="color: #b0b0b0">faint</p>\n'
        "    <table>\n      <tr>\n        <th>name</th>\n        <th>value</th>\n      </tr>\n"
        "      <tr>\n        <th>x</th>\n        <td>1</td>\n      </tr>\n    </table>\n  </body>\n</html>\n"
    )
    found = axe_pages(browser, {"bad": page.as_uri()})["bad"]
    assert [line.split(" ")[0] for line in found] == ["color-contrast"], found  # serious; the landmark rules are moderate
    found = axe_pages(browser, {"bad": page.as_uri()}, rules=LANDMARKS)["bad"]
    assert sorted({line.split(" ")[0] for line in found}) == ["color-contrast", "landmark-one-main", "region"], found
    rules = {line.split(" ")[1].rstrip(":") for line in html_validate([page], tmp_path / "report.json")["bad.html"]}
    assert rules == {"valid-id", "no-inline-style", "wcag/h63", "prefer-tbody"}, rules


def test_no_report_page_has_a_serious_or_critical_accessibility_violation(browser, report_pages):
    found = axe_pages(browser, {page.name: page.as_uri() for page in report_pages})
    assert found == {page.name: [] for page in report_pages}


@pytest.mark.kernel
def test_no_explorer_page_nor_the_site_index_has_a_serious_or_critical_accessibility_violation(browser, explorer_pages):
    urls = {**explorer_pages["urls"], "index.html": explorer_pages["index"].as_uri()}
    found = axe_pages(browser, urls, rules=LANDMARKS)  # the explorer's pages had no <main> nor <nav>
    assert found == {name: [] for name in urls}


@pytest.mark.kernel
def test_html_validate_finds_no_error_in_any_page(report_pages, explorer_pages, tmp_path):
    pages = [*report_pages, explorer_pages["index"], *explorer_pages["files"]]
    assert html_validate(pages, tmp_path / "html-validate.json") == {page.name: [] for page in pages}


@pytest.mark.kernel
def test_no_page_of_the_book_has_a_serious_or_critical_accessibility_violation(browser, smoke_build):
    """The site's book (Sphinx + sphinx-book-theme): its landing page and every report page."""
    book = smoke_build.site / "book"
    pages = {"index.html": (book / "index.html").as_uri()}
    pages |= {page.relative_to(book).as_posix(): page.as_uri() for page in sorted(book.glob("*/*.html"))}
    assert len(pages) > 1, sorted(pages)
    found = axe_pages(browser, pages)
    assert found == {name: [] for name in pages}
