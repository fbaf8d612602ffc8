"""Rendered reports: one HTML page per run with a provenance header, needing no network to view."""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trustlab import prose
from trustlab.runner import folders, page_markup
from trustlab.runner.compare import notebook_result_groups, shown

if TYPE_CHECKING:  # imported lazily at run time: it is slow to import
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

SHARED_CSS = TEMPLATES_DIR.parent / "static" / "trustlab.css"  # one look: report pages, the site's book and the explorer

# What only the standalone report page needs, beyond the shared stylesheet.
_PAGE_CSS = """
body.trustlab-hide-code .jp-CodeCell .jp-Cell-inputWrapper { display: none; }
.trustlab-header tr.trustlab-changed th, .trustlab-header tr.trustlab-changed td { background: #fff4d6; }
.trustlab-badge { font-size: 0.8em; padding: 0 0.4em; border-radius: 0.6em; background: #8a5300; color: #fff; }
/* Code and prompts readable (WCAG AA, 4.5:1 on the code cell's #f5f5f5): the lab theme's own colours
   #aa22ff, #008800, #408080... fall short, and its prompts are drawn at half opacity (#b0b0b0 on white).
   html:root outranks the theme's :root, whose style sheet comes later in the page. */
html:root { --jp-cell-prompt-not-active-opacity: 1; --jp-mirror-editor-atom-color: #4545c4;
  --jp-mirror-editor-number-color: #006e00; --jp-mirror-editor-variable-3-color: #00704d;
  --jp-mirror-editor-operator-color: #7928a1; --jp-mirror-editor-meta-color: #7928a1;
  --jp-mirror-editor-comment-color: #356a6a; --jp-mirror-editor-bracket-color: #67674f;
  --jp-mirror-editor-quote-color: #006e00; --jp-mirror-editor-error-color: #b00000; --jp-mirror-editor-hr-color: #6b6b6b; }
/* Tables for reading: a long text cell wraps within a bounded width instead of stretching its row. */
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { max-width: 40em; white-space: normal;
  overflow-wrap: break-word; vertical-align: top; }
"""


@functools.cache
def page_css() -> str:
    """The stylesheet of a standalone report page: the shared one (:data:`SHARED_CSS`) and the page's own rules."""
    return SHARED_CSS.read_text(encoding="utf-8") + _PAGE_CSS


_JS = """
(function () {
  var box = document.getElementById('trustlab-hide-code');
  if (!box) { return; }
  function apply() { document.body.classList.toggle('trustlab-hide-code', box.checked); }
  box.addEventListener('change', apply);
  apply();
})();
"""


def _as_text(value: Any) -> str:
    """A header or index cell: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@functools.cache
def templates() -> "jinja2.Environment":
    """A Jinja2 environment of the runner's templates (``templates/``), escaping HTML, strict about undefined names."""
    import jinja2
    import markupsafe

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["as_text"] = _as_text
    env.filters["counted"] = prose.count  # "1 parameter", "3 parameters" (jinja2's own "count" is its length)
    env.globals["shared_css"] = markupsafe.Markup(SHARED_CSS.read_text(encoding="utf-8"))  # the explorer's pages use it
    return env


def parameter_rows(run_record: dict[str, Any]) -> list[dict[str, Any]]:
    """The header's parameter table: one row per parameter with its value as text, whether it was
    changed from the notebook's default (the record's ``changed_parameters``) and that default.
    A non-finite value, written as null in a strict record, is shown as its ``nonfinite`` name."""
    nonfinite = run_record.get("nonfinite") or {}
    changed = run_record.get("changed_parameters") or {}

    def text(value: Any, path: str) -> str:
        return str(nonfinite[path]) if value is None and path in nonfinite else _as_text(value)

    return [
        {
            "name": name,
            "value": text(value, f"parameters.{name}"),
            "changed": name in changed,
            "default": text(changed[name], f"changed_parameters.{name}") if name in changed else "",
        }
        for name, value in (run_record.get("parameters") or {}).items()
    ]


