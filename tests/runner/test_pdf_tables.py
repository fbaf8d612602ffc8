"""A report's PDF reads answer first and holds every table whole: no column clipped at the page's edge
(issue 25)."""

from __future__ import annotations

import datetime
import html as html_lib
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from trustlab.runner import pdf, report, runs

COLLECTION = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# Each test prints a page with headless Chromium (playwright).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(pdf.chromium_path() is None, reason="Chromium is missing: make system-deps"),
]


class _TableCells(HTMLParser):
    """The text of every <td> and <th> of a page, in order (tables in <style>/<script> aside)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("td", "th"):
            self._open.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._open:
            self.cells.append("".join(self._open.pop()))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].append(data)


def _squeezed(text: str) -> str:
    """Text as compared with a PDF's: compatibility forms folded (ligatures), no blanks at all, nor the
    zero-width spaces the printing puts after underscores (a cell may wrap anywhere)."""
    return re.sub(r"[\s\u200b]+", "", unicodedata.normalize("NFKC", html_lib.unescape(text)))


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return _squeezed("".join(page.extract_text() for page in PdfReader(path).pages))


# The CJK fonts draw some ideographs with the glyph of a radical, and a PDF's text layer then names
# the radical (U+2E80-U+2FDF: 長 comes back as ⻑); NFKC folds only some of them back.
_RADICAL = "[\u2e80-\u2fdf]"


def _printed(cell: str, text: str) -> bool:
    if cell in text:
        return True
    pattern = "".join(f"(?:{re.escape(c)}|{_RADICAL})" if "\u4e00" <= c <= "\u9fff" else re.escape(c) for c in cell)
    return re.search(pattern, text) is not None


@pytest.mark.parametrize("committed", COLLECTION, ids=[p.stem for p in COLLECTION])
def test_every_table_cell_of_a_report_page_is_in_its_pdf(committed, tmp_path):
    nb = nbformat.read(committed, as_version=4)
    record = runs.new_record(committed.stem, None, {}, "key", None, datetime.datetime.now())
    page = tmp_path / f"{committed.stem}.html"
    page.write_text(report.render_html(nb, record, index_href=None), encoding="utf-8")
    parser = _TableCells()
    parser.feed(page.read_text(encoding="utf-8"))
    cells = [_squeezed(cell) for cell in parser.cells if _squeezed(cell)]
    assert len(cells) > 20, "the page has hardly any table: the test would prove nothing"
    printed = _pdf_text(pdf.write_pdf(page, tmp_path / f"{committed.stem}.pdf"))
    missing = [cell for cell in cells if not _printed(cell, printed)]
    assert missing == [], f"{len(missing)} of {len(cells)} table cells are not in the PDF, e.g. {missing[:8]}"


def _page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [" ".join(unicodedata.normalize("NFKC", page.extract_text()).split()) for page in PdfReader(path).pages]


@pytest.mark.parametrize("changed", [False, True], ids=["defaults", "one changed"])
def test_page_one_holds_the_answer_and_the_full_parameter_list_is_an_appendix(tmp_path, changed):
    source = COLLECTION[-1]  # 03: the longest parameter list
    nb = nbformat.read(source, as_version=4)
    parameters = {f"knob_{i:02d}": i for i in range(30)}
    record = runs.new_record(source.stem, None, dict(parameters), "key", None, datetime.datetime.now())
    if changed:
        record["parameters"]["knob_07"] = 70
        record["changed_parameters"] = {"knob_07": 7}
    page = tmp_path / f"{source.stem}.html"
    page.write_text(report.render_html(nb, record, index_href=None), encoding="utf-8")
    pages = _page_texts(pdf.write_pdf(page, tmp_path / f"{source.stem}.pdf"))
    first = pages[0]
    assert (
        "Parameters (1 changed from the notebook's defaults)" if changed else "Parameters (all at the notebook's defaults)"
    ) in first
    assert "Summary" in first
    assert ("knob_07 70 changed 7" in first) is changed  # the changed one, with its default, on page 1
    assert "knob_12" not in first and "Package versions" not in first  # the rest waits for the appendix
    [start] = [i for i, text in enumerate(pages) if "Appendix: the run in full" in text]
    appendix = " ".join(pages[start:])
    assert start > 0 and "All 30 parameters" in appendix
    assert all(f"knob_{i:02d}" in appendix for i in range(30))
    assert "Data files" in appendix and "Package versions" in appendix
