"""Rendered reports: one HTML page per run with a provenance header, needing no network to view."""

from __future__ import annotations

import copy
import html
import json
from pathlib import Path
from typing import Any

import nbformat

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

_CSS = """
.trustlab-header { font-family: system-ui, sans-serif; border-bottom: 2px solid #4c72b0; padding: 0.8em 1.2em;
  margin: 0 0 1em 0; background: #f5f7fb; color: #1a1a1a; }
.trustlab-header h1 { font-size: 1.3em; margin: 0 0 0.3em 0; }
.trustlab-header table { border-collapse: collapse; font-size: 0.85em; margin: 0.3em 0; }
.trustlab-header td, .trustlab-header th { border: 1px solid #d0d5e0; padding: 2px 8px; text-align: left; }
.trustlab-header .status-ok { color: #1b7f3b; font-weight: bold; }
.trustlab-header .status-failed, .trustlab-header .status-timeout { color: #b00020; font-weight: bold; }
.trustlab-header nav a { margin-right: 1.2em; }
.trustlab-failed-banner { background: #fde7ea; border: 2px solid #b00020; padding: 0.5em 1em; margin: 0.5em 0; }
body.trustlab-hide-code .jp-CodeCell .jp-Cell-inputWrapper { display: none; }
"""

_JS = """
(function () {
  var box = document.getElementById('trustlab-hide-code');
  if (!box) { return; }
  function apply() { document.body.classList.toggle('trustlab-hide-code', box.checked); }
  box.addEventListener('change', apply);
  apply();
})();
"""


def _table(rows: list[tuple[str, Any]]) -> str:
    body = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))}</td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"


def provenance_header(run_record: dict[str, Any], *, index_href: str = "../index.html") -> str:
    """The HTML header every rendered notebook carries: parameters, commit, data hashes, versions, time."""
    prov = run_record.get("provenance", {})
    name = run_record.get("notebook", "notebook")
    status = prov.get("status", "ok")
    scenario = run_record.get("scenario")
    title = f"{name}" + (f" — scenario {scenario}" if scenario else "")
    data_rows = [(path, digest[:16]) for path, digest in prov.get("data_hashes", {}).items()]
    return f"""
<header class="trustlab-header" id="trustlab-provenance">
  <nav><a href="{html.escape(index_href)}">&larr; All reports</a>
  <a href="{html.escape(name)}.ipynb">Executed notebook (.ipynb)</a>
  <a href="results.json">Recorded results (JSON)</a>
  <label><input type="checkbox" id="trustlab-hide-code"> Hide code</label></nav>
  <h1>{html.escape(title)}</h1>
  <p>Status: <span class="status-{html.escape(status)}">{html.escape(status)}</span>;
  commit <code>{html.escape(str(prov.get('git_commit')))}</code>;
  started {html.escape(str(prov.get('started')))}; {html.escape(str(prov.get('seconds')))} s</p>
  <details open><summary>Parameters</summary>{_table(list(run_record.get('parameters', {}).items()))}</details>
  <details><summary>Data files (SHA-256, first 16 hex digits)</summary>{_table(data_rows)}</details>
  <details><summary>Package versions</summary>{_table(list(prov.get('package_versions', {}).items()))}</details>
</header>
"""


def render_html(
    nb: nbformat.NotebookNode,
    run_record: dict[str, Any],
    *,
    failed_cell: int | None = None,
    index_href: str = "../index.html",
) -> str:
    """Render an executed notebook to self-contained HTML with the provenance header."""
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    if failed_cell is not None:
        banner = nbformat.v4.new_markdown_cell(
            f'<div class="trustlab-failed-banner" id="failed-cell"><strong>This run failed in the next cell '
            f"(cell {failed_cell + 1}).</strong> The cells after it did not run.</div>"
        )
        nb.cells.insert(failed_cell, banner)
    exporter = HTMLExporter(
        template_name="lab",
        extra_template_paths=[str(TEMPLATES_DIR)],
        template_file="trustlab_report.html.j2",
        embed_images=True,
    )
    header = provenance_header(run_record, index_href=index_href)
    if failed_cell is not None:
        header += '<p class="trustlab-failed-banner"><a href="#failed-cell">Jump to the failed cell</a></p>'
    resources = {
        "trustlab_header": header,
        "trustlab_css": _CSS,
        "trustlab_js": _JS,
        "metadata": {"name": run_record.get("notebook", "notebook")},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body
