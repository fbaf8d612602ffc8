"""Recorded results: the numbers a notebook commits to, readable without parsing its prose.

A notebook calls :func:`record` for each key result. The value is shown in the notebook and carried
in a dedicated output MIME type, which the runner collects into ``results.json``. No file is written
from inside the kernel, so a notebook run has no side effects beyond its own outputs.

``results.json`` is strict JSON (:func:`dumps_record`): a non-finite number (NaN, inf, -inf) in
the recorded results or the parameters is written as ``null``, and the record's ``nonfinite``
mapping says which, by path: ``{"results.ratio": "inf", "results.table[2].share": "nan"}``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from copy import deepcopy
from datetime import date, datetime
from pathlib import Path
from typing import Any

RESULT_MIME = "application/vnd.trustlab.result+json"
# How closely a recorded number must agree between two runs of the same inputs (another machine, another
# BLAS kernel, data perturbed in the 9th digit): relative, with ABS_TOL for values that should be zero.
# A result that an iterative optimizer computes (SARIMAX, ETS, a logit) is only as exact as its stopping
# rule, so it is recorded with ``optimizer=True`` and compared at OPTIMIZER_RTOL; verdicts (strings,
# booleans, integers) must agree exactly.
RESULT_RTOL = 1e-6
OPTIMIZER_RTOL = 1e-4
ABS_TOL = 1e-12


def nonfinite_name(value: float) -> str:
    """How ``nonfinite`` mappings spell a non-finite float: "nan", "inf" or "-inf"."""
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def to_jsonable(value: Any, nonfinite: dict[str, str] | None = None, path: str = "") -> Any:
    """Convert numpy/pandas scalars and containers to plain JSON values (NaN and inf become None).

    With a ``nonfinite`` dict, each non-finite float turned into None is noted there by its path
    below ``path`` (``name.key``, ``name[2]``) as "nan", "inf" or "-inf".
    """
    import numpy as np
    import pandas as pd

    def child(item: Any, suffix: str) -> Any:
        return to_jsonable(item, nonfinite, path + suffix)

    if isinstance(value, Mapping):
        return {str(k): child(v, f".{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, pd.Series):
        return {str(k): child(v, f".{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return [child(r, f"[{i}]") for i, r in enumerate(value.to_dict(orient="records"))]
    if isinstance(value, (list, tuple, np.ndarray)):
        return [child(v, f"[{i}]") for i, v in enumerate(value)]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        if math.isfinite(f):
            return f
        if nonfinite is not None:
            nonfinite[path] = nonfinite_name(f)
        return None
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if isinstance(value, pd.Period):
        return str(value)
    if value is None or isinstance(value, str):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    raise TypeError(f"cannot record a value of type {type(value).__name__}: {value!r}")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "..."


def record(name: str, value: Any, *, optimizer: bool = False) -> None:
    """Record a named result of this notebook and show it (returns None so it is not shown twice).

    ``optimizer=True`` marks a value computed by an iterative optimizer: runs are compared at
    :data:`OPTIMIZER_RTOL` instead of :data:`RESULT_RTOL` (:func:`differences`).
    """
    from IPython.display import display

    if not name.isidentifier():
        raise ValueError(f"result name {name!r} must be a Python identifier")
    nonfinite: dict[str, str] = {}
    plain = to_jsonable(value, nonfinite, name)
    payload: dict[str, Any] = {"name": name, "value": plain}
    if optimizer:
        payload["rtol"] = OPTIMIZER_RTOL
    shown = f"recorded {name} = {_short(plain)}"
    if nonfinite:
        payload["nonfinite"] = nonfinite
        shown += f" (non-finite, recorded as null: {_short(nonfinite)})"
    display({RESULT_MIME: payload, "text/plain": shown}, raw=True)


def _stored_payloads(outputs: list[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    found = {}
    for output in outputs:
        payload = output.get("data", {}).get(RESULT_MIME)
        if isinstance(payload, Mapping) and "name" in payload:
            found[payload["name"]] = output
    return found


def outputs_within_tolerance(test: list[Mapping[str, Any]], ref: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``test`` (a cell's new outputs) with each recorded result that agrees with its stored twin in
    ``ref`` within tolerance replaced by that twin, so that an exact comparison passes."""
    stored = _stored_payloads(ref)
    out = []
    for output in test:
        payload = output.get("data", {}).get(RESULT_MIME)
        twin = stored.get(str(payload.get("name"))) if isinstance(payload, Mapping) else None
        if twin is not None and isinstance(payload, Mapping):
            twin_payload = twin["data"][RESULT_MIME]
            rtol = max(tolerance_of(payload), tolerance_of(twin_payload))
            same_nonfinite = payload.get("nonfinite") == twin_payload.get("nonfinite")
            if same_nonfinite and not differences(twin_payload["value"], payload["value"], rtol):
                settled = deepcopy(output)  # a notebook node, as nbval reads it (``output.output_type``)
                settled["data"] = deepcopy(twin["data"])  # type: ignore[index]
                output = settled
        out.append(output)
    return out


