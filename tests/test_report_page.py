"""A report page reads like a paper: the parameters shown once (in the header, changed values
marked), no parameters cells, no machinery output; the executed notebook keeps all of it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from trustlab.results import RESULT_MIME
from trustlab.runner import params, report, runs

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
    match = re.search(rf"<tr[^>]*><th>{name}</th>.*?</tr>", header, re.DOTALL)
    assert match, f"no header row for {name}"
    return match.group(0)


def test_a_page_shows_the_parameters_once_with_the_changed_ones_marked(tmp_path):
    out = tmp_path / "out"
    outcome = runs.run_notebook(DEMO, params.resolve(DEMO, cli={"x": "4", "label": "abc"}), out)
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


def test_a_run_on_the_defaults_says_so_and_marks_nothing(tmp_path):
    out = tmp_path / "out"
    assert runs.run_notebook(DEMO, params.resolve(DEMO), out).ok
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
    assert re.search(r"\.jp-RenderedHTMLCommon td[^{]*\{[^}]*max-width: 40em;[^}]*white-space: normal;", report._CSS)


def test_changed_from_defaults_compares_as_parameters_do():
    assert params.changed_from_defaults(DEMO, params.resolve(DEMO)) == {}
    assert params.changed_from_defaults(DEMO, {"x": 1.5, "fail": True, "label": "abc"}) == {"fail": False}
    assert params.changed_from_defaults(DEMO, {"x": 2}) == {"x": 1.5}
    assert params.changed_from_defaults(DEMO, {"fail": 0}) == {"fail": False}  # 0 is not False here