def provenance_header(
    run_record: dict[str, Any], *, index_href: str | None = "../index.html", files_href: str = "", in_book: bool = False
) -> str:
    """The HTML header every rendered notebook carries: parameters (each shown once, here: the
    page leaves the parameters cells out; a value changed from the notebook's default is marked
    "changed", with the default beside it), commit, data hashes, versions, time, and a link back
    to its site's index (none for a run in no site: ``index_href=None``). ``files_href`` leads from
    the page to the run's folder (its ``.ipynb`` and ``results.json``); a page of the site's book
    (``in_book``) has no switch hiding code, which is the standalone page's own script.

    The start time and duration, in ``<span id="trustlab-run-time">``, are the only part of a
    report page that differs between two runs with the same inputs."""
    prov = run_record.get("provenance", {})
    rows = parameter_rows(run_record)
    return (
        templates()
        .get_template("provenance_header.html.j2")
        .render(
            name=run_record.get("notebook", "notebook"),
            scenario=run_record.get("scenario"),
            status=prov.get("status", "ok"),
            provenance={
                "git_commit": prov.get("git_commit"),
                "started": prov.get("started"),
                "seconds": prov.get("seconds"),
                "package_versions": prov.get("package_versions", {}),
            },
            parameters=rows,
            changed_count=sum(row["changed"] for row in rows),
            data_rows=[(path, digest[:16]) for path, digest in prov.get("data_hashes", {}).items()],
            index_href=index_href,
            files_href=files_href,
            in_book=in_book,
        )
    )


