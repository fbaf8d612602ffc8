"""The bibliography: every reference the notebooks cite, kept once in ``data/references.json``.

The file is CSL-JSON (the Citation Style Language's data format, which Zotero and pandoc export):
a list of entries, each with an ``id`` (the key notebooks cite), a ``type`` and that type's fields
(:data:`REQUIRED_FIELDS`). Entries are formatted by **citeproc-py** with the Harvard "Cite Them
Right" style it ships (author, year, title, ...; the list sorted by author and year), so every
notebook's References read alike. CSL styles do not print an entry's ``note``, which here says
where a source lies in this project (a data file, a scraped copy); it follows the formatted entry.

A notebook's References cell::

    from trustlab import references
    references.show(["zhuangshuai-2022-trust-pyramid", "cohen-1988"],
                    notes={"cohen-1988": "effect size h"})

An unknown key, or an entry lacking a field its type needs, raises :class:`BibliographyError`
naming the key and the file.
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustlab import config

STYLE = "harvard-cite-them-right"  # shipped with citeproc-py (citeproc/data/styles)

# The fields an entry of each CSL type must have to be formatted as a reference a reader can find.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "article-magazine": ("title", "author", "container-title", "issued"),
    "article-newspaper": ("title", "author", "container-title", "issued"),
    "webpage": ("title", "author", "container-title", "issued", "URL"),
    "report": ("title", "author", "publisher", "issued"),
    "book": ("title", "author", "publisher", "issued"),
    "paper-conference": ("title", "author", "container-title", "issued"),
    "dataset": ("title", "author", "issued", "note"),  # the note says where the data lie
}


NONE_YET = "No references yet: add an entry to data/references.json for each source, and cite its key."


class BibliographyError(ValueError):
    """A cited key that is not in the bibliography file, or an entry that cannot be formatted."""


def references_file() -> Path:
    """The project's bibliography, ``data/references.json``."""
    return config.DATA_DIR / "references.json"


def entry_problems(entry: Any, where: str) -> list[str]:
    """What is wrong with one CSL-JSON entry (``where`` names it in each line), or []."""
    if not isinstance(entry, dict):
        return [f"{where}: expected an object, got {type(entry).__name__}"]
    key = entry.get("id")
    if not isinstance(key, str) or not key:
        return [f"{where}: no 'id' (the key notebooks cite)"]
    kind = entry.get("type")
    if kind not in REQUIRED_FIELDS:
        return [f"{where} {key!r}: type {kind!r} is not one of {', '.join(REQUIRED_FIELDS)}"]
    problems = [f"{where} {key!r}: a {kind} needs {field!r}" for field in REQUIRED_FIELDS[kind] if not entry.get(field)]
    issued = entry.get("issued")
    if issued and not (
        isinstance(issued, dict)
        and isinstance(issued.get("date-parts"), list)
        and issued["date-parts"]
        and all(isinstance(p, int) for p in issued["date-parts"][0])
    ):
        problems.append(f"{where} {key!r}: 'issued' must be {{\"date-parts\": [[year, month, day]]}}, got {issued!r}")
    for name in entry.get("author") or []:
        if not (isinstance(name, dict) and (name.get("literal") or name.get("family"))):
            problems.append(f"{where} {key!r}: an author needs 'family' (and 'given') or 'literal', got {name!r}")
    return problems


def load(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every entry of the bibliography file, by key; :class:`BibliographyError` lists every problem
    (unreadable file, duplicate key, missing field) with the file and the entry."""
    path = Path(path or references_file())
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BibliographyError(f"{path}: not a readable CSL-JSON file ({exc})") from None
    if not isinstance(entries, list):
        raise BibliographyError(f"{path}: expected a JSON list of CSL entries, got {type(entries).__name__}")
    found: dict[str, dict[str, Any]] = {}
    problems = []
    for index, entry in enumerate(entries):
        where = f"{path}: entry {index}"
        problems += entry_problems(entry, where)
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            if entry["id"] in found:
                problems.append(f"{where}: key {entry['id']!r} appears twice")
            found[entry["id"]] = entry
    if problems:
        raise BibliographyError("\n".join(problems))
    return found


@dataclass(frozen=True)
class Reference:
    """One formatted entry: its key, and its text as HTML and as plain text (note included)."""

    key: str
    html: str
    text: str


@dataclass(frozen=True)
class Bibliography:
    """A formatted list of references; shown as a list in a notebook (HTML) or as text."""

    references: tuple[Reference, ...]

    def _repr_html_(self) -> str:
        if not self.references:
            return f"<p>{html.escape(NONE_YET)}</p>"
        items = "".join(f'<li id="ref-{html.escape(r.key)}">{r.html}</li>' for r in self.references)
        return f'<ul class="trustlab-references">{items}</ul>'

    def __str__(self) -> str:
        if not self.references:
            return NONE_YET
        return "\n".join(f"- {r.text}" for r in self.references)

    __repr__ = __str__


_CODE = re.compile(r"`([^`]+)`")


def _note_html(note: str) -> str:
    return _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", html.escape(note))


def render(keys: Sequence[str], notes: Mapping[str, str] | None = None, path: Path | None = None) -> Bibliography:
    """Format the entries ``keys`` of the bibliography file (default ``data/references.json``) in the
    house style, each followed by its ``note`` and by ``notes[key]`` (what this notebook takes from
    it), sorted as the style sorts them (by author, then year)."""
    import citeproc
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    path = Path(path or references_file())
    entries = load(path)
    notes = dict(notes or {})
    keys = list(dict.fromkeys(keys))  # each once, in the order given
    for key in [*keys, *notes]:
        if key not in entries:
            raise BibliographyError(
                f"unknown reference key {key!r}: it is not in {path} "
                f"(add an entry with that 'id', or cite one of {', '.join(sorted(entries))})"
            )
    stray = sorted(set(notes) - set(keys))
    if stray:
        raise BibliographyError(f"notes given for {stray}, which are not cited; cite them or drop the notes")
    if not keys:  # a new notebook (trustlab new) before its sources are entered
        return Bibliography(())
    style = CitationStylesStyle(str(Path(citeproc.__file__).parent / "data" / "styles" / f"{STYLE}.csl"), validate=False)
    formatted: dict[str, dict[str, str]] = {key: {} for key in keys}
    for name, output in (("html", formatter.html), ("text", formatter.plain)):
        source = CiteProcJSON([copy.deepcopy(entries[key]) for key in keys])
        bibliography = CitationStylesBibliography(style, source, output)
        for key in keys:
            bibliography.register(Citation([CitationItem(key)]))
        bibliography.sort()  # as the style sorts its bibliography: by author, then year
        order = list(bibliography.keys)
        for key, item in zip(order, bibliography.bibliography()):
            formatted[key][name] = str(item)
    result = []
    for key in order:
        extra = [text for text in (entries[key].get("note"), notes.get(key)) if text]
        text = " ".join([formatted[key]["text"], *extra])
        markup = " ".join([formatted[key]["html"], *(_note_html(t) for t in extra)])
        result.append(Reference(key, markup, text))
    return Bibliography(tuple(result))


def show(keys: Sequence[str], notes: Mapping[str, str] | None = None) -> None:
    """Display the References list of a notebook (:func:`render` of ``keys``)."""
    from IPython.display import display

    display(render(keys, notes))
