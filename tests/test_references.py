"""The bibliography (data/references.json) and its formatter (trustlab.references): every key the
notebooks cite exists, every entry has the fields its type needs, each type renders, and a bad key
or entry is refused with the key and the file named."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from trustlab import config, references
from trustlab.references import BibliographyError

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py"))


def _citations(source: Path) -> list[tuple[list[str], list[str]]]:
    """The keys and the note keys of every ``references.show(...)`` call in a notebook source."""
    calls = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "show"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "references"
        ):
            keys = ast.literal_eval(node.args[0])
            notes = next((ast.literal_eval(k.value) for k in node.keywords if k.arg == "notes"), {})
            calls.append((keys, list(notes)))
    return calls


@pytest.mark.parametrize("source", NOTEBOOKS, ids=[s.stem for s in NOTEBOOKS])
def test_every_notebook_cites_from_the_bibliography_and_every_key_exists(source):
    import jupytext

    calls = _citations(source)
    assert len(calls) == 1, f"{source.name}: expected one references.show([...]) call in its References section"
    [(keys, note_keys)] = calls
    known = references.load()
    assert set(keys) <= set(known), f"{source.name} cites unknown keys {sorted(set(keys) - set(known))}"
    assert set(note_keys) <= set(keys)
    references.render(keys)  # and they format
    cells = jupytext.read(source).cells
    heading = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and "## References" in c.source)
    assert "\n- " not in cells[heading].source, f"{source.name}: a hand-written reference list is left"
    assert "references.show(" in cells[heading + 1].source, f"{source.name}: the cell after References does not show them"


def test_every_entry_has_the_fields_its_type_needs():
    raw = json.loads(references.references_file().read_text(encoding="utf-8"))
    assert len({entry["id"] for entry in raw}) == len(raw), "a key appears twice"
    for index, entry in enumerate(raw):
        assert references.entry_problems(entry, f"entry {index}") == []
        for field in references.REQUIRED_FIELDS[entry["type"]]:
            assert entry[field], f"{entry['id']}: empty {field}"


def test_every_entry_of_the_project_renders_once_with_its_author_year_and_note():
    entries = references.load()
    rendered = references.render(list(entries))
    assert sorted(r.key for r in rendered.references) == sorted(entries)
    for ref in rendered.references:
        entry = entries[ref.key]
        author = entry["author"][0]
        assert ref.text.startswith(author.get("literal") or author["family"]), ref.text
        assert f"({entry['issued']['date-parts'][0][0]})" in ref.text
        assert entry.get("note", "") in ref.text
    html = rendered._repr_html_()
    assert html.startswith('<ul class="trustlab-references">') and html.count("<li ") == len(entries)
    assert "<code>data/facts.csv</code>" in html  # a note's `path` is shown as code


def _write(tmp_path: Path, entries: list[dict]) -> Path:
    path = tmp_path / "references.json"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return path


ONE_OF_EACH = [
    {
        "id": "mag",
        "type": "article-magazine",
        "title": "Trade piece",
        "author": [{"literal": "Retail Channel"}],
        "container-title": "Retail Weekly",
        "issued": {"date-parts": [[2022, 6, 23]]},
    },
    {
        "id": "news",
        "type": "article-newspaper",
        "title": "News piece",
        "author": [{"family": "Li", "given": "Wei"}],
        "container-title": "Daily News",
        "issued": {"date-parts": [[2021, 11, 24]]},
    },
    {
        "id": "web",
        "type": "webpage",
        "title": "A web page",
        "author": [{"literal": "Some Site"}],
        "container-title": "Some Site",
        "issued": {"date-parts": [[2020]]},
        "URL": "https://example.org/page",
    },
    {
        "id": "rep",
        "type": "report",
        "title": "Annual Report",
        "author": [{"literal": "A Company"}],
        "publisher": "A Company",
        "issued": {"date-parts": [[2022, 3, 4]]},
    },
    {
        "id": "book",
        "type": "book",
        "title": "A Book",
        "author": [{"family": "Doe", "given": "Jane"}],
        "edition": "2",
        "publisher": "A Press",
        "publisher-place": "Boston",
        "issued": {"date-parts": [[1999]]},
    },
    {
        "id": "conf",
        "type": "paper-conference",
        "title": "A paper",
        "author": [{"family": "Roe", "given": "Ann"}],
        "container-title": "Proceedings of a Conference",
        "page": "1-9",
        "issued": {"date-parts": [[2010]]},
    },
    {
        "id": "data",
        "type": "dataset",
        "title": "A table",
        "author": [{"literal": "trustlab"}],
        "issued": {"date-parts": [[2026]]},
        "note": "`data/a.csv`, one row per figure.",
    },
]

EXPECTED = {  # what each type's rendering must show beside its title
    "mag": ["Retail Channel (2022)", "“Trade piece”", "Retail Weekly", "23 June"],
    "news": ["Li, W. (2021)", "“News piece”", "Daily News", "24 November"],
    "web": ["Some Site (2020)", "A web page", "Available at: https://example.org/page"],
    "rep": ["A Company (2022)", "Annual Report", "A Company."],
    "book": ["Doe, J. (1999)", "A Book", "2nd ed.", "Boston: A Press"],
    "conf": ["Roe, A. (2010)", "“A paper”", "Proceedings of a Conference", "pp. 1–9"],
    "data": ["trustlab (2026)", "A table", "`data/a.csv`, one row per figure."],
}


@pytest.mark.parametrize("key", [entry["id"] for entry in ONE_OF_EACH])
def test_each_entry_type_renders_with_its_fields(tmp_path, key):
    assert {e["type"] for e in ONE_OF_EACH} == set(references.REQUIRED_FIELDS)
    path = _write(tmp_path, ONE_OF_EACH)
    [ref] = references.render([key], notes={key: "Used here: a test."}, path=path).references
    for part in EXPECTED[key]:
        assert part in ref.text, f"{part!r} not in {ref.text!r}"
    assert ref.text.endswith("Used here: a test.")


def test_the_list_is_sorted_by_author_then_year(tmp_path):
    rendered = references.render(["news", "book", "conf", "mag"], path=_write(tmp_path, ONE_OF_EACH))
    assert [r.key for r in rendered.references] == ["book", "news", "mag", "conf"]  # Doe, Li, Retail, Roe
    assert str(rendered).splitlines()[0].startswith("- Doe, J. (1999)")


def test_an_unknown_key_names_the_key_and_the_file(tmp_path):
    path = _write(tmp_path, ONE_OF_EACH)
    with pytest.raises(BibliographyError, match=rf"unknown reference key 'nope': it is not in {path}"):
        references.render(["book", "nope"], path=path)
    with pytest.raises(BibliographyError, match="unknown reference key 'nope'"):
        references.render(["book"], notes={"nope": "x"}, path=path)
    with pytest.raises(BibliographyError, match=r"notes given for \['conf'\], which are not cited"):
        references.render(["book"], notes={"conf": "x"}, path=path)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda e: e.pop("publisher"), "entry 4 'book': a book needs 'publisher'"),
        (lambda e: e.update(type="thesis"), "entry 4 'book': type 'thesis' is not one of"),
        (lambda e: e.update(issued="1999"), "entry 4 'book': 'issued' must be"),
        (lambda e: e.update(author=[{"given": "Jane"}]), "entry 4 'book': an author needs 'family'"),
        (lambda e: e.update(id="mag"), "entry 4: key 'mag' appears twice"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_file_and_the_entry(tmp_path, change, message):
    entries = json.loads(json.dumps(ONE_OF_EACH))
    change(entries[4])
    path = _write(tmp_path, entries)
    with pytest.raises(BibliographyError) as caught:
        references.load(path)
    assert f"{path}: {message}" in str(caught.value)


def test_a_notebook_citing_nothing_yet_says_so():
    empty = references.render([])
    assert str(empty) == references.NONE_YET and empty._repr_html_() == f"<p>{references.NONE_YET}</p>"


def test_a_file_that_is_not_a_list_of_entries_is_refused(tmp_path):
    path = tmp_path / "references.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(BibliographyError, match=rf"{path}: not a readable CSL-JSON file"):
        references.load(path)
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(BibliographyError, match="expected a JSON list of CSL entries, got dict"):
        references.load(path)
