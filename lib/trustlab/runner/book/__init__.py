"""A report site's book: its reports read as one site, built by Sphinx + myst-nb + sphinx-book-theme.

The stack gives the sidebar listing the reports, full-text search, each page's contents, numbered
figures, dark mode following the reader's preference, a print layout and the notebook download.
trustlab adds the provenance header of each report page and the answer-first landing page
(:mod:`~trustlab.runner.book.extension`), and keeps its own rules: the executed notebooks are rendered,
never re-executed, with the cells their standalone page hides left out (:func:`trustlab.runner.report.reading_copy`);
the book lives in ``SITE/book`` with its manifest, is built into a staging folder and swapped in only
when Sphinx succeeded (a failed build keeps the previous book), refuses a folder holding files it did
not write, and is not built at all when the stamp of its inputs, kept in the site's manifest, is unchanged.
Sphinx is imported only by the build's own process (``python -m sphinx``), never by the command.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trustlab.runner import folders, report, sites

if TYPE_CHECKING:
    import nbformat

CONF_DIR = Path(__file__).resolve().parent  # conf.py and the extension
SWITCH = "TRUSTLAB_BOOK"  # "off": the commands leave the book as it is (the test suite's runs that do not look at it)
SPHINX_TIMEOUT_SECONDS = 600
# What the pages are made from besides the runs: a change to any of them rebuilds the book.
CODE_FILES = [
    CONF_DIR / "__init__.py",
    CONF_DIR / "conf.py",
    CONF_DIR / "extension.py",
    report.SHARED_CSS,
    report.TEMPLATES_DIR / "provenance_header.html.j2",
    Path(report.__file__),
]
STACK = ("sphinx", "myst-nb", "sphinx-book-theme")


class BookError(RuntimeError):
    """Sphinx could not build the site's book (the previous book, if any, is kept)."""


def run_label(kind: str) -> str:
    """How the book names a run of a kind the site records: "default run", "scenario smoke run", "ad-hoc run"."""
    return "ad-hoc run" if kind == "run" else f"{kind} run"


def book_dir(site: Path) -> Path:
    """Where a site's book is: ``SITE/book``."""
    return Path(site) / sites.BOOK_DIRNAME


