"""The build cache: what a run depends on (inputs digest, cache key) and whether a report folder is up to date."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from trustlab import config, provenance, results
from trustlab.runner.notebook import Notebook


def lock_file() -> Path:
    """The constraints file that pins the environment."""
    return config.PROJECT_ROOT / "requirements.lock"


def input_files(notebook: Notebook, extra_files: list[Path] | tuple[Path, ...] = ()) -> dict[str, str]:
    """Every file a run of ``notebook`` depends on, label -> SHA-256, in a fixed order: the notebook
    source, its schema, the given parameter files, the trustlab package (code and templates), the
    data files, the lock, and the Python version (label ``python``). Builds record it, so that
    ``trustlab status`` can say which inputs changed."""
    root = config.PROJECT_ROOT

    def label(path: Path, base: Path) -> str:
        return str(path.relative_to(base) if path.is_relative_to(base) else path.name)

    files: dict[str, str] = {}
    schema = notebook.schema_path
    for path in [notebook.source] + ([schema] if schema.exists() else []) + [Path(p) for p in extra_files]:
        files[label(path, root)] = provenance.file_sha256(path)
    for path in sorted(p for p in config.PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        files[f"{PACKAGE_LABEL}{label(path, config.PACKAGE_DIR)}"] = provenance.file_sha256(path)
    for path in provenance.data_files(root):
        files[label(path, root)] = provenance.file_sha256(path)
    if lock_file().exists():
        files[label(lock_file(), root)] = provenance.file_sha256(lock_file())
    files["python"] = sys.version
    return files


PACKAGE_LABEL = "trustlab package: "


def inputs_digest(notebook: Notebook, extra_files: list[Path] | tuple[Path, ...] = ()) -> str:
    """Digest of every file a run of ``notebook`` depends on (:func:`input_files`).

    Cheap enough for a warm build: it hashes files and parses nothing.
    """
    return digest_of(input_files(notebook, extra_files))


def digest_of(files: dict[str, str]) -> str:
    """The digest of :func:`input_files` (label -> SHA-256, in their order)."""
    digest = hashlib.sha256()
    for name, value in files.items():
        digest.update(name.encode())
        digest.update(value.encode())
    return digest.hexdigest()


def changed_inputs(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """Which inputs differ between a record's :func:`input_files` and today's, in words: each
    changed, new or removed file by name, the package's files counted together."""
    changed = sorted(k for k in set(recorded) | set(current) if recorded.get(k) != current.get(k))
    package = [k[len(PACKAGE_LABEL) :] for k in changed if k.startswith(PACKAGE_LABEL)]
    words = []
    for name in (k for k in changed if not k.startswith(PACKAGE_LABEL)):
        state = "new" if name not in recorded else "removed" if name not in current else "changed"
        words.append("Python version changed" if name == "python" else f"{name} {state}")
    if package:
        shown = ", ".join(package[:3]) + (f" and {len(package) - 3} more" if len(package) > 3 else "")
        words.append(f"trustlab package: {len(package)} file(s) changed ({shown})")
    return words


def cache_key(
    notebook: Notebook, resolved: dict[str, Any], extra_files: list[Path] | tuple[Path, ...] = (), inputs: str | None = None
) -> str:
    """Key of a run: its input files (:func:`inputs_digest`, or ``inputs`` when the caller computed
    it already: a sweep does so once for all its points) and its resolved parameters."""
    digest = hashlib.sha256((inputs or inputs_digest(notebook, extra_files)).encode())
    digest.update(json.dumps(resolved, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def read_results(out_dir: Path, warn: bool = True) -> dict[str, Any] | None:
    """The run record in ``out_dir/results.json`` if it holds one of the expected shape, else None
    (a file that is unreadable, not JSON, or JSON of another shape gets a warning naming it)."""
    path = out_dir / "results.json"
    if not path.exists():
        return None
    recorded, problem = results.read_record(path)
    if recorded is None and warn:
        print(f"trustlab: warning: {path}: not a run record: {problem}; its report is treated as stale", file=sys.stderr)
    return recorded


def stale_reason(out_dir: Path, name: str, build_inputs: str) -> str | None:
    """Why ``out_dir`` does not hold a current report of ``name`` built by ``build`` from input
    files with this digest, or None if it does. A report is current only when its record has the
    expected shape, was built from these inputs, and every output file it lists still has the
    SHA-256 recorded at the time (an emptied or edited page is rebuilt)."""
    if not (out_dir / "results.json").exists():
        return "no previous report"
    recorded = read_results(out_dir)
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
    return read_results(out_dir)