def _payloads(notebook: Mapping) -> dict[str, Mapping]:
    found: dict[str, Mapping] = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            payload = output.get("data", {}).get(RESULT_MIME)
            if payload is not None:
                found.pop(payload["name"], None)  # a later value wins, and keeps its place in the order
                found[payload["name"]] = payload
    return found


def collect(notebook: Mapping) -> dict[str, Any]:
    """All results recorded in an executed notebook (nbformat dict), in order; a later value wins."""
    return {name: payload["value"] for name, payload in _payloads(notebook).items()}


def tolerance_of(payload: Mapping[str, Any]) -> float:
    """The relative tolerance a recorded result's payload asks for: :data:`RESULT_RTOL`, or
    :data:`OPTIMIZER_RTOL` for an optimizer's value; never looser than that."""
    rtol = payload.get("rtol", RESULT_RTOL)
    if not isinstance(rtol, (int, float)) or isinstance(rtol, bool) or not RESULT_RTOL <= rtol <= OPTIMIZER_RTOL:
        raise ValueError(f"result {payload.get('name')!r}: rtol {rtol!r} must lie in [{RESULT_RTOL:g}, {OPTIMIZER_RTOL:g}]")
    return float(rtol)


def differences(expected: Any, actual: Any, rtol: float = RESULT_RTOL, path: str = "") -> list[str]:
    """Where two recorded values (plain JSON, as :func:`to_jsonable` makes them) disagree: each
    difference as "PATH: EXPECTED != ACTUAL". Floats agree within ``rtol`` relative (or
    :data:`ABS_TOL` absolute); strings, booleans, integers, None and the shape of lists and objects
    must be identical. An empty list means the two agree."""
    where = path or "value"
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None or actual is None:
        return (
            []
            if expected is actual or (type(expected) is type(actual) and expected == actual)
            else [f"{where}: {expected!r} != {actual!r}"]
        )
    if isinstance(expected, float) or isinstance(actual, float):
        if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
            if math.isclose(expected, actual, rel_tol=rtol, abs_tol=ABS_TOL):
                return []
            return [f"{where}: {expected!r} != {actual!r} (relative difference above {rtol:g})"]
        return [f"{where}: {expected!r} != {actual!r}"]
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        out = [f"{where}: key {k!r} only in the expected value" for k in expected if k not in actual]
        out += [f"{where}: key {k!r} only in the actual value" for k in actual if k not in expected]
        for k in expected:
            if k in actual:
                out += differences(expected[k], actual[k], rtol, f"{path}.{k}" if path else str(k))
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(expected)} items != {len(actual)} items"]
        return [d for i, (e, a) in enumerate(zip(expected, actual)) for d in differences(e, a, rtol, f"{where}[{i}]")]
    return [] if type(expected) is type(actual) and expected == actual else [f"{where}: {expected!r} != {actual!r}"]


def collect_nonfinite(notebook: Mapping) -> dict[str, str]:
    """Which recorded results were non-finite (recorded as null): path -> "nan", "inf" or "-inf"."""
    found: dict[str, str] = {}
    for payload in _payloads(notebook).values():
        found.update({str(k): str(v) for k, v in (payload.get("nonfinite") or {}).items()})
    return found