def stamp(site: Path, notebook_sources: list[Path]) -> str:
    """A digest of everything the book is made from: the runs the site records (each run folder's
    notebooks and ``results.json``, by size and modification time), the notebooks' sources (their
    titles and questions), the book's own code and stylesheet, and the versions of the stack."""
    from importlib import metadata

    digest = hashlib.sha256()
    for rel, kind in sorted(sites.recorded_runs(site).items()):
        digest.update(f"run {rel} {kind}\n".encode())
        try:
            entries = sorted(os.scandir(Path(site) / rel), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name == "results.json" or entry.name.endswith(".ipynb"):
                info = entry.stat()
                digest.update(f"{entry.name} {info.st_size} {info.st_mtime_ns}\n".encode())
    for path in [*notebook_sources, *CODE_FILES]:
        info = Path(path).stat()
        digest.update(f"{path} {info.st_size} {info.st_mtime_ns}\n".encode())
    for name in STACK:
        digest.update(f"{name} {metadata.version(name)}\n".encode())
    return digest.hexdigest()


def update(site: Path, notebook_sources: list[Path], *, force: bool = False) -> Path | None:
    """Build the site's book unless the stamp of its inputs is the one it was last built from (or
    ``force``); returns the book's folder when it was built, None when nothing had changed.

    Raises :class:`trustlab.runner.sites.OwnershipError` when the book's folder holds files trustlab
    did not write, and :class:`BookError` when Sphinx fails; in both cases the previous book stays
    as it was. Callers hold the site's lock (:func:`trustlab.runner.folders.locked`).
    """
    site = Path(site).resolve()
    book = book_dir(site)
    inputs = stamp(site, notebook_sources)
    if not force and book.is_dir() and sites.book_stamp(site) == inputs:
        return None
    sites.check_book_folder(book)
    folders.remove_abandoned_staging(book)
    staged = sites.new_staging_folder(book)
    work = Path(tempfile.mkdtemp(prefix="trustlab-book-"))  # the sources and Sphinx's doctrees: never published
    try:
        write_sources(site, work / "src", notebook_sources)
        run_sphinx(work / "src", staged, work / "doctrees")
        for fragment in (staged / "_static").glob("*macros.html"):
            fragment.unlink()  # the theme's Jinja macros, copied as static files: no page, and links no browser can follow
        sites.mark_book(staged)
        sites.check_book_folder(book)  # again: something may have appeared meanwhile
        folders.replace_dir(staged, book)
        sites.record_book_stamp(site, inputs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if staged.exists():
            shutil.rmtree(staged, ignore_errors=True)
    return book


def run_sphinx(src: Path, out: Path, doctrees: Path) -> None:
    """``python -m sphinx`` with trustlab's configuration (:mod:`trustlab.runner.book.conf`);
    :class:`BookError` with the end of what it printed when it fails."""
    # Warnings fail the build, as in QuantEcon's: a figure, a reference or a page that is not what it should be.
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-c", str(CONF_DIR)]
    command += ["-d", str(doctrees), str(src), str(out)]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=SPHINX_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise BookError(f"Sphinx did not finish within {SPHINX_TIMEOUT_SECONDS} s") from None
    if proc.returncode != 0:
        said = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-12:]
        raise BookError(f"Sphinx failed (exit code {proc.returncode}):\n" + "\n".join(said))


def page_notebook(executed: Path, page_id: str) -> "nbformat.NotebookNode":
    """A run's executed notebook as its book page shows it: its :func:`trustlab.runner.report.reading_copy`
    (the cell a failed run stopped in shown whole), each figure numbered with its title as caption and
    its alternative text (:func:`trustlab.plots.describe`, kept as the PNG's ``alt`` metadata) as the
    image's, for myst-nb (cell metadata ``mystnb.figure`` and ``mystnb.image``)."""
    import nbformat

    whole = nbformat.read(executed, as_version=4)
    nb = report.reading_copy(whole, keep=report.failed_cell_index(whole))
    cells = []
    for cell in nb.cells:
        figures = [i for i, output in enumerate(cell.get("outputs", [])) if "image/png" in (output.get("data") or {})]
        if len(figures) != 1 or "mystnb" in cell.metadata:
            cells.append(cell)
            continue
        cells += _figure_alone(
            cell, figures[0], f"{page_id}-figure-{sum('figure' in c.metadata.get('mystnb', {}) for c in cells) + 1}"
        )
    nb.cells = cells
    return nb


def _figure_alone(cell: Any, at: int, name: str) -> list[Any]:
    """``cell`` split so that its figure output (``outputs[at]``) is the only output of its cell, which
    carries the caption: myst-nb puts every output of a cell with figure metadata into the figure. The
    outputs before and after it follow in cells without code, in the same order."""
    import nbformat

    outputs = list(cell.outputs)
    figure = outputs[at]
    alt = str((figure.get("metadata") or {}).get("image/png", {}).get("alt", ""))
    caption = figure_caption(alt)
    options: dict[str, Any] = {"image": {"alt": alt}} if alt else {}
    if caption:
        options["figure"] = {"caption": caption, "name": name}

    def outputs_only(part: list[Any], suffix: str) -> Any:
        split = nbformat.v4.new_code_cell("", outputs=part, metadata={"tags": [report.REMOVE_INPUT_TAG]})
        split["id"] = f"{cell.get('id', 'cell')}-{suffix}"[:64]
        return split

    before, after = outputs[:at], outputs[at + 1 :]
    if before:
        cell.outputs = before
        figure_cell = outputs_only([figure], "figure")
        split = [cell, figure_cell]
    else:
        cell.outputs = [figure]
        figure_cell = cell
        split = [cell]
    if options:
        figure_cell.metadata["mystnb"] = options
    if after:
        split.append(outputs_only(after, "after"))
    return split


def figure_caption(alt: str) -> str | None:
    """A figure's caption from its alternative text: the titles of its first sentence ("Figure: GMV by
    quarter. Horizontal axis: ..." gives "GMV by quarter"); None for an untitled figure."""
    first = alt.removeprefix("Figure:").strip().split(". ")[0].strip().rstrip(".")
    return first if first and first != "untitled" else None


def write_sources(site: Path, src: Path, notebook_sources: list[Path]) -> list[str]:
    """Write the book's sources into ``src``: a page per successful run the site records (``REL/NAME.ipynb``,
    its ``results.json`` beside it for the header; sweep points and failed runs are linked to their
    standalone pages instead) and the landing page (``index.md``, the answer-first
    index and the sidebar's table of contents). Returns the pages' names in the sidebar's order."""
    from trustlab.runner import deferred

    deferred.defer_rfc3987_syntax()  # nbformat's jsonschema would compile grammars no notebook needs
    import nbformat

    sections = report.index_sections(site, notebook_sources)
    pages: list[tuple[str, str]] = []
    for section in sections:
        for run in section["runs"]:
            folder = site / run["folder"]
            executed = folder / f"{run['notebook']}.ipynb"
            if (folder / f"{run['notebook']}.html").is_file():
                run["standalone"] = f"../{run['folder']}/{run['notebook']}.html"
            if not executed.is_file() or run["status"] != "ok" or str(run["kind"]).startswith("sweep "):
                continue  # a failed run's own page marks its failed cell; a sweep's many points keep theirs
            page = f"{run['folder']}/{run['notebook']}"
            (src / run["folder"]).mkdir(parents=True, exist_ok=True)
            nbformat.write(page_notebook(executed, re.sub(r"[^A-Za-z0-9]+", "-", page).strip("-")), src / f"{page}.ipynb")
            shutil.copyfile(folder / "results.json", src / run["folder"] / "results.json")
            run["page"] = page
            pages.append((page, f"{section['title']} ({run_label(str(run['kind']))})"))
    (src / "trustlab-index.json").write_text(json.dumps(sections, ensure_ascii=False, default=str), encoding="utf-8")
    contents = "\n".join(f"{title.replace('<', '‹').replace('>', '›')} <{page}>" for page, title in pages)
    (src / "index.md").write_text(
        "# trustlab reports\n\n"
        "Every notebook of the collection with its question and the answer its default run gives first, then each run "
        "this site records with the parameters it changed. Each report opens with its provenance: the parameters "
        "(changed ones first), the data files, the commit and package versions.\n\n"
        "```{trustlab-index}\n```\n\n"
        f"```{{toctree}}\n:hidden:\n:caption: Reports\n\n{contents}\n```\n",
        encoding="utf-8",
    )
    return [page for page, _ in pages]
