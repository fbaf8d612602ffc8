"""Two runs compared: the parameters and recorded results that differ (``trustlab diff``, and the
explorer's comparison of a run with the default run), the results in the notebook's own groups and
worded as its narrative words them (:meth:`trustlab.runner.notebook.Notebook.result_groups`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trustlab.errors import ParameterError

if TYPE_CHECKING:
    import pandas as pd

OTHER_RESULTS = "Other results"  # the heading of the results no group of the notebook names
Formatter = Callable[[float], str]


def _flatten(record: dict[str, Any], key: str) -> dict[str, Any]:
    import pandas as pd

    values = record.get(key, {})
    return pd.json_normalize(values, sep=".").to_dict(orient="records")[0] if values else {}


def load_record(path: Path) -> dict[str, Any]:
    """The run record of a run folder (or a results.json file), refused with what is wrong."""
    path = Path(path)
    file = path / "results.json" if path.is_dir() else path
    try:
        record = json.loads(file.read_text(encoding="utf-8"))
    except OSError:
        raise ParameterError(f"{file}: no results.json there (expected a run folder or a results.json file)") from None
    except (ValueError, RecursionError) as exc:
        raise ParameterError(f"{file}: not valid JSON: {str(exc)[:200]}") from None
    expected = 'expected a JSON object with "parameters" and "results" mappings'
    if not isinstance(record, dict):
        raise ParameterError(f"{file}: not a run record: {expected}, got {_json_kind(record)}")
    for key in ("parameters", "results"):
        if not isinstance(record.get(key), dict):
            got = "missing" if key not in record else _json_kind(record[key])
            raise ParameterError(f"{file}: not a run record: {key!r} is {got}; {expected}")
    return record


def diff_runs(run_a: Path, run_b: Path) -> pd.DataFrame:
    """Parameters and recorded results that differ between two run folders (or results.json files)."""
    return compare_records(load_record(run_a), load_record(run_b))


def _json_kind(value: Any) -> str:
    """A JSON value named as JSON names it, with a short excerpt: ``null``, ``a list``, ``the string 'x'``."""
    if value is None:
        return "null"
    kind = {dict: "an object", list: "a list", str: "the string", bool: "the boolean"}.get(type(value), "the number")
    return kind if isinstance(value, (dict, list)) else f"{kind} {json.dumps(value)[:40]}"


def compare_records(a: dict[str, Any], b: dict[str, Any], every: bool = False) -> pd.DataFrame:
    """The parameters and recorded results of two run records that differ (with ``every``, all of
    them, and a column ``changed``), flattened to dotted names, parameters first."""
    import pandas as pd

    rows = []
    for kind in ("parameters", "results"):
        fa, fb = _flatten(a, kind), _flatten(b, kind)
        for name in sorted(set(fa) | set(fb)) if not every else list(fa) + [n for n in fb if n not in fa]:
            va, vb = fa.get(name, "<absent>"), fb.get(name, "<absent>")
            if va != vb or every:
                row = {"kind": "parameter" if kind == "parameters" else "result", "name": name, "a": va, "b": vb}
                rows.append({**row, "changed": va != vb} if every else row)
    return pd.DataFrame(rows, columns=["kind", "name", "a", "b"] + (["changed"] if every else []))


def notebook_result_groups(record: Mapping[str, Any]) -> dict[str, dict[str, Formatter]]:
    """The result groups of the notebook a run record names (``record["notebook"]``); {} when the
    record names none, or a notebook this checkout does not hold (its results are then listed plainly)."""
    from trustlab.runner.notebook import Notebook

    name = record.get("notebook")
    if not isinstance(name, str):
        return {}
    try:
        return Notebook.load(name).result_groups()
    except ParameterError:
        return {}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def shown(value: Any, formatter: Formatter | None = None) -> str:
    """A recorded value for reading: a number as the notebook's narrative words it (``formatter``;
    a plain number where it has none or refuses the value), a list of numbers (or of such lists)
    item by item, text as it is."""
    from trustlab.tables_display import format_number

    if _is_number(value):
        if formatter is not None:
            try:
                return formatter(value)
            except (ValueError, TypeError, OverflowError):  # e.g. a share outside [0, 1]: shown plainly
                pass
        return format_number(value)
    if isinstance(value, list) and value and all(_is_number(item) or isinstance(item, list) for item in value):
        return "[" + ", ".join(shown(item, formatter) for item in value) + "]"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def change_text(a: Any, b: Any, formatter: Formatter | None = None) -> str:
    """How a value moved: the difference in the value's own wording with its sign (a gap between
    percentages in percentage points), and the relative change ("+RMB 9,400 (+4.9%)", "+5.0 pp
    (+20.0%)"); "changed" for values that are not both numbers; "" if equal."""
    if a == b:
        return ""
    if not (_is_number(a) and _is_number(b)):
        return "changed"
    from trustlab.tables_display import format_number

    difference = b - a
    size = shown(abs(difference), formatter).lstrip("+")  # a signed wording (signed_percent) gets one sign
    if size.endswith("%"):  # the gap between two percentages is in percentage points
        size = size[:-1] + " pp"
    elif not re.match(r"[0-9]|RMB ", size):  # a wording that is not a size ("p < 0.001") says nothing of the gap
        size = format_number(abs(difference))
    text = ("+" if difference > 0 else "−") + size
    return text + (f" ({difference / abs(a):+.1%})".replace("-", "−") if a else "")


def group_rows(rows: list[dict[str, Any]], groups: Mapping[str, Mapping[str, Formatter]]) -> list[dict[str, Any]]:
    """Result rows (``compare_records``' records: ``name``, ``a``, ``b``, optional ``changed``) under
    the notebook's result headings: each group ``{"title", "rows", "changed"}`` with its rows worded
    (``a_shown``, ``b_shown``, ``change``). Groups holding a changed result come first, each in the
    notebook's order, and the changed rows first within a group; results no group names come last,
    under :data:`OTHER_RESULTS` ("Results" when the notebook has no groups). A row's group is that of its top-level result (``forecast`` for ``forecast.2024Q1``)."""
    title_of = {name: title for title, members in groups.items() for name in members}
    formatter_of = {name: formatter for members in groups.values() for name, formatter in members.items()}
    other = OTHER_RESULTS if groups else "Results"
    held: dict[str, list[dict[str, Any]]] = {title: [] for title in [*groups, other]}
    for row in rows:
        top = str(row["name"]).split(".", 1)[0]
        formatter = formatter_of.get(top)
        changed = bool(row.get("changed", row["a"] != row["b"]))
        worded = {
            **row,
            "changed": changed,
            "a_shown": shown(row["a"], formatter),
            "b_shown": shown(row["b"], formatter),
            "change": change_text(row["a"], row["b"], formatter),
        }
        held[title_of.get(top, other)].append(worded)
    out = []
    for title, members in held.items():
        if members:
            ordered = [r for r in members if r["changed"]] + [r for r in members if not r["changed"]]
            out.append({"title": title, "rows": ordered, "changed": sum(r["changed"] for r in members)})
    return [g for g in out if g["changed"]] + [g for g in out if not g["changed"]]


def diff_sections(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """What ``trustlab diff`` prints: the results that differ in the notebook's result groups, worded
    as in the explorer (:func:`group_rows`, with the groups of the notebook ``b`` names, else
    ``a``'s), then the parameters that differ under "Parameters"."""
    table = compare_records(a, b).to_dict(orient="records")
    groups = notebook_result_groups(b) or notebook_result_groups(a)
    sections = group_rows([row for row in table if row["kind"] == "result"], groups)
    parameters = group_rows([row for row in table if row["kind"] == "parameter"], {})
    return sections + [{**section, "title": "Parameters"} for section in parameters]


def sections_text(sections: list[dict[str, Any]]) -> str:
    """The sections of :func:`diff_sections` as plain text: a heading each, then its rows aligned."""
    import pandas as pd

    blocks = []
    for section in sections:
        frame = pd.DataFrame(
            [[r["name"], r["a_shown"], r["b_shown"], r["change"]] for r in section["rows"]], columns=["name", "a", "b", "change"]
        )
        blocks.append(f"{section['title']}\n{frame.to_string(index=False)}")
    return "\n\n".join(blocks)
