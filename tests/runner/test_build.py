"""The whole collection built through the command line, as `make report` does (on the fast `smoke`
scenario of each notebook): recorded results, cache hits, determinism, the report site checked in
headless Chromium, and `trustlab publish`.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from cli_process import trustlab
from trustlab.runner import report, runs
from trustlab.runner.notebook import Notebook, resolve_run
from trustlab.runner.pdf import CHROMIUM_ARGS  # the flags the PDF printer launches Chromium with

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

NAMES = [nb.stem for nb in runs.notebooks()]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def site(smoke_build, tmp_path) -> Path:
    """A copy of the session's smoke build of every notebook (conftest.smoke_build) for one test,
    which may rebuild it or add a run to it (a copy per test: each passes alone and in any order)."""
    return smoke_build.copy(tmp_path / "site")


def test_the_build_reports_progress_and_a_table(smoke_build):
    assert f"[{len(NAMES)}/{len(NAMES)}] " in smoke_build.stderr, "no progress was reported"
    assert "notebook                           status    seconds  cache hit" in smoke_build.stdout
    for name in NAMES:
        assert re.search(rf"^{name} +ok +[0-9.]+  no  ", smoke_build.stdout, re.M), smoke_build.stdout


def _record(site: Path, name: str) -> dict:
    return json.loads((site / f"{name}--smoke" / "results.json").read_text())


@pytest.mark.parametrize("name", NAMES)
def test_every_notebook_built_with_its_recorded_results(site, name):
    from test_notebooks import REQUIRED_RESULTS

    folder = site / f"{name}--smoke"
    assert (folder / f"{name}.ipynb").exists() and (folder / f"{name}.html").stat().st_size > 10_000
    record = _record(site, name)
    assert record["scenario"] == "smoke"
    assert record["parameters"] == Notebook.load(name).resolve(files=[Notebook.load(name).scenario_path("smoke")])
    missing = REQUIRED_RESULTS.get(name, set()) - set(record["results"])
    assert not missing, f"{name} did not record {sorted(missing)}"
    assert record["provenance"]["status"] == "ok"


def _outputs(site: Path, name: str) -> list:
    import nbformat

    notebook = runs.sanitize_notebook(nbformat.read(site / f"{name}--smoke" / f"{name}.ipynb", as_version=4))
    return [cell.get("outputs") for cell in notebook.cells]


def test_a_second_build_is_all_cache_hits(site):
    proc = trustlab("build", "--scenario", "smoke", "--out", str(site))
    assert proc.returncode == 0
    assert proc.stdout.count(" cached ") == len(NAMES), proc.stdout


def test_a_build_with_every_run_a_new_interpreter_is_identical(smoke_build, fresh_smoke_build):
    """The session's builds, with and without the fork server (conftest.fresh_smoke_build): the
    first forked its runs and kernels, and a notebook must not be able to tell the difference."""
    for name in NAMES:
        assert _record(fresh_smoke_build.site, name)["results"] == _record(smoke_build.site, name)["results"], (
            f"{name} is not deterministic"
        )
        assert _outputs(fresh_smoke_build.site, name) == _outputs(smoke_build.site, name), (
            f"{name} shows other outputs when its kernel is not forked"
        )


def test_a_notebook_runs_with_other_parameters_from_the_command_line(site):
    out = site / "runs" / "facts-alt-end"
    proc = trustlab(
        "run",
        "00_source_facts",
        "--scenario",
        "smoke",
        "-p",
        "festival_end",
        "2022-06-14",
        "-p",
        "topics",
        "[promotion]",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    record = json.loads((out / "results.json").read_text())
    assert record["parameters"]["festival_end"] == "2022-06-14" and record["parameters"]["topics"] == ["promotion"]
    default = _record(site, "00_source_facts")
    assert record["results"]["n_facts"] < default["results"]["n_facts"]
    # Each dated festival figure keeps the window its own sentence gives, whatever festival_end says.
    assert record["results"]["fast_brand_orders_per_day"] == default["results"]["fast_brand_orders_per_day"]


def test_index_lists_every_notebook_and_run(site):
    from conftest import FakeExecutor

    # An ad-hoc run in the site, made here (no kernel needed: the index only lists it).
    run = resolve_run("00_source_facts", scenario="smoke")
    ad_hoc = site / "runs" / "facts-alt-end"
    assert runs.run_notebook(run, ad_hoc, runs.RunOptions(site_root=site, executor=FakeExecutor())).ok
    report.build_index(site, runs.notebooks())
    index = (site / "index.html").read_text()
    for name in NAMES:
        assert f"{name}--smoke/{name}.html" in index
    assert "runs/facts-alt-end/00_source_facts.html" in index
    assert report.check_site(site) == []


def test_the_index_gives_each_notebook_its_answer_and_each_run_only_its_changed_parameters(site):
    import html as html_lib

    report.build_index(site, runs.notebooks())
    index = html_lib.unescape((site / "index.html").read_text())
    for name in NAMES:
        page = (site / f"{name}--smoke" / f"{name}.html").read_text()
        # the page's Summary, read from the HTML: its first list item, as text
        summary = page[page.index('id="Summary"') :]
        first = re.sub(r"<[^>]+>", "", summary[summary.index("<li>") + 4 : summary.index("</li>")])
        section = index[index.index(f'<section id="nb-{name}">') :]
        section = section[: section.index("</section>")]
        assert f"Answer (scenario smoke run):</strong> {' '.join(html_lib.unescape(first).split())}" in " ".join(section.split())
        # the smoke run's row lists exactly the parameters the smoke scenario changed
        changed = _record(site, name)["changed_parameters"]
        [row] = [r for r in re.findall(r"<tr class=\"run-ok\">.*?</tr>", section, re.DOTALL) if f"{name}--smoke/" in r]
        params_cell = re.findall(r'<td class="params">(.*?)</td>', row, re.DOTALL)[0]
        listed = [] if params_cell == "all defaults" else re.findall(r"(?:^|, )(\w+)=", params_cell)
        assert sorted(listed) == sorted(changed)


@pytest.mark.browser
def test_the_site_in_headless_chromium(site, screenshots):
    """Visit every page: no broken link, no missing image, no console error, a provenance header on
    every report; save a screenshot of the index (conftest.screenshots)."""
    from playwright.sync_api import sync_playwright

    report.build_index(site, runs.notebooks())
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
        page.on("dialog", lambda dialog: (problems.append(f"dialog opened: {dialog.message}"), dialog.dismiss()))

        page.goto((site / "index.html").as_uri())
        page.screenshot(path=str(screenshots / "index.png"), full_page=True)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        # the report pages; the site's book has its own test (tests/runner/test_book.py)
        pages = sorted({h.split("#")[0] for h in hrefs if (h.endswith(".html") or ".html#" in h) and "/book/" not in h})
        assert len(pages) >= len(NAMES)
        for href in hrefs:
            if href.startswith("file://"):
                target = Path(href.removeprefix("file://").split("#")[0])
                if not target.exists():
                    problems.append(f"index: broken link {href}")
        for url in pages:
            page.goto(url)
            if page.locator("#trustlab-provenance").count() != 1:
                problems.append(f"{url}: no provenance header")
            broken = page.eval_on_selector_all("img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).length")
            if broken:
                problems.append(f"{url}: {broken} image(s) did not load")
            for link in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                if link.startswith("file://") and not Path(link.removeprefix("file://").split("#")[0]).exists():
                    problems.append(f"{url}: broken link {link}")
            back = page.eval_on_selector("#trustlab-provenance nav a", "e => e.href")
            if not back.endswith("/index.html") or not Path(back.removeprefix("file://")).exists():
                problems.append(f"{url}: no working link back to the index ({back})")
        # The hide-code switch hides every code input.
        first = site / f"{NAMES[0]}--smoke" / f"{NAMES[0]}.html"
        page.goto(first.as_uri())
        visible_before = page.locator(".jp-CodeCell .jp-Cell-inputWrapper").first.is_visible()
        page.check("#trustlab-hide-code")
        visible_after = page.locator(".jp-CodeCell .jp-Cell-inputWrapper").first.is_visible()
        browser.close()
    assert visible_before and not visible_after
    assert problems == []


def test_publish_writes_a_self_contained_copy(site, tmp_path):
    report.build_index(site, runs.notebooks())
    dest = tmp_path / "shared-site"
    proc = trustlab("publish", str(dest), "--site", str(site))
    assert proc.returncode == 0, proc.stderr
    assert (dest / "index.html").exists()
    assert report.check_site(dest) == []
    for html_file in dest.rglob("*.html"):
        text = html_file.read_text()
        # nothing fetched from the network: scripts and stylesheets are inline, or files of the copy (the book's _static/)
        assert not re.search(r"""<script[^>]*\ssrc=["'](?:[a-z]+:)?//""", text), html_file
        assert not re.search(r"""<link[^>]*\shref=["'](?:[a-z]+:)?//""", text), html_file
    proc = trustlab("publish", str(site / "inside"), "--site", str(site))
    assert proc.returncode == 2 and "is, contains or lies inside the site" in proc.stderr
