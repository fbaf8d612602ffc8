"""Rendered reports: one HTML page per run with a provenance header, needing no network to view."""

from __future__ import annotations

import copy
import functools
import html
import json
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported lazily at run time: it is slow to import
    import nbformat
    from nbconvert import HTMLExporter

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
    nb: "nbformat.NotebookNode",
    run_record: dict[str, Any],
    *,
    failed_cell: int | None = None,
    index_href: str = "../index.html",
) -> str:
    """Render an executed notebook to self-contained HTML with the provenance header."""
    import nbformat

    nb = copy.deepcopy(nb)
    if failed_cell is not None:
        banner = nbformat.v4.new_markdown_cell(
            f'<div class="trustlab-failed-banner" id="failed-cell"><strong>This run failed in the next cell '
            f"(cell {failed_cell + 1}).</strong> The cells after it did not run.</div>"
        )
        nb.cells.insert(failed_cell, banner)
    exporter = _exporter()
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


@functools.cache
def _exporter() -> "HTMLExporter":
    # One exporter per process: it compiles its Jinja templates once, not once per page.
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        extra_template_paths=[str(TEMPLATES_DIR)],
        template_file="trustlab_report.html.j2",
        embed_images=True,
    )


def warm_up() -> None:
    """Load and compile the report templates by rendering a one-cell page (for the fork server,
    whose runs then inherit them)."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1", outputs=[], execution_count=1)])
    render_html(nb, {"notebook": "warm-up", "parameters": {}, "provenance": {}})


def notebook_question(source: Path) -> tuple[str, str]:
    """Title and question of a notebook, from the first markdown cell of its source."""
    import jupytext

    nb = jupytext.read(source)
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    lines = [line.strip() for line in first.splitlines() if line.strip()]
    title = lines[0].lstrip("# ").strip() if lines else source.stem
    return title, " ".join(lines[1:])


def format_number(value: float) -> str:
    """A number for reading: thousands separators, four significant digits below 1,000."""
    if isinstance(value, int) or (abs(value) >= 1000 and float(value).is_integer()):
        return f"{value:,.0f}"
    if abs(value) >= 1000:
        return f"{value:,.1f}"
    return f"{value:.4g}"


def _scalar_results(results: dict[str, Any], limit: int = 6) -> list[tuple[str, str]]:
    shown = []
    for name, value in results.items():
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            continue
        text = format_number(value) if isinstance(value, (int, float)) else str(value)
        shown.append((name, text))
        if len(shown) == limit:
            break
    return shown


def collect_runs(reports_root: Path) -> list[dict[str, Any]]:
    """Every run under a reports folder (default build, scenarios, ad-hoc runs, sweep points, failures)."""
    runs = []
    for record_path in sorted(Path(reports_root).rglob("results.json")):
        folder = record_path.parent
        if any(part.startswith(".") for part in folder.relative_to(reports_root).parts):
            continue  # staging folders of runs in progress
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        rel = folder.relative_to(reports_root)
        parts = rel.parts
        if parts[0] == "failed":
            kind = "failed"
        elif parts[0] == "runs":
            kind = "run"
        elif parts[0] == "sweeps":
            kind = f"sweep {parts[1]}"
        elif record.get("scenario"):
            kind = f"scenario {record['scenario']}"
        else:
            kind = "default"
        name = record.get("notebook", folder.name)
        runs.append({"folder": rel.as_posix(), "kind": kind, "record": record,
                     "html": (rel / f"{name}.html").as_posix() if (folder / f"{name}.html").exists() else None,
                     "ipynb": (rel / f"{name}.ipynb").as_posix() if (folder / f"{name}.ipynb").exists() else None})
    return runs


def build_index(reports_root: Path, notebook_sources: list[Path]) -> Path:
    """Write ``index.html``: every notebook with its question, and every run with its status,
    parameters, key results, commit and links. Returns the path written."""
    reports_root = Path(reports_root)
    reports_root.mkdir(parents=True, exist_ok=True)
    runs = collect_runs(reports_root)
    sections = []
    for source in notebook_sources:
        title, question = notebook_question(source)
        rows = []
        for run in (r for r in runs if r["record"].get("notebook") == source.stem):
            rec = run["record"]
            prov = rec.get("provenance", {})
            status = prov.get("status", "ok")
            links = " ".join(
                f'<a href="{html.escape(href)}">{label}</a>'
                for label, href in (("report", run["html"]), ("notebook", run["ipynb"]),
                                    ("results", f"{run['folder']}/results.json"))
                if href
            )
            params_text = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in rec.get("parameters", {}).items())
            results_text = "<br>".join(f"{html.escape(k)} = {html.escape(v)}" for k, v in _scalar_results(rec.get("results", {})))
            rows.append(
                f"<tr class='run-{html.escape(status)}'><td>{html.escape(run['kind'])}</td>"
                f"<td class='status-{html.escape(status)}'>{html.escape(status)}</td>"
                f"<td class='params'>{html.escape(params_text)}</td><td>{results_text}</td>"
                f"<td>{html.escape(str(prov.get('started', '')))}<br><code>{html.escape(str(prov.get('git_commit', ''))[:12])}</code></td>"
                f"<td>{links}</td></tr>"
            )
        table = (
            "<table><tr><th>run</th><th>status</th><th>parameters</th><th>key results</th><th>when / commit</th><th>links</th></tr>"
            + "".join(rows) + "</table>"
        ) if rows else "<p>No runs yet: <code>make report</code> builds one.</p>"
        sections.append(
            f"<section id='{html.escape(source.stem)}'><h2>{html.escape(title)}</h2>"
            f"<p class='question'>{html.escape(question)}</p>{table}</section>"
        )
    sweeps = sorted(Path(reports_root, "sweeps").glob("*/sweep.csv")) if (reports_root / "sweeps").exists() else []
    sweep_items = "".join(
        f"<li><a href='{html.escape(p.relative_to(reports_root).as_posix())}'>{html.escape(p.parent.name)}</a> "
        f"(<a href='{html.escape(p.with_suffix('.parquet').relative_to(reports_root).as_posix())}'>parquet</a>)</li>"
        for p in sweeps
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>trustlab reports</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 1.5em auto; max-width: 1200px; color: #1a1a1a; }}
h1 {{ border-bottom: 2px solid #4c72b0; }} h2 {{ margin-top: 1.6em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.85em; }}
th, td {{ border: 1px solid #d0d5e0; padding: 4px 6px; vertical-align: top; text-align: left; }}
th {{ background: #f5f7fb; }} td.params {{ max-width: 380px; word-break: break-word; }}
.status-ok {{ color: #1b7f3b; font-weight: bold; }} .status-failed, .status-timeout {{ color: #b00020; font-weight: bold; }}
.question {{ color: #333; }}
</style></head>
<body>
<h1>trustlab reports</h1>
<p>Every notebook of the collection with its question, and every run found under this folder:
the default build, named scenarios, ad-hoc runs, sweep points and failed runs. Each report opens
with its provenance (parameters, commit, data hashes, package versions, run time).</p>
{''.join(sections)}
<h2>Sweep tables</h2>
{('<ul>' + sweep_items + '</ul>') if sweep_items else '<p>No sweeps yet.</p>'}
</body></html>
"""
    target = reports_root / "index.html"
    staged = reports_root / ".index.html.tmp"
    staged.write_text(page, encoding="utf-8")
    staged.replace(target)
    return target


_LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def site_links(page: Path) -> list[str]:
    """Every href/src target in an HTML page (data: URIs excluded)."""
    return [m.group(1) for m in _LINK.finditer(page.read_text(encoding="utf-8")) if not m.group(1).startswith("data:")]


def check_site(site: Path) -> list[str]:
    """Problems that stop a site from working opened from disk: absolute or network links, missing targets."""
    problems = []
    for page in sorted(Path(site).rglob("*.html")):
        for target in site_links(page):
            if target.startswith("#") or target.startswith("mailto:"):
                continue
            if "://" in target or target.startswith("/") or target.startswith("//"):
                problems.append(f"{page.relative_to(site)}: non-relative link {target}")
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            if not path.exists():
                problems.append(f"{page.relative_to(site)}: broken link {target}")
    return problems


def replace_dir(staged: Path, target: Path) -> None:
    """Move ``staged`` to ``target``; the old target survives until the new one is in place."""
    import os
    import shutil

    backup = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(backup)
    try:
        staged.rename(target)
    except BaseException:
        if backup.exists() and not target.exists():
            backup.rename(target)
        raise
    if backup.exists():
        shutil.rmtree(backup, ignore_errors=True)


def publish(site: Path, dest: Path) -> Path:
    """Write a self-contained copy of the report site to ``dest`` (relative links only, no network).

    The copy is staged beside ``dest`` and moved into place only when it checks out; an existing
    ``dest`` is replaced whole.
    """
    import shutil

    site, dest = Path(site).resolve(), Path(dest).resolve()
    if not (site / "index.html").exists():
        raise FileNotFoundError(f"{site}: no index.html; build the reports first (make report)")
    if dest == site or dest.is_relative_to(site):
        raise ValueError(f"publish destination {dest} must lie outside the site {site}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        shutil.copytree(site, staged, dirs_exist_ok=True,
                        ignore=lambda folder, names: [n for n in names if n.startswith(".")])
        problems = check_site(staged)
        if problems:
            raise ValueError("the site is not self-contained:\n" + "\n".join(problems[:20]))
        replace_dir(staged, dest)
    finally:
        if staged.exists():
            shutil.rmtree(staged, ignore_errors=True)
    return dest
