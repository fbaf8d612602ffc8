"""A report page reads like a paper: the parameters shown once (in the header, changed values
marked), no parameters cells, no machinery output; the executed notebook keeps all of it."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import nbformat
import pytest
from trustlab.results import RESULT_MIME
from trustlab.runner import report, runs
from trustlab.runner.notebook import Notebook, resolve_run

DEMO = Path(__file__).parent / "fixtures" / "notebooks" / "90_demo.py"


def _strict_json(path: Path) -> dict:
    def refuse(constant):
        raise AssertionError(f"{path} is not strict JSON: it holds {constant}")

    return json.loads(path.read_text(), parse_constant=refuse)


def _header(html: str) -> str:
    match = re.search(r'<header class="trustlab-header".*?</header>', html, re.DOTALL)
    assert match, "no provenance header"
    return match.group(0)


def _parameter_row(header: str, name: str) -> str:
    match = re.search(rf"<tr[^>]*><th[^>]*>{name}</th>.*?</tr>", header, re.DOTALL)
    assert match, f"no header row for {name}"
    return match.group(0)


@pytest.mark.kernel
def test_a_page_shows_the_parameters_once_with_the_changed_ones_marked(tmp_path, forked):
    out = tmp_path / "out"
    outcome = runs.run_notebook(resolve_run(DEMO, cli={"x": "4", "label": "abc"}), out, runs.RunOptions(executor=forked))
    assert outcome.ok, outcome.error
    executed = nbformat.read(out / "90_demo.ipynb", as_version=4)
    tags = [tag for cell in executed.cells for tag in cell.metadata.get("tags", [])]
    assert "parameters" in tags and "injected-parameters" in tags  # the executed notebook keeps both
    recorded_lines = [
        o["data"]["text/plain"] for c in executed.cells for o in c.get("outputs", []) if RESULT_MIME in o.get("data", {})
    ]
    assert recorded_lines == ["recorded double = 8.0", 'recorded label = "abc"']  # and record's lines

    html = (out / "90_demo.html").read_text()
    # Neither parameters cell is on the page: not the notebook's (its help comments), not papermill's.
    assert "celltag_parameters" not in html and "celltag_injected-parameters" not in html
    assert "a positive number" not in html and "a label, kept as text" not in html
    assert "# Parameters" not in html and "injected" not in html.lower()
    assert "recorded double" not in html and "recorded label" not in html  # machinery output
    assert "the demo notebook was asked to fail" in html  # the notebook's own cells are there

    record = _strict_json(out / "results.json")
    assert record["changed_parameters"] == {"x": 1.5}  # label "abc" is its default: not changed
    assert list(record)[:4] == ["notebook", "scenario", "parameters", "changed_parameters"]
    header = _header(html)
    assert "1 changed from the notebook's defaults" in header
    x = _parameter_row(header, "x")
    assert 'class="trustlab-changed"' in x and ">4.0 <span" in x and "changed</span>" in x and "<td>1.5</td>" in x
    label = _parameter_row(header, "label")
    assert "trustlab-changed" not in label and "changed</span>" not in label
    assert html.count("<th>sleep_seconds</th>") == 1  # one row per parameter, in the header only


@pytest.mark.kernel
def test_a_run_on_the_defaults_says_so_and_marks_nothing(tmp_path, forked):
    out = tmp_path / "out"
    assert runs.run_notebook(resolve_run(DEMO), out, runs.RunOptions(executor=forked)).ok
    assert _strict_json(out / "results.json")["changed_parameters"] == {}
    header = _header((out / "90_demo.html").read_text())
    assert "all at the notebook's defaults" in header
    assert "trustlab-changed" not in header and "notebook default" not in header


def _notebook() -> nbformat.NotebookNode:
    cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("x: float = 1.5  # help", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("# Parameters\nx = 2.0\n", metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_code_cell(
            "record('y', 2 * x)\n2 * x",
            outputs=[
                nbformat.v4.new_output(
                    "display_data", data={RESULT_MIME: {"name": "y", "value": 4.0}, "text/plain": "recorded y = 4.0"}
                ),
                nbformat.v4.new_output("execute_result", data={"text/plain": "4.0"}, execution_count=3),
            ],
        ),
    ]
    return nbformat.v4.new_notebook(cells=cells)


def test_the_reading_copy_leaves_out_parameters_cells_and_record_outputs_only():
    nb = _notebook()
    copy = report.reading_copy(nb)
    assert [c.source.splitlines()[0] for c in copy.cells] == ["# Title", "record('y', 2 * x)"]
    assert [o["data"]["text/plain"] for o in copy.cells[1].outputs] == ["4.0"]
    assert len(nb.cells) == 4 and len(nb.cells[3].outputs) == 2, "the notebook itself was changed"
    kept = report.reading_copy(nb, keep=1)  # the cell a run failed in is always shown
    assert [c.source.splitlines()[0] for c in kept.cells] == ["# Title", "x: float = 1.5  # help", "record('y', 2 * x)"]


def test_set_up_code_and_the_environment_cell_are_left_out_of_the_page_only():
    nb = _notebook()
    nb.cells[1:1] = [
        nbformat.v4.new_code_cell("import trustlab\nRUN = 1", metadata={"tags": ["remove-input"]}),
        nbformat.v4.new_code_cell(
            "import warnings",
            metadata={"tags": ["remove-input"]},
            outputs=[nbformat.v4.new_output("stream", name="stderr", text="a warning\n")],
        ),
    ]
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "environment_table()",
            metadata={"tags": ["remove-cell"]},
            outputs=[nbformat.v4.new_output("execute_result", data={"text/plain": "commit abc"}, execution_count=9)],
        )
    )
    copy = report.reading_copy(nb)
    # the set-up cell with nothing to show is gone; the one with an output keeps it, without its code
    assert [c.source.splitlines()[0] for c in copy.cells] == ["# Title", "import warnings", "record('y', 2 * x)"]
    assert copy.cells[1].metadata.transient == {"remove_source": True} and copy.cells[1].outputs
    assert "transient" not in copy.cells[2].metadata
    assert len(nb.cells) == 7 and "transient" not in nb.cells[2].metadata  # the notebook itself keeps everything
    html = report.render_html(nb, {"notebook": "demo", "parameters": {"x": 2.0}, "provenance": {}}, index_href=None)
    assert "a warning" in html and "import warnings" not in html and "RUN = 1" not in html
    assert "commit abc" not in html and "environment_table" not in html
    failed = report.reading_copy(nb, keep=1)  # a failed set-up cell is shown whole
    assert failed.cells[1].source == "import trustlab\nRUN = 1" and "transient" not in failed.cells[1].metadata


def test_a_failure_in_a_parameters_cell_is_shown_with_its_banner():
    nb = _notebook()
    nb.cells[1].outputs = [nbformat.v4.new_output("error", ename="NameError", evalue="bad", traceback=[])]
    html = report.render_html(
        nb, {"notebook": "demo", "parameters": {"x": 2.0}, "provenance": {"status": "failed"}}, failed_cell=1
    )
    assert "failed in the next cell (cell 2 of 3)" in html  # numbered among the notebook's own cells
    assert "celltag_parameters" in html and "celltag_injected-parameters" not in html
    assert html.index('id="failed-cell"') < html.index("celltag_parameters")


@pytest.mark.parametrize(
    ("record", "row", "expected"),
    [
        # A non-finite value, null in strict JSON, is shown by its name from the nonfinite mapping.
        (
            {"parameters": {"x": None}, "changed_parameters": {"x": 1.5}, "nonfinite": {"parameters.x": "inf"}},
            "x",
            ["<td>inf <span", "<td>1.5</td>"],
        ),
        (
            {"parameters": {"topics": ["a", "b"]}, "changed_parameters": {"topics": []}},
            "topics",
            ["<td>[&#34;a&#34;, &#34;b&#34;] <span", "<td>[]</td>"],
        ),
        ({"parameters": {"x": None}, "changed_parameters": {}}, "x", ["<td>null</td>"]),
    ],
)
def test_header_rows_show_values_and_defaults_as_text(record, row, expected):
    header = report.provenance_header({"notebook": "demo", "provenance": {}, **record}, index_href=None)
    found = _parameter_row(header, row)
    for text in expected:
        assert text in found, (text, found)


def test_a_record_from_before_changed_parameters_still_renders():
    header = report.provenance_header({"notebook": "demo", "parameters": {"x": 1.0}, "provenance": {}})
    assert "all at the notebook's defaults" in header and "<th>x</th><td>1.0</td>" in header


def test_report_css_wraps_long_table_cells_within_a_max_width():
    assert re.search(r"\.jp-RenderedHTMLCommon td[^{]*\{[^}]*max-width: 40em;[^}]*white-space: normal;", report.page_css())


def test_changed_from_defaults_compares_as_parameters_do():
    assert Notebook.load(DEMO).changed_from_defaults(Notebook.load(DEMO).resolve()) == {}
    assert Notebook.load(DEMO).changed_from_defaults({"x": 1.5, "fail": True, "label": "abc"}) == {"fail": False}
    assert Notebook.load(DEMO).changed_from_defaults({"x": 2}) == {"x": 1.5}
    assert Notebook.load(DEMO).changed_from_defaults({"fail": 0}) == {"fail": False}  # 0 is not False here


COLLECTION = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("committed", COLLECTION, ids=[p.stem for p in COLLECTION])
def test_every_report_page_opens_with_the_summary_and_shows_the_environment_once(committed):
    """The rendered page of each notebook: after the header, the title cell, then the Summary
    heading and the Summary itself, with no code or other output before it; the environment table
    is left out, because the header lists the same commit and package versions."""
    from trustlab import provenance

    nb = nbformat.read(committed, as_version=4)
    record = runs.new_record(committed.stem, None, {}, "key", None, datetime.datetime.now())
    html = report.render_html(nb, record, index_href=None)
    body = html[html.index("</header>") :]
    cells = re.split(r'<div[^>]*class="jp-Cell ', body)[1:]
    title, heading, summary = cells[:3]
    assert "jp-MarkdownCell" in title[:200] and "<h1" in title
    assert "jp-MarkdownCell" in heading[:200] and 'id="Summary"' in heading
    assert "jp-CodeCell" in summary[:200] and "jp-InputArea" not in summary and "<li>" in summary
    # the notebook itself keeps the set-up code and the environment cell
    assert any("remove-input" in c.metadata.get("tags", []) and "import " in c.source for c in nb.cells)
    assert "environment_table()" in nb.cells[-1].source and "remove-cell" in nb.cells[-1].metadata.get("tags", [])
    assert "environment_table" not in html
    header = _header(html)
    commit = provenance.git_commit()
    assert commit is None or commit in header
    for package, version in provenance.package_versions().items():
        assert f"<tr><th>{package}</th><td>{version}</td></tr>" in header


# Text a library prints when it warns; the report page must show none of it (nor any stderr output).
_WARNING_WORDS = re.compile(r"\b[A-Z]\w*Warning\b|Warning:")
_STDERR_OUTPUT = 'data-mime-type="application/vnd.jupyter.stderr"'


def page_warnings(html: str) -> list[str]:
    """The warnings a report page shows its reader: each stderr output, and each library warning's
    name ("UserWarning", "FutureWarning", "Warning:" ...) in the text of the page (its style sheets
    and scripts, which name stderr outputs to style them, are left out)."""
    import html as html_lib

    body = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.DOTALL | re.IGNORECASE)
    found = [
        f"a stderr output: {match.group(1)[:120]!r}"
        for match in re.finditer(rf"{_STDERR_OUTPUT}[^>]*>(.*?)</div>", body, re.DOTALL)
    ]
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", body))
    found += [
        f"{match.group(0)!r} in {text[max(0, match.start() - 60) : match.end() + 60]!r}"
        for match in _WARNING_WORDS.finditer(text)
    ]
    return found


def test_page_warnings_finds_stderr_and_warning_text():
    glyph = "UserWarning: Glyph 20449 (\\N{CJK UNIFIED IDEOGRAPH-4FE1}) missing from font(s) DejaVu Sans."
    cells = [
        nbformat.v4.new_code_cell("plt.show()", outputs=[nbformat.v4.new_output("stream", name="stderr", text=glyph)]),
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("stream", name="stdout", text="FutureWarning: x\n")]),
        nbformat.v4.new_markdown_cell("The model's warnings are caught and named in the caveats."),  # no warning's name
    ]
    html = report.render_html(nbformat.v4.new_notebook(cells=cells), {"notebook": "demo", "parameters": {}, "provenance": {}})
    found = page_warnings(html)
    assert len(found) == 3, found  # the stderr output, and the two warnings' names in the page's text
    assert found[0].startswith("a stderr output: ") and "missing from font(s) DejaVu Sans" in found[0]
    assert [f.split(" in ")[0] for f in found[1:]] == ["'UserWarning'", "'FutureWarning'"]


@pytest.mark.parametrize("committed", COLLECTION, ids=[p.stem for p in COLLECTION])
def test_no_report_page_of_a_committed_notebook_shows_a_warning(committed):
    nb = nbformat.read(committed, as_version=4)
    record = runs.new_record(committed.stem, None, {}, "key", None, datetime.datetime.now())
    assert page_warnings(report.render_html(nb, record, index_href=None)) == []


@pytest.mark.kernel
def test_no_report_page_of_a_fresh_build_shows_a_warning(smoke_build):
    """The session's smoke build executes every notebook on this machine with today's code and libraries
    (a machine without the CJK fonts used to get matplotlib's glyph warnings in 01's page)."""
    pages = sorted(smoke_build.site.glob("*--smoke/*.html"))
    assert len(pages) == len(COLLECTION)
    assert {page.name: page_warnings(page.read_text()) for page in pages} == {page.name: [] for page in pages}


@pytest.mark.browser
@pytest.mark.kernel
def test_every_table_of_a_fresh_build_fits_its_page_at_1300_px(smoke_build):
    """In Chromium 1,300 px wide, no table of any report page runs past its output area (01's governance
    intensity table did by 68 px: its snake_case column labels could not break, so its notes were cut)."""
    from trustlab.runner import pdf

    if pdf.chromium_path() is None:
        pytest.skip("Chromium is missing: make system-deps")
    from playwright.sync_api import sync_playwright

    pages = sorted(smoke_build.site.glob("*--smoke/*.html"))
    overflow = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=pdf.chromium_path(), args=pdf.CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1300, "height": 900})
            for page in pages:
                tab.goto(page.as_uri())
                overflow[page.name] = tab.evaluate(
                    """() => Array.from(document.querySelectorAll('.jp-OutputArea-output table')).map(table => {
                         const area = table.closest('.jp-OutputArea-output').getBoundingClientRect();
                         const box = table.getBoundingClientRect();
                         return [table.querySelector('th') ? table.querySelector('th').textContent.trim() : '',
                                 Math.round(box.right - area.right)];
                       }).filter(([_, past]) => past > 0)"""
                )
        finally:
            browser.close()
    assert overflow == {page.name: [] for page in pages}


@pytest.mark.parametrize("changed", [{}, {"b": 2}], ids=["defaults", "one changed"])
def test_the_header_shows_the_changed_parameters_and_folds_the_full_list(changed):
    """Answer first: the header's parameter part is one line when nothing changed, the changed rows
    when some did; all parameters wait in a closed <details>."""
    record = {"notebook": "demo", "parameters": {"a": 1, "b": 20, "c": 3}, "changed_parameters": changed, "provenance": {}}
    header = _header(report.render_html(nbformat.v4.new_notebook(), record, index_href=None))
    shown, folded = header.split('<details class="trustlab-all-parameters">', 1)
    assert '<details class="trustlab-all-parameters" open' not in header
    if changed:
        assert "Parameters (1 changed from the notebook's defaults)" in shown
        assert re.search(r'<th scope="row">b</th><td>20 <span[^>]*>changed</span></td><td>2</td>', shown)
        assert "<th>a</th>" not in shown and "<th>c</th>" not in shown
    else:
        assert "Parameters (all at the notebook's defaults)" in shown and "<table" not in shown.split("Parameters (")[1]
    folded = folded.split("</details>", 1)[0]
    assert "<summary>All 3 parameters</summary>" in folded
    assert [m for m in re.findall(r"<th>(\w)</th>", folded)] == ["a", "b", "c"]


def test_a_figure_keeps_its_alt_text_on_the_page():
    png = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}
    cells = [
        nbformat.v4.new_code_cell(
            "show()",
            outputs=[nbformat.v4.new_output("display_data", data=png, metadata={"image/png": {"alt": 'GMV "by" quarter'}})],
        )
    ]
    html = report.render_html(nbformat.v4.new_notebook(cells=cells), {"notebook": "d", "parameters": {}, "provenance": {}})
    [img] = re.findall(r"<img[^>]*>", html)
    assert "alt='GMV \"by\" quarter'" in img or 'alt="GMV &quot;by&quot; quarter"' in img


@pytest.mark.parametrize("committed", COLLECTION, ids=[p.stem for p in COLLECTION])
def test_every_figure_of_a_committed_report_has_alt_text_from_its_own_words(committed):
    nb = nbformat.read(committed, as_version=4)
    html = report.render_html(nb, runs.new_record(committed.stem, None, {}, "key", None, datetime.datetime.now()))
    images = re.findall(r"<img[^>]*>", html)
    assert images, "no figure: the test would prove nothing"
    assert all(re.search(r"""alt=["']Figure: """, img) for img in images), [img[:80] for img in images]
