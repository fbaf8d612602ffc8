"""Two runs compared: the parameters and recorded results that differ (``trustlab diff``, and the
explorer's comparison of a run with the default run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trustlab.errors import ParameterError

if TYPE_CHECKING:
    import pandas as pd


def _flatten(record: dict[str, Any], key: str) -> dict[str, Any]:
    import pandas as pd

    values = record.get(key, {})
    return pd.json_normalize(values, sep=".").to_dict(orient="records")[0] if values else {}


def diff_runs(run_a: Path, run_b: Path) -> pd.DataFrame:
    """Parameters and recorded results that differ between two run folders (or results.json files)."""

    def load(path: Path) -> dict[str, Any]:
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

    return compare_records(load(run_a), load(run_b))


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
