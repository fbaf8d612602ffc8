"""Finishing a run: its rendered page, its strict results.json and the sanitized notebook; runs in the process that executed the notebook."""

from __future__ import annotations

import errno
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trustlab import provenance, results
from trustlab.runner import report

if TYPE_CHECKING:  # imported lazily at run time: it is slow to import
    import nbformat


def kernel_name() -> str:
    """The project's kernel if it is installed (``make install`` registers it), else the current Python."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    return "trustlab" if "trustlab" in specs else "python3"


def load_source(source: Path) -> "nbformat.NotebookNode":
    """Read a notebook's jupytext source as a notebook (no outputs)."""
    import jupytext

    return jupytext.read(source)


def output_hashes(folder: Path, name: str) -> dict[str, str]:
    """SHA-256 of the report files of a run (``NAME.html``, ``NAME.ipynb``) present in ``folder``,
    as recorded in ``results.json`` under ``provenance.outputs``."""
    return {
        file: provenance.file_sha256(folder / file) for file in (f"{name}.html", f"{name}.ipynb") if (folder / file).is_file()
    }


def disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an error it was raised from or while handling, is the system saying the
    disk (or the user's quota) is full."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def disk_full_message(folder: Path, what: str) -> str:
    """What a run says when the disk is full: the words, the folder and what it was writing."""
    return f"no space left on device in {folder} (writing {what})"


def read_executed(output: Path) -> "nbformat.NotebookNode | None":
    """The executed notebook papermill saved, or None if there is none or it is cut short (papermill
    saves it as the cells run: a full disk or a kill mid-save leaves a truncated file)."""
    import nbformat

    try:
        return nbformat.read(output, as_version=4) if output.exists() else None
    except (ValueError, nbformat.reader.NotJSONError, nbformat.ValidationError):
        return None


# How cells are found and numbered lives with the page that shows them (trustlab.runner.report).
_failed_cell = report.failed_cell_index


cell_position = report.cell_position


def finalize(spec: dict[str, Any], status: str, error: str, seconds: float) -> str:
    """Write a run's HTML page (marking the failed cell, if any), ``results.json`` and, for a
    failed run, ``error.txt`` into the staging folder; return the error text as written. Runs in
    the child that executed the notebook (so rendering happens in parallel), or in the parent
    after a timeout.

    A failed cell is named "cell N of M" (:func:`cell_position`) alike in the error text, the
    record (``provenance.failed_cell``) and the page. The page is rendered from the sanitized
    notebook (:func:`sanitize_notebook`), so that reruns with the same inputs give the same bytes.
    ``results.json`` is strict JSON (:func:`trustlab.results.dumps_record`) and records the SHA-256
    of the page and the executed notebook (``provenance.outputs``), which the build's cache checks.
    """

    staged = Path(spec["staged"])
    output = Path(spec["output"])
    name = spec["name"]
    executed = read_executed(output)
    record = spec["record"]
    record["results"] = results.collect(executed) if executed is not None else {}
    record["provenance"]["seconds"] = round(seconds, 2)
    record["provenance"]["status"] = status
    if executed is not None:
        failed_at = _failed_cell(executed) if status != "ok" else None
        if failed_at is not None:
            number, of = cell_position(executed, failed_at)
            record["provenance"]["failed_cell"] = {"cell": number, "of": of}
            error = f"cell {number} of {of} failed: {error}"
        href = spec["index_href"] if status == "ok" else spec["failed_index_href"]
        page = report.render_html(
            sanitize_notebook(executed), results.strict_record(record), failed_cell=failed_at, index_href=href
        )
        (staged / f"{name}.html").write_text(page, encoding="utf-8")
    if status != "ok":
        (staged / "error.txt").write_text(error, encoding="utf-8")
    record["provenance"]["outputs"] = output_hashes(staged, name)
    nonfinite = results.collect_nonfinite(executed) if executed is not None else {}
    (staged / "results.json").write_text(results.dumps_record(record, nonfinite), encoding="utf-8")
    return error


VOLATILE_METADATA = ("papermill", "execution")


def as_paired_ipynb(nb: "nbformat.NotebookNode") -> "nbformat.NotebookNode":
    """``nb`` (read from a jupytext source) as jupytext itself writes the ``.ipynb`` of a pair: without
    the text format's ``text_representation``, which only the ``.py`` header carries. A committed
    notebook written this way is left unchanged by ``jupytext --sync``."""
    jupytext_metadata = nb.metadata.get("jupytext", {})
    jupytext_metadata.pop("text_representation", None)
    if not jupytext_metadata:
        nb.metadata.pop("jupytext", None)
    return nb


# pandas Styler tables get a random id per run (T_3fa9c, used by their CSS), and default reprs
# carry memory addresses; both would make every refresh rewrite lines that did not change.
_STYLER_ID = re.compile(r"(?<![A-Za-z0-9])T_([0-9a-f]{5})(?![0-9a-f])")


_ADDRESS = re.compile(r"(?<= at )0x[0-9a-f]+(?=>)")


def sanitize_notebook(nb: "nbformat.NotebookNode") -> "nbformat.NotebookNode":
    """Drop what changes from run to run without meaning anything (papermill timings, execution
    timestamps, random cell and Styler ids, memory addresses) so diffs show real changes. Report
    pages are rendered from the sanitized notebook too, so a rerun gives the same page."""
    import nbformat

    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for key in VOLATILE_METADATA:
        nb.metadata.pop(key, None)
    styler_ids: dict[str, str] = {}

    def stable_id(match: re.Match) -> str:
        return styler_ids.setdefault(match.group(1), f"T_{len(styler_ids) + 1:05x}")

    def clean(text: str) -> str:
        return _ADDRESS.sub("0x000000", _STYLER_ID.sub(stable_id, text))

    for index, cell in enumerate(nb.cells):
        for key in VOLATILE_METADATA:
            cell.metadata.pop(key, None)
        cell["id"] = f"cell-{index:03d}"  # stable ids instead of random ones
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and "text" in output:  # print() of a repr
                text = output["text"]
                output["text"] = clean("".join(text) if isinstance(text, list) else text)
            for mime in ("text/html", "text/plain"):
                value = output.get("data", {}).get(mime)
                if value is not None:
                    text = "".join(value) if isinstance(value, list) else value
                    output["data"][mime] = clean(text)
    return nb
