"""What trustlab adds to the Sphinx book of a report site: the provenance header on every report page
(a node inserted as each page is read, from the run's own ``results.json``), figures numbered
within each page, and the answer-first landing page (the ``trustlab-index`` directive, from :func:`trustlab.runner.report.index_sections`)."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from trustlab.runner.book import run_label

RECORD_NAME = "results.json"  # beside each page's notebook in the book's sources
INDEX_DATA = "trustlab-index.json"  # beside the landing page: what :func:`report.index_sections` gives


def run_files_href(docname: str) -> str:
    """The link from a report page of the book (``book/REL/NAME.html``) to its run's folder in the
    site (``REL/``), where the executed notebook and ``results.json`` are."""
    folder = PurePosixPath(docname).parent
    return "../" * (len(folder.parts) + 1) + folder.as_posix() + "/"


def insert_provenance_header(app: Sphinx, doctree: nodes.document) -> None:
    """Put the run's provenance header (:func:`trustlab.runner.report.provenance_header`) after the
    title of a report page; pages without a run record beside them (the landing page) are left as they are."""
    from trustlab.runner import report

    docname = app.env.docname
    record_path = Path(app.env.doc2path(docname)).parent / RECORD_NAME
    if not record_path.is_file():
        return
    record = json.loads(record_path.read_text(encoding="utf-8"))
    header = nodes.raw(
        "", report.provenance_header(record, index_href=None, files_href=run_files_href(docname), in_book=True), format="html"
    )
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None and section.children and isinstance(section.children[0], nodes.title):
        section.insert(1, header)
    else:
        doctree.insert(0, header)


def number_figures_per_page(app: Sphinx, env: Any) -> list[str]:
    """Number each page's figures and tables from 1, as its standalone report does ("Figure 1"), instead of
    on through the whole book: each report is read on its own. Runs after Sphinx numbered them."""
    for by_type in env.toc_fignumbers.values():
        for figtype, numbers in by_type.items():
            by_type[figtype] = {name: (position,) for position, name in enumerate(sorted(numbers, key=numbers.get), 1)}
    return []


def _paragraph(*parts: nodes.Node | str, classes: list[str] | None = None) -> nodes.paragraph:
    para = nodes.paragraph(classes=classes or [])
    for part in parts:
        para += nodes.Text(part) if isinstance(part, str) else part
    return para


def _page_link(docname: str, text: str) -> addnodes.pending_xref:
    ref = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget="/" + docname, refexplicit=True, refwarn=True)
    ref += nodes.inline(text=text)
    return ref


class IndexDirective(SphinxDirective):
    """``trustlab-index``: per notebook its question, the answer its Summary gives first, and each run
    with its changed parameters and a link to its page (the data :data:`INDEX_DATA` beside the page)."""

    def run(self) -> list[nodes.Node]:
        data_path = Path(self.env.doc2path(self.env.docname)).parent / INDEX_DATA
        self.env.note_dependency(str(data_path))
        entries: list[dict[str, Any]] = json.loads(data_path.read_text(encoding="utf-8"))
        found: list[nodes.Node] = []
        for entry in entries:
            section = nodes.section(ids=[f"notebook-{entry['name']}"])
            section += nodes.title(text=entry["title"])
            if entry["question"]:
                section += _paragraph(entry["question"], classes=["trustlab-question"])
            if entry["answer"]:
                section += _paragraph(
                    nodes.strong(text=f"Answer ({entry['answer_from']} run): "), entry["answer"], classes=["trustlab-answer"]
                )
            runs = nodes.bullet_list()
            for run in entry["runs"]:
                item = nodes.list_item()
                parts: list[nodes.Node | str] = []
                label = run_label(str(run["kind"]))
                if run.get("page"):
                    parts.append(_page_link(run["page"], label))
                elif run.get("standalone"):  # a failed run or a sweep point: its own page in the site
                    parts.append(nodes.reference("", label, refuri=run["standalone"]))
                else:
                    parts.append(label)
                parts.append(f" ({run['status']}): {run['parameters']}")
                item += _paragraph(*parts)
                runs += item
            if entry["runs"]:
                section += runs
            else:
                section += _paragraph("No runs yet: make report builds one.")
            found.append(section)
        return found


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the header and the landing page's directive with Sphinx."""
    app.connect("doctree-read", insert_provenance_header)
    app.connect("env-get-updated", number_figures_per_page, priority=900)  # after Sphinx's own numbering (500)
    app.add_directive("trustlab-index", IndexDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
