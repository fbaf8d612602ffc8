"""The build cache: what a run depends on (inputs digest, cache key) and whether a report folder is up to date."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from trustlab import config, provenance, results
from trustlab.runner import params


def lock_file() -> Path:
    """The constraints file that pins the environment."""
    return config.PROJECT_ROOT / "requirements.lock"


def _hash_update_file(digest: "hashlib._Hash", path: Path, root: Path) -> None:
    label = path.relative_to(root) if path.is_relative_to(root) else path.name
    digest.update(str(label).encode())
    digest.update(provenance.file_sha256(path).encode())


def inputs_digest(source: Path, extra_files: list[Path] | tuple[Path, ...] = ()) -> str:
    """Digest of every file a run of ``source`` depends on: the notebook source, its schema, the
    given parameter files, the trustlab package (code and templates), the data files and the lock.

    Cheap enough for a warm build: it hashes files and parses nothing.
    """
    root = config.PROJECT_ROOT
    digest = hashlib.sha256()
    _hash_update_file(digest, source, root)
    schema = params.schema_path(source)
    for path in ([schema] if schema.exists() else []) + [Path(p) for p in extra_files]:
        _hash_update_file(digest, path, root)
    for path in sorted(p for p in config.PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        _hash_update_file(digest, path, config.PACKAGE_DIR)
    for path in provenance.data_files(root):
        _hash_update_file(digest, path, root)
    if lock_file().exists():
        _hash_update_file(digest, lock_file(), root)
    digest.update(sys.version.encode())
    return digest.hexdigest()


def cache_key(
    source: Path, resolved: dict[str, Any], extra_files: list[Path] | tuple[Path, ...] = (), inputs: str | None = None
) -> str:
    """Key of a run: its input files (:func:`inputs_digest`, or ``inputs`` when the caller computed
    it already: a sweep does so once for all its points) and its resolved parameters."""
    digest = hashlib.sha256((inputs or inputs_digest(source, extra_files)).encode())
    digest.update(json.dumps(resolved, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def _read_results(out_dir: Path, warn: bool = True) -> dict[str, Any] | None:
    """The run record in ``out_dir/results.json`` if it holds one of the expected shape, else None
    (a file that is unreadable, not JSON, or JSON of another shape gets a warning naming it)."""
    path = out_dir / "results.json"
    if not path.exists():
        return None
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        problem = f"not readable JSON ({exc})"
    else:
        problem = results.record_problem(recorded)
        if problem is None:
            return recorded
    if warn:
        print(f"trustlab: warning: {path}: not a run record: {problem}; its report is treated as stale", file=sys.stderr)
    return None


def stale_reason(out_dir: Path, name: str, build_inputs: str) -> str | None:
    """Why ``out_dir`` does not hold a current report of ``name`` built by ``build`` from input
    files with this digest, or None if it does. A report is current only when its record has the
    expected shape, was built from these inputs, and every output file it lists still has the
    SHA-256 recorded at the time (an emptied or edited page is rebuilt)."""
    if not (out_dir / "results.json").exists():
        return "no previous report"
    recorded = _read_results(out_dir)
    if recorded is None:
        return "unreadable results.json"
    prov = recorded["provenance"]
    if prov.get("build_inputs") != build_inputs or not isinstance(prov.get("cache_key"), str):
        return "inputs changed"
    outputs = prov.get("outputs")
    expected = {f"{name}.html", f"{name}.ipynb"}
    if not isinstance(outputs, dict) or not expected <= set(outputs):
        return "no recorded output hashes"
    for file in sorted(expected):
        path = out_dir / file
        if not path.is_file() or provenance.file_sha256(path) != outputs[file]:
            return f"{file} changed since it was built"
    return None


def current_record(out_dir: Path, name: str, build_inputs: str) -> dict[str, Any] | None:
    """The recorded results of ``out_dir`` when it holds a complete report of ``name`` built by
    ``build`` from input files with this digest (:func:`stale_reason`), else None (ad-hoc runs
    never count as current)."""
    if stale_reason(out_dir, name, build_inputs) is not None:
        return None
    return _read_results(out_dir)