INJECTED_TAG = "injected-parameters"  # papermill's cell setting the run's parameters
PARAMETERS_TAG = "parameters"  # the notebook's own parameters cell (its declared defaults)
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"  # papermill's notices about a failure ("at In [12]")
# Tags a notebook's own cells carry for the report page (the names Jupyter Book uses; the notebook
# opened in Lab, papermill and nbval ignore them, so the executed .ipynb keeps everything):
REMOVE_INPUT_TAG = "remove-input"  # set-up and Summary cells: the page shows their outputs, not their code
REMOVE_CELL_TAG = "remove-cell"  # the environment cell: its commit and versions are in the header already


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def failed_cell_index(nb: "nbformat.NotebookNode") -> int | None:
    """Index in ``nb.cells`` of the cell a run failed in (as papermill decides it: the first
    error output other than a clean ``SystemExit``, or a cell papermill marked), or None."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and not (
                output.get("ename") == "SystemExit" and output.get("evalue") in ("", "0")
            ):
                return index
        if cell.get("metadata", {}).get("papermill", {}).get("exception") is True:
            return index
    return None


def cell_position(nb: "nbformat.NotebookNode", index: int) -> tuple[int, int]:
    """(N, M) of the cell at ``index``: its 1-based position among the notebook's own cells
    (markdown included; the cells papermill adds are left out, so N is the cell's position in the
    source the analyst edits) and how many there are. Every message says "cell N of M"."""
    own = [i for i, cell in enumerate(nb.cells) if not {INJECTED_TAG, PAPERMILL_ERROR_TAG} & set(_tags(cell))]
    return (own.index(index) + 1 if index in own else index + 1), len(own)


def _is_machinery(output: Any) -> bool:
    """An output only the runner needs: the one :func:`trustlab.results.record` shows, which
    carries the recorded value in its own MIME type (it goes to ``results.json``)."""
    from trustlab.results import RESULT_MIME

    return RESULT_MIME in (output.get("data") or {})


def reading_copy(nb: "nbformat.NotebookNode", keep: int | None = None) -> "nbformat.NotebookNode":
    """The notebook as its report page shows it (a copy; ``nb`` is left as it is): without the
    parameters cell and papermill's injected cell, whose values the provenance header lists;
    without the outputs of :func:`trustlab.results.record`; without the code of cells tagged
    :data:`REMOVE_INPUT_TAG` (set-up and Summary cells, so the Summary follows the title) and a
    code cell left with neither code nor output; and without cells tagged :data:`REMOVE_CELL_TAG`
    (the environment table, whose commit and package versions the header carries). The executed
    ``.ipynb`` keeps all of them. The cell at index ``keep`` (the one a run failed in) is shown
    whole, whatever it is."""
    return _leave_out_machinery(copy.deepcopy(nb), keep)


def _leave_out_machinery(nb: "nbformat.NotebookNode", keep: int | None) -> "nbformat.NotebookNode":
    cells = []
    for index, cell in enumerate(nb.cells):
        tags = set(_tags(cell))
        if index != keep and {PARAMETERS_TAG, INJECTED_TAG, REMOVE_CELL_TAG} & tags:
            continue
        if "outputs" in cell:
            cell["outputs"] = [output for output in cell["outputs"] if not _is_machinery(output)]
        if index != keep and REMOVE_INPUT_TAG in tags:
            if cell.cell_type == "code" and not cell.get("outputs"):
                continue  # nothing left to show
            # nbconvert's templates leave out the source of a cell whose transient.remove_source is set
            cell.setdefault("metadata", {}).setdefault("transient", {})["remove_source"] = True
        cells.append(cell)
    nb.cells = cells
    return nb


def render_html(
    nb: "nbformat.NotebookNode",
    run_record: dict[str, Any],
    *,
    failed_cell: int | None = None,
    index_href: str | None = "../index.html",
) -> str:
    """Render an executed notebook to self-contained HTML with the provenance header.

    ``failed_cell`` is the index in ``nb.cells`` of the cell the run failed in: a banner before
    it names it "cell N of M" (:func:`cell_position`), as the command line and ``results.json``
    do; papermill's own notices, which number cells by execution count, are left out.

    The page shows the notebook's :func:`reading_copy`: no parameters cells (the header lists
    the parameters once, changed values marked), no outputs of ``record``, no code of the cells
    tagged ``remove-input`` (so the Summary follows the title) and no environment cell
    (``remove-cell``; the header lists its commit and package versions).
    """
    import nbformat

    nb = copy.deepcopy(nb)
    failed = None  # the cell the run failed in, found again after the banner moved it
    if failed_cell is not None:
        number, of = cell_position(nb, failed_cell)
        failed = nb.cells[failed_cell]
        nb.cells = [cell for cell in nb.cells if PAPERMILL_ERROR_TAG not in _tags(cell)]
        banner = nbformat.v4.new_markdown_cell(
            f'<div class="trustlab-failed-banner" id="failed-cell"><strong>This run failed in the next cell '
            f"(cell {number} of {of}).</strong> The cells after it did not run.</div>"
        )
        banner["id"] = "failed-cell-banner"
        nb.cells.insert(next(i for i, cell in enumerate(nb.cells) if cell is failed), banner)
    keep = next((i for i, cell in enumerate(nb.cells) if cell is failed), None) if failed is not None else None
    nb = _leave_out_machinery(nb, keep)  # nb is render_html's own copy already
    exporter = _exporter()
    header = provenance_header(run_record, index_href=index_href)
    if failed_cell is not None:
        header += '<p class="trustlab-failed-banner"><a href="#failed-cell">Jump to the failed cell</a></p>'
    resources = {
        "trustlab_header": header,
        "trustlab_css": page_css(),
        "trustlab_js": _JS,
        "metadata": {"name": run_record.get("notebook", "notebook")},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return page_markup.tidy(body)  # ids valid to html-validate, outputs' <style> in the head


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
    """Load and compile the report templates by rendering a two-cell page (for the fork server,
    whose runs then inherit them); its markdown cell loads the markdown renderer's plugins."""
    import nbformat

    cells = [nbformat.v4.new_markdown_cell("# Warm-up"), nbformat.v4.new_code_cell("1", outputs=[], execution_count=1)]
    nb = nbformat.v4.new_notebook(cells=cells)
    render_html(nb, {"notebook": "warm-up", "parameters": {}, "provenance": {}})


