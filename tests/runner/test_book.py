"""The site's book (Sphinx + myst-nb + sphinx-book-theme): landing page with the answers, a page per
run with its provenance header, sidebar, contents and numbered figures, search, dark mode and print;
rebuilt only when its inputs changed, never half-built, never over files trustlab did not write."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from trustlab.runner import book, report, runs, sites
from trustlab.runner.commands import common


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _recorded_pages(site: Path) -> dict[str, Path]:
    """Each recorded run folder -> its page in the book (named after the notebook its record names)."""
    pages = {}
    for rel in json.loads((site / ".trustlab-site.json").read_text())["runs"]:
        name = json.loads((site / rel / "results.json").read_text())["notebook"]
        pages[rel] = site / "book" / rel / f"{name}.html"
    return pages


def _first_summary_point(executed: Path) -> str:
    """The first line the cell after a "Summary" heading displays, read straight from the notebook's JSON."""
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    for cell, following in zip(cells, cells[1:]):
        if cell["cell_type"] == "markdown" and re.search(r"^#+ *Summary", "".join(cell["source"]), re.MULTILINE):
            shown = "".join(following["outputs"][0]["data"]["text/markdown"])
            line = next(line for line in shown.splitlines() if line.strip())
            return re.sub(r"\*\*|`", "", line.strip().removeprefix("- ")).strip()
    raise AssertionError(f"{executed}: no Summary")


