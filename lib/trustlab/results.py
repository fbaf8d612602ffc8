"""Recorded results: the numbers a notebook commits to, readable without parsing its prose.

A notebook calls :func:`record` for each key result. The value is shown in the notebook and carried
in a dedicated output MIME type, which the runner collects into ``results.json``. No file is written
from inside the kernel, so a notebook run has no side effects beyond its own outputs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

RESULT_MIME = "application/vnd.trustlab.result+json"


def to_jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars and containers to plain JSON values (NaN becomes None)."""
    import numpy as np
    import pandas as pd

    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, (list, tuple, np.ndarray)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
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


def record(name: str, value: Any) -> None:
    """Record a named result of this notebook and show it (returns None so it is not shown twice)."""
    from IPython.display import display

    if not name.isidentifier():
        raise ValueError(f"result name {name!r} must be a Python identifier")
    plain = to_jsonable(value)
    display(
        {RESULT_MIME: {"name": name, "value": plain}, "text/plain": f"recorded {name} = {_short(plain)}"},
        raw=True,
    )


def collect(notebook: Mapping) -> dict[str, Any]:
    """All results recorded in an executed notebook (nbformat dict), in order; a later value wins."""
    results: dict[str, Any] = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            payload = output.get("data", {}).get(RESULT_MIME)
            if payload is not None:
                results[payload["name"]] = payload["value"]
    return results