def notebook_question(source: Path) -> tuple[str, str]:
    """Title and question of a notebook, from the first markdown cell of its source, read once per
    version of the file (the explorer rewrites the site's index after every run)."""
    path = Path(source).resolve()
    stat = path.stat()
    return _notebook_question(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _notebook_question(source: str, _mtime_ns: int, _size: int) -> tuple[str, str]:
    import jupytext

    nb = jupytext.read(source)
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    lines = [line.strip() for line in first.splitlines() if line.strip()]
    title = lines[0].lstrip("# ").strip() if lines else Path(source).stem
    return title, " ".join(lines[1:])


def summary_answer(executed: Path) -> str | None:
    """The first point of an executed notebook's Summary (the first line the cell after its
    ``Summary`` heading displays, as plain text), or None when the file is not a readable notebook
    or has no such section or output. The site's index and the explorer both show it."""
    try:
        cells = json.loads(Path(executed).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    for i, cell in enumerate(cells[:-1]):
        text = "".join(cell.get("source", "")) if cell.get("cell_type") == "markdown" else ""
        if not re.search(r"^#+\s*Summary\b", text, re.MULTILINE):
            continue
        for output in cells[i + 1].get("outputs", []):
            markdown = "".join((output.get("data") or {}).get("text/markdown", ""))
            first = next((line.strip() for line in markdown.splitlines() if line.strip()), "")
            if first:
                plain = re.sub(r"\*\*|`", "", first.removeprefix("- ").removeprefix("* ")).strip()
                return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", plain)
    return None


def format_number(value: float) -> str:
    """A number for reading, as report tables show it (:func:`trustlab.tables_display.format_number`)."""
    from trustlab import tables_display

    return tables_display.format_number(value)


def key_figures(results: dict[str, Any], groups: Mapping[str, Mapping[str, Any]], limit: int = 5) -> list[tuple[str, str]]:
    """A few recorded numbers for reading: ``(label, value)``, the results the notebook's result groups
    name first and in their order, each worded as its narrative words it (so with its unit: "171,068 a
    day", "RMB 191,680", "8.96%"); without groups, the first numbers recorded, plainly. Verdicts, lists
    and missing values are left to the report."""
    named = [(name, formatter) for members in groups.values() for name, formatter in members.items()]
    figures = []
    for name, formatter in named or [(name, None) for name in results]:
        value = results.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        figures.append((name.replace("_", " "), shown(value, formatter)))
        if len(figures) == limit:
            break
    return figures


def valid_record(path: Path) -> dict[str, Any] | None:
    """A run's ``results.json`` if it holds a run record (:func:`trustlab.results.read_record`);
    else None, with a warning naming the file and what is wrong with it."""
    from trustlab.results import read_record

    record, problem = read_record(path)
    if record is None:
        print(f"trustlab: warning: {path}: not a run record: {problem}; left out of the index", file=sys.stderr)
    return record


def collect_runs(site: Path) -> list[dict[str, Any]]:
    """The runs a report site records (:func:`trustlab.runner.sites.recorded_runs`), each with its record
    and links; a recorded folder that is gone or holds no valid record is left out."""
    from trustlab.runner import sites

    site = Path(site)
    runs = []
    for rel, kind in sorted(sites.recorded_runs(site).items()):
        folder = site / rel
        record = valid_record(folder / "results.json") if (folder / "results.json").exists() else None
        if record is None:
            continue
        name = str(record.get("notebook", folder.name))
        runs.append(
            {
                "folder": rel,
                "kind": kind,
                "record": record,
                "html": f"{rel}/{name}.html" if (folder / f"{name}.html").exists() else None,
                "ipynb": f"{rel}/{name}.ipynb" if (folder / f"{name}.ipynb").exists() else None,
            }
        )
    return runs


def index_sections(site: Path, notebook_sources: list[Path]) -> list[dict[str, Any]]:
    """What a site's index shows, answer first: per notebook its title, question, the one-line answer of
    its Summary, and each run the site records with its status, changed parameters, key results,
    commit, folder and links. The site's ``index.html`` and the landing page of its book both show it.

    Only a site trustlab made has them (:class:`trustlab.runner.sites.OwnershipError` otherwise).
    """
    site = Path(site)
    runs = collect_runs(site)
    known = {source.stem for source in notebook_sources}
    others = sorted({str(r["record"].get("notebook")) for r in runs} - known)
    entries: list[tuple[str, str, str]] = [(source.stem, *notebook_question(source)) for source in notebook_sources]
    entries += [(name, name, "A notebook outside the collection, run into this site.") for name in others]
    sections = []
    for stem, title, question in entries:
        groups = notebook_result_groups({"notebook": stem})
        rows = []
        for run in (r for r in runs if str(r["record"].get("notebook")) == stem):
            rec = run["record"]
            prov = rec.get("provenance", {})
            rows.append(
                {
                    "kind": run["kind"],
                    "folder": run["folder"],
                    "notebook": stem,
                    "status": str(prov.get("status", "ok")),
                    # only what this run changed: the defaults are the notebook's, listed in each report
                    "parameters": ", ".join(
                        f"{k}={json.dumps(rec.get('parameters', {}).get(k), ensure_ascii=False)}"
                        for k in (rec.get("changed_parameters") or {})
                    )
                    or "all defaults",
                    "results": key_figures(rec.get("results", {}), groups),
                    "started": str(prov.get("started", "")),
                    "commit": str(prov.get("git_commit", ""))[:12],
                    "links": [
                        (label, href)
                        for label, href in (
                            ("report", run["html"]),
                            ("notebook", run["ipynb"]),
                            ("results", f"{run['folder']}/results.json"),
                        )
                        if href
                    ],
                }
            )
        # The answer of the default run, else of the first successful run (named, so a smoke-size
        # answer is not read as the default's).
        own = [r for r in runs if str(r["record"].get("notebook")) == stem and r["ipynb"]]
        own = [r for r in own if str(r["record"].get("provenance", {}).get("status", "ok")) == "ok"]
        source_run = next((r for r in own if r["kind"] == "default"), own[0] if own else None)
        answer = summary_answer(site / source_run["ipynb"]) if source_run else None
        sections.append(
            {
                "name": stem,
                "title": title,
                "question": question,
                "answer": answer,
                "answer_from": source_run["kind"] if source_run else None,
                "runs": rows,
            }
        )
    return sections


def build_index(site: Path, notebook_sources: list[Path]) -> Path:
    """Write a report site's ``index.html`` (:func:`index_sections`, then the site's sweep tables and,
    once it is built, a link to the site's book). Returns the path.

    Only a site trustlab made gets an index (:class:`trustlab.runner.sites.OwnershipError` otherwise).
    """
    from trustlab.runner import sites

    site = Path(site)
    sections = index_sections(site, notebook_sources)
    book = site / sites.BOOK_DIRNAME / "index.html"
    sweeps = [site / rel / "sweep.csv" for rel in sites.recorded_sweeps(site) if (site / rel / "sweep.csv").exists()]
    page = (
        templates()
        .get_template("site_index.html.j2")
        .render(
            entries=sections,
            book_href=book.relative_to(site).as_posix() if book.is_file() else None,
            sweeps=[
                {
                    "name": p.parent.name,
                    "csv": p.relative_to(site).as_posix(),
                    "parquet": p.with_suffix(".parquet").relative_to(site).as_posix(),
                }
                for p in sweeps
            ],
        )
    )
    target = site / "index.html"
    sites.write_atomically(target, page)
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
            path = (page.parent / re.split(r"[?#]", target)[0]).resolve()  # a query (a cache-busting ?v=) names no file
            if not path.exists():
                problems.append(f"{page.relative_to(site)}: broken link {target}")
    return problems


def publish(site: Path, dest: Path) -> Path:
    """Write a self-contained copy of the report site to ``dest`` (relative links only, no network).

    ``dest`` must lie outside the site and the checkout, and be new, empty, or a copy trustlab
    published before holding only what it wrote (:func:`trustlab.runner.sites.check_publish_destination`);
    such a copy is replaced whole. The copy is staged beside ``dest`` and moved into place only
    when it checks out. Callers hold the site's lock (:func:`trustlab.runner.folders.locked`).
    """
    import shutil

    from trustlab.runner import sites

    site, dest = Path(site).resolve(), Path(dest).resolve()
    if sites.read_manifest(site, sites.SITE_MANIFEST) is None or not (site / "index.html").exists():
        raise sites.OwnershipError(
            f"{site}: not a report site trustlab built (no index.html and {sites.SITE_MANIFEST}); build the reports first (make report)"
        )
    sites.check_publish_destination(dest, site)
    sites.check_writable(dest.parent)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staged = sites.new_folder(dest.parent, f".{dest.name}.tmp-")
    try:
        _copy_contents(site, staged)
        problems = check_site(staged)
        if problems:
            raise ValueError("the site is not self-contained:\n" + "\n".join(problems[:20]))
        sites.mark_published(staged, site)
        sites.check_publish_destination(dest, site)  # again: something may have appeared meanwhile
        folders.replace_dir(staged, dest)
    finally:
        if staged.exists():
            shutil.rmtree(staged, ignore_errors=True)
    return dest


def _copy_contents(site: Path, staged: Path) -> None:
    """Copy the site's files and folders, hidden ones left out, into ``staged``: each file and folder
    made new, as the umask allows (not with the site's own modes, as copytree would keep them)."""
    import shutil

    for folder, subfolders, files in os.walk(site, followlinks=True):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        into = staged / Path(folder).relative_to(site)
        into.mkdir(exist_ok=True)
        for name in sorted(name for name in files if not name.startswith(".")):
            shutil.copyfile(Path(folder) / name, into / name)
