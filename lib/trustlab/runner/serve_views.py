"""What the explorer's pages show (``trustlab serve``), read from the contract and the runs: the
form's fields in the contract's groups with their allowed values in words, the cell a running run
is on, and a notebook's past runs with the parameters each changed."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from trustlab.runner import folders, params, report, sites
from trustlab.runner.explorer import Explorer, Job, parameter_text
from trustlab.runner.notebook import Notebook

OTHER_GROUP = "Other parameters"  # the heading of the parameters no group of the contract names
KINDS = {"int": "a whole number", "float": "a number", "str": "text", "bool": "true or false"}


def number_words(value: Any) -> str:
    """A bound as a reader writes it: ``1,000``, ``0.05``, ``2,000,000``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return str(value)


def _bounds(limits: dict[str, Any]) -> str:
    if "ge" in limits and "le" in limits:
        return f"from {number_words(limits['ge'])} to {number_words(limits['le'])}"
    said = [
        f"{words} {number_words(limits[key])}"
        for key, words in (("ge", "at least"), ("gt", "more than"), ("le", "at most"), ("lt", "less than"))
        if key in limits
    ]
    return " and ".join(said)


def _split_type(type_name: str) -> tuple[str, bool]:
    """(core type, whether None is allowed) of a declared type such as ``float | None``."""
    parts = [part.strip() for part in type_name.split("|")]
    return next((part for part in parts if part != "None"), "str"), "None" in parts


def allowed_in_words(parameter: params.Parameter, expected: str = "") -> str:
    """The values a parameter takes, in words: the contract's own (``expected``) when it gives them,
    else read from its type and constraints ("a number from 0 to 1", "one of ets, sarimax")."""
    if expected:
        return expected
    core, nullable = _split_type(parameter.type_name)
    limits = dict(parameter.constraints)
    listed = core.startswith("list[")
    item = core[len("list[") : -1] if listed else core
    if "choices" in limits:
        words = "one of " + ", ".join(parameter_text(choice) for choice in limits["choices"])
    elif item in ("int", "float"):
        words = " ".join(filter(None, [KINDS[item], _bounds(limits)]))
        words += " (inf and nan allowed)" if limits.get("allow_nonfinite") else ""
    elif "pattern" in limits:
        words = f"text matching the pattern {limits['pattern']}"
    else:
        words = KINDS.get(item, item)
    if listed:
        least = limits.get("min_items")
        words = f"a JSON list, each item {words}" + (f"; at least {least} item(s)" if least else "")
    return words + (", or None" if nullable else "")


def input_attributes(parameter: params.Parameter) -> dict[str, str]:
    """The HTML input of a parameter: a number input with min, max and step from the contract for a
    number, else a text input."""
    core, nullable = _split_type(parameter.type_name)
    limits = parameter.constraints
    if nullable or core not in ("int", "float") or "choices" in limits or limits.get("allow_nonfinite"):
        return {"type": "text"}
    attributes = {"type": "number", "step": "1" if core == "int" else "any"}
    low, high = limits.get("ge", limits.get("gt")), limits.get("le", limits.get("lt"))
    if low is not None:
        attributes["min"] = parameter_text(low)
    if high is not None:
        attributes["max"] = parameter_text(high)
    return attributes