def _visible_text(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ").split())


# ---------------------------------------------------------------- what the book shows


@pytest.mark.kernel
def test_the_landing_page_gives_each_answer_and_links_every_run_page(smoke_build):
    site = smoke_build.site
    landing = _soup(site / "book" / "index.html")
    text = _visible_text(landing)
    links = {a["href"] for a in landing.select("article a[href]")}
    for rel, page in _recorded_pages(site).items():
        assert page.is_file(), f"no book page for {rel}"
        assert page.relative_to(site / "book").as_posix() in links, f"the landing page does not link {rel}"
        answer = _first_summary_point(site / rel / f"{page.stem}.ipynb")
        assert " ".join(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", answer).split()) in text
    assert "book/index.html" in {a["href"] for a in _soup(site / "index.html").select("a[href]")}, "index.html links the book"
    assert report.check_site(site) == [], "every link of the site and its book leads to a file"


@pytest.mark.kernel
def test_every_run_page_has_its_header_a_sidebar_entry_contents_and_numbered_figures(smoke_build):
    site = smoke_build.site
    for rel, page in _recorded_pages(site).items():
        soup = _soup(page)
        record = json.loads((site / rel / "results.json").read_text())
        header = soup.select_one("article header.trustlab-header")
        assert header is not None, f"{page.name}: no provenance header"
        assert {th.get_text() for th in header.select("details.trustlab-all-parameters th")} == set(record["parameters"])
        sidebar = soup.select("nav.bd-docs-nav a[href]")
        assert len(sidebar) == len(_recorded_pages(site)) + 1, "the sidebar lists the landing page and every run"
        current = soup.select_one("nav.bd-docs-nav li.current > a")
        assert current is not None and soup.h1.get_text(strip=True).rstrip("#") in current.get_text(" ", strip=True)
        assert "Summary" in [a.get_text(strip=True) for a in soup.select("nav.page-toc a")], f"{page.name}: no contents"
        download = soup.select_one(".dropdown-download-buttons a[href*='_sources/']")
        assert download is not None and download["href"].endswith(f"{page.stem}.ipynb"), f"{page.name}: no notebook download"
        assert (page.parent / download["href"]).is_file()
        # Every titled figure of the standalone page is numbered from 1 in the book, in order, titled as there.
        standalone = _soup(site / rel / f"{page.stem}.html")
        titles = [
            img["alt"].removeprefix("Figure: ").split(". ")[0].rstrip(".") for img in standalone.select("img[alt^='Figure:']")
        ]
        titles = [title for title in titles if title != "untitled"]
        numbers = [span.get_text(strip=True) for span in soup.select("figcaption .caption-number")]
        assert numbers == [f"Figure {n}" for n in range(1, len(titles) + 1)], page.name
        assert [span.get_text(strip=True) for span in soup.select("figcaption .caption-text")] == titles
    assert any(numbers for numbers in [_soup(p).select("figcaption") for p in _recorded_pages(site).values()])


@pytest.mark.kernel
def test_report_pages_show_no_setup_code_and_no_parameters_cells(smoke_build):
    for page in _recorded_pages(smoke_build.site).values():
        code = " ".join(block.get_text() for block in _soup(page).select("div.cell_input"))
        assert "injected-parameters" not in code and "# Parameters" not in code
        assert "plots.setup()" not in code, f"{page.name}: a set-up cell's code is shown"


@pytest.mark.browser
@pytest.mark.kernel
def test_search_dark_mode_and_print_in_chromium(smoke_build):
    from trustlab.runner import pdf

    if pdf.chromium_path() is None:
        pytest.skip("Chromium is missing: make system-deps")
    from playwright.sync_api import sync_playwright

    site = smoke_build.site / "book"
    pages = _recorded_pages(smoke_build.site)
    target = pages["03_pricing_positioning--smoke"]
    word = "semi-presale"  # said only in 03
    assert [p.name for p in pages.values() if word in _visible_text(_soup(p)).lower()] == [target.name]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=pdf.chromium_path(), args=pdf.CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            tab.goto((site / "search.html").as_uri() + f"?q={word}")
            tab.wait_for_selector("#search-results li", timeout=20_000)
            found = tab.eval_on_selector_all("#search-results li a", "links => links.map(a => a.getAttribute('href'))")
            assert any(target.name in href for href in found) and not any("01_governance" in href for href in found)

            dark = browser.new_page(color_scheme="dark")
            dark.goto(target.as_uri())
            rgb = dark.evaluate("getComputedStyle(document.body).backgroundColor")
            assert sum(int(c) for c in re.findall(r"\d+", rgb)[:3]) < 3 * 80, f"dark mode background is {rgb}"
            header_rgb = dark.evaluate("getComputedStyle(document.querySelector('.trustlab-header')).backgroundColor")
            assert sum(int(c) for c in re.findall(r"\d+", header_rgb)[:3]) < 3 * 80, "the header follows the dark scheme"

            light = browser.new_page(color_scheme="light")
            light.goto(target.as_uri())
            assert light.evaluate("getComputedStyle(document.querySelector('.bd-sidebar-primary')).display") != "none"
            light.emulate_media(media="print")
            assert light.evaluate("getComputedStyle(document.querySelector('.bd-sidebar-primary')).display") == "none"
        finally:
            browser.close()


# ---------------------------------------------------------------- when it is built, and when it is not


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.mark.kernel
def test_a_no_op_runs_no_sphinx_and_a_changed_run_rebuilds_the_book(smoke_build, tmp_path):
    site = smoke_build.copy(tmp_path / "site")
    before, stamp = _mtimes(site / "book"), sites.book_stamp(site)
    assert stamp is not None
    assert book.update(site, runs.notebooks()) is None
    assert _mtimes(site / "book") == before and sites.book_stamp(site) == stamp

    record_path = site / "04_community_trust--smoke" / "results.json"
    record = json.loads(record_path.read_text())
    record["provenance"]["git_commit"] = "c0ffee0123456789"
    record_path.write_text(json.dumps(record))
    failed_path = site / "00_source_facts--smoke" / "results.json"  # a failed run keeps its own page, which marks the cell
    failed = json.loads(failed_path.read_text())
    failed["provenance"]["status"] = "failed"
    failed_path.write_text(json.dumps(failed))
    assert book.update(site, runs.notebooks()) == site / "book"
    assert "c0ffee0123456789" in (site / "book" / "04_community_trust--smoke" / "04_community_trust.html").read_text()
    assert not (site / "book" / "00_source_facts--smoke").exists()
    landing = {a["href"] for a in _soup(site / "book" / "index.html").select("article a[href]")}
    assert "../00_source_facts--smoke/00_source_facts.html" in landing
    assert sites.book_stamp(site) not in (None, stamp)
    assert not list(site.glob(".book.tmp-*")), "no staging folder is left"


@pytest.mark.kernel
def test_a_failing_sphinx_build_keeps_the_previous_book_and_says_why(smoke_build, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TRUSTLAB_BOOK", "on")
    site = smoke_build.copy(tmp_path / "site")
    before, stamp = _mtimes(site / "book"), sites.book_stamp(site)
    executed = site / "04_community_trust--smoke" / "04_community_trust.ipynb"
    nb = json.loads(executed.read_text())
    nb["cells"].append({"cell_type": "markdown", "id": "broken-ref", "metadata": {}, "source": "See {numref}`no-such-figure`."})
    executed.write_text(json.dumps(nb))

    with pytest.raises(book.BookError, match="no-such-figure"):
        book.update(site, runs.notebooks())
    assert _mtimes(site / "book") == before and sites.book_stamp(site) == stamp
    assert not list(site.glob(".book.tmp-*"))

    assert common.update_book(site) is False
    said = capsys.readouterr().err
    assert "the site's book was left as it was" in said and "no-such-figure" in said


def test_a_file_trustlab_did_not_write_in_the_book_folder_is_refused(tmp_path):
    site = sites.open_site(tmp_path / "site")
    (site / "book").mkdir()
    (site / "book" / "notes.txt").write_text("mine")
    with pytest.raises(sites.OwnershipError, match=r"book: this folder exists and trustlab did not build it"):
        book.update(site, [])
    assert (site / "book" / "notes.txt").read_text() == "mine"


def test_a_foreign_file_among_the_books_own_is_refused(tmp_path):
    site = sites.open_site(tmp_path / "site")
    (site / "book" / "_static").mkdir(parents=True)
    (site / "book" / "index.html").write_text("<p>built</p>")
    sites.mark_book(site / "book")
    sites.check_book_folder(site / "book")  # only its own files: may be replaced
    (site / "book" / "_static" / "extra.js").write_text("alert(1)")
    with pytest.raises(sites.OwnershipError, match=r"holds files trustlab did not write \(_static/extra.js\)"):
        book.update(site, [])
    assert (site / "book" / "index.html").read_text() == "<p>built</p>"


@pytest.mark.parametrize(
    ("alt", "caption"),
    [
        ("Figure: GMV by quarter. Horizontal axis: quarter; vertical axis: GMV, RMB bn.", "GMV by quarter"),
        ("Figure: Cost at ratio 0.4; Break-even. Series: A, B.", "Cost at ratio 0.4; Break-even"),
        ("Figure: untitled. Horizontal axis: x.", None),
    ],
)
def test_a_figure_caption_is_the_title_its_alt_text_starts_with(alt, caption):
    assert book.figure_caption(alt) == caption


@pytest.mark.parametrize(
    ("docname", "href"), [("00_source_facts/00_source_facts", "../../00_source_facts/"), ("runs/x-1/n", "../../../runs/x-1/")]
)
def test_a_book_page_links_its_run_folder_in_the_site(docname, href):
    from trustlab.runner.book import extension

    # book/DOC.html: one ../ per folder of the page, and one out of book/
    assert extension.run_files_href(docname) == href


def test_the_sphinx_configuration_renders_and_never_executes():
    path = Path(book.__file__).parent / "conf.py"
    conf: dict = {"__file__": str(path)}  # as Sphinx reads it
    exec(compile(path.read_text(), str(path), "exec"), conf)
    assert conf["nb_execution_mode"] == "off" and conf["numfig"] is True
    assert conf["html_theme"] == "sphinx_book_theme" and "myst_nb" in conf["extensions"]
    assert os.path.isfile(Path(conf["html_static_path"][0]) / conf["html_css_files"][0])


@pytest.mark.kernel
def test_report_pages_the_book_and_the_explorer_share_one_stylesheet(smoke_build):
    shared = (Path(report.__file__).parent / "static" / "trustlab.css").read_text(encoding="utf-8")
    assert ".trustlab-header" in shared and "--trustlab-font" in shared
    for rel, page in _recorded_pages(smoke_build.site).items():
        assert shared in (smoke_build.site / rel / f"{page.stem}.html").read_text(encoding="utf-8"), "the standalone page"
        assert any("trustlab.css" in link["href"] for link in _soup(page).select("link[rel=stylesheet]")), "the book page"
    assert (smoke_build.site / "book" / "_static" / "trustlab.css").read_text(encoding="utf-8") == shared
    assert shared in report.templates().get_template("serve/base.html.j2").render(), "the explorer's pages"


@pytest.mark.kernel
def test_a_published_copy_carries_the_book_with_every_link_working(smoke_build, tmp_path):
    dest = report.publish(smoke_build.site, tmp_path / "shared")
    assert (dest / "book" / "index.html").is_file() and (dest / "book" / "search.html").is_file()
    assert not (dest / "book" / ".trustlab-book.json").exists(), "the manifests stay in the site"
    assert report.check_site(dest) == []


@pytest.mark.parametrize(
    ("kind", "label"), [("default", "default run"), ("scenario smoke", "scenario smoke run"), ("run", "ad-hoc run")]
)
def test_the_book_names_each_kind_of_run(kind, label):
    assert book.run_label(kind) == label