def strict_record(run_record: Mapping[str, Any], nonfinite: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A run record ready for strict JSON: every non-finite float in it is replaced by None and
    listed in its ``nonfinite`` mapping (path -> "nan", "inf" or "-inf"), together with the given
    ``nonfinite`` entries (from :func:`collect_nonfinite`, paths below ``results.``)."""
    found: dict[str, str] = {f"results.{k}": v for k, v in (nonfinite or {}).items()}
    found.update({str(k): str(v) for k, v in (run_record.get("nonfinite") or {}).items()})

    def clean(value: Any, path: str) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            found[path] = nonfinite_name(value)
            return None
        if isinstance(value, Mapping):
            return {k: clean(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return value

    cleaned = clean({k: v for k, v in run_record.items() if k != "nonfinite"}, "")
    cleaned["nonfinite"] = dict(sorted(found.items()))
    return cleaned


def dumps_record(run_record: Mapping[str, Any], nonfinite: Mapping[str, str] | None = None) -> str:
    """The text of a ``results.json``: strict JSON (no NaN or Infinity), see :func:`strict_record`."""
    return json.dumps(strict_record(run_record, nonfinite), indent=2, ensure_ascii=False, allow_nan=False)


MAX_RECORD_DEPTH = 64  # far deeper than any record a notebook writes; its readers (pages, API, diff) recurse into it

# Fields the readers of a record use, with the types they rely on (each may be absent; the
# parameters, results and provenance must be there).
_NUMBER: tuple[type, ...] = (int, float, type(None))  # and finite, not a bool
_FIELD_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "notebook": ((str,), "a string"),
    "changed_parameters": ((dict,), "an object"),
    "nonfinite": ((dict,), "an object"),
    "provenance.status": ((str, type(None)), "a string or null"),
    "provenance.started": ((str, type(None)), "a string or null"),
    "provenance.seconds": (_NUMBER, "a finite number or null"),
    "provenance.cache_key": ((str, type(None)), "a string or null"),
    "provenance.outputs": ((dict,), "an object"),
    "provenance.input_files": ((dict,), "an object"),
    "provenance.pdf": ((dict,), "an object"),
    "provenance.package_versions": ((dict,), "an object"),
    "provenance.data_hashes": ((dict,), "an object"),
}


def _depth_over(value: Any, limit: int) -> bool:
    """Whether JSON containers nest in ``value`` more than ``limit`` deep (counted without recursion)."""
    todo = [(value, 1)]
    while todo:
        item, level = todo.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if level > limit:
            return True
        todo.extend((child, level + 1) for child in children)
    return False


def _finite_number_or_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond any float
        return False


def record_problem(run_record: Any) -> str | None:
    """Why a parsed ``results.json`` is not a run record of the expected shape, or None if it is:
    a mapping whose ``parameters``, ``results`` and ``provenance`` are mappings, nested at most
    :data:`MAX_RECORD_DEPTH` deep, whose other fields have the types its readers use (``notebook``
    a string, ``provenance.seconds`` a finite number or null, ...)."""
    if not isinstance(run_record, dict):
        return f"expected a JSON object, got {type(run_record).__name__}"
    for key in ("parameters", "results", "provenance"):
        if key not in run_record:
            return f"no {key!r} in it"
        if not isinstance(run_record[key], dict):
            return f"expected {key!r} to be an object, got {_shown_type(run_record[key])}"
    if _depth_over(run_record, MAX_RECORD_DEPTH):
        return f"nested deeper than {MAX_RECORD_DEPTH} levels"
    for path, (types, expected) in _FIELD_TYPES.items():
        *parent, key = path.split(".")
        holder = run_record[parent[0]] if parent else run_record
        if key not in holder:
            continue
        value = holder[key]
        if not (_finite_number_or_null(value) if types is _NUMBER else isinstance(value, types)):
            return f"expected {path!r} to be {expected}, got {_shown_type(value)}"
    return None


def _shown_type(value: Any) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return f"{type(value).__name__} {_short(value)}"
    return type(value).__name__


def read_record(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The run record in the ``results.json`` at ``path``, or (None, why it is not one): unreadable,
    not JSON, nested too deeply to parse, or of another shape (:func:`record_problem`). Every
    reader of a site's records goes through here, so none of them meets a record it cannot use."""
    try:
        parsed = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return None, f"not readable JSON ({exc})"
    except RecursionError:
        return None, f"nested deeper than {MAX_RECORD_DEPTH} levels"
    problem = record_problem(parsed)
    return (parsed, None) if problem is None else (None, problem)