def slider(parameter: params.Parameter) -> dict[str, str] | None:
    """A slider's min, max and step for a number whose range is closed (``ge`` and ``le``), else None."""
    core, nullable = _split_type(parameter.type_name)
    limits = parameter.constraints
    if nullable or core not in ("int", "float") or not ("ge" in limits and "le" in limits and limits["le"] > limits["ge"]):
        return None
    span = limits["le"] - limits["ge"]
    step = (
        "1" if core == "int" and span <= 1000 else parameter_text(span / 1000 if core == "float" else max(1, int(span // 1000)))
    )
    return {"min": parameter_text(limits["ge"]), "max": parameter_text(limits["le"]), "step": step}


def fields(notebook: Notebook, texts: dict[str, str]) -> list[dict[str, Any]]:
    """The form's fields, from the notebook's contract: input, allowed values in words, default,
    help, the value to show and whether it differs from the default."""
    model = notebook.contract
    out = []
    for name, p in notebook.parameters.items():
        extra = model.model_fields[name].json_schema_extra
        expected = str(extra.get("expected", "")) if isinstance(extra, dict) else ""
        default = parameter_text(p.default)
        value = texts.get(name, default)
        choices = [parameter_text(c) for c in p.constraints.get("choices", [])] or (
            ["true", "false"] if p.type_name == "bool" else []
        )
        out.append(
            {
                "name": name,
                "type": p.type_name,
                "input": input_attributes(p),
                "slider": slider(p),
                "allowed": allowed_in_words(p, expected),
                "default": default,
                "help": p.help,
                "value": value,
                "choices": choices,
                "changed": value != default,
            }
        )
    return out


def field_groups(notebook: Notebook, texts: dict[str, str]) -> list[dict[str, Any]]:
    """The form's fields under the headings of the contract's ``groups`` (in its order; parameters
    no group names last, under :data:`OTHER_GROUP`), each group folded unless a value in it
    differs from its default. A contract without groups gives one unfolded group without a heading."""
    shown = fields(notebook, texts)
    groups: dict[str, tuple[str, ...]] = getattr(notebook.contract, "groups", {}) or {}
    if not groups:
        return [{"title": "", "fields": shown, "changed": sum(f["changed"] for f in shown), "folded": False}]
    left = {f["name"]: f for f in shown}
    out = []
    for title, names in [*groups.items(), (OTHER_GROUP, tuple(left))]:
        members = [left.pop(name) for name in names if name in left]
        if members:
            changed = sum(f["changed"] for f in members)
            out.append({"title": title, "fields": members, "changed": changed, "folded": not changed})
    return out


def cell_progress(job: Job) -> dict[str, int] | None:
    """The cell a running run is on, ``{"cell": N, "of": M}`` (counted as "cell N of M" is in a
    failure), read from the notebook papermill saves in the run's staging folder as each code cell
    starts; None when the run is not running or has not saved it yet."""
    import nbformat

    if job.status != "running":
        return None
    for staged in sorted(job.out_dir.parent.glob(f"{folders.staging_stem(job.out_dir)}*"), reverse=True):
        try:
            nb = nbformat.from_dict(json.loads((staged / f"{job.name}.ipynb").read_text(encoding="utf-8")))
        except (OSError, ValueError, RecursionError):  # not saved yet, or caught half-written
            continue
        running = [
            i for i, cell in enumerate(nb.cells) if cell.get("metadata", {}).get("papermill", {}).get("status") == "running"
        ]
        if running:
            number, of = report.cell_position(nb, running[-1])
            return {"cell": number, "of": of}
    return None


def elapsed_seconds(job: Job) -> float | None:
    """Seconds since a running run started; None unless it is running."""
    return round(time.time() - job.started, 1) if job.status == "running" and job.started is not None else None


def result_sections(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The comparison's result rows (:func:`trustlab.runner.explorer.comparison`, already in their
    groups' order) as the sections the page shows: ``{"title", "rows", "changed"}``."""
    sections: list[dict[str, Any]] = []
    for row in (row for row in rows if row["kind"] == "result"):
        if not sections or sections[-1]["title"] != row["group"]:
            sections.append({"title": row["group"], "rows": [], "changed": 0})
        sections[-1]["rows"].append(row)
        sections[-1]["changed"] += bool(row["changed"])
    return sections


def figures(job: Job) -> list[dict[str, str]]:
    """The figures a finished run's report shows, in order: each PNG (base64) with its alt text,
    read from the outputs of the run's executed notebook; [] when there is none to read."""
    try:
        nb = json.loads((job.out_dir / f"{job.name}.ipynb").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []
    found = []
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            png = output.get("data", {}).get("image/png")
            if png:
                alt = (output.get("metadata", {}).get("image/png") or {}).get("alt") or "a figure of the report (no alt text)"
                found.append({"png": "".join(png) if isinstance(png, list) else str(png), "alt": str(alt)})
    return found


def figure_pairs(baseline: Job | None, job: Job) -> list[dict[str, Any]]:
    """The figures of the default run and of this run, paired in the order the report shows them:
    ``{"number", "default", "run"}``, each side ``{"src", "alt"}`` (its address under
    ``/runs/ID/figures/N.png``) or None where that run's report has fewer figures."""
    if baseline is None or not (baseline.ok and job.ok):
        return []

    def side(owner: Job, shown: list[dict[str, str]], number: int) -> dict[str, str] | None:
        if number > len(shown):
            return None
        return {"src": f"/runs/{owner.run_id}/figures/{number}.png", "alt": shown[number - 1]["alt"]}

    default, run = figures(baseline), figures(job)
    return [
        {"number": n, "default": side(baseline, default, n), "run": side(job, run, n)}
        for n in range(1, max(len(default), len(run)) + 1)
    ]


def past_runs(explorer: Explorer, name: str) -> list[dict[str, Any]]:
    """The runs of notebook ``name`` the site holds, newest first: its folder and label, status, the
    parameters it changed (``name = value``), when it started, and its address (the short
    ``/runs/ID`` of an ad-hoc run)."""
    out = []
    labels = sites.run_labels(explorer.site)
    for run in report.collect_runs(explorer.site):
        record = run["record"]
        if record.get("notebook") != name or run["kind"] not in ("run", "default"):
            continue
        values = record.get("parameters") or {}
        changed = [f"{k} = {parameter_text(values[k])}" for k in record.get("changed_parameters") or {} if k in values]
        run_id = Path(run["folder"]).name
        out.append(
            {
                "run_id": run_id,
                "folder": run["folder"],
                "label": labels.get(run["folder"], ""),
                "kind": run["kind"],
                "status": record["provenance"].get("status", "ok"),
                "changed": changed,
                "started": str(record["provenance"].get("started", "")),
                "href": f"/runs/{run_id}" if run["kind"] == "run" else f"/site/{run['html']}" if run["html"] else None,
            }
        )
    return sorted(out, key=lambda run: run["started"], reverse=True)
