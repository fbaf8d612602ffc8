"""Where trustlab may write: the run folders, report sites and published copies it made itself.

trustlab writes only into places it owns, and each carries a small manifest saying so:

- a **run folder** (one notebook run: ``NAME.ipynb``, ``NAME.html``, ``results.json``) holds
  ``.trustlab-run.json`` listing the files trustlab wrote into it;
- a **report site** (``reports/`` or ``build --out DIR``) holds ``.trustlab-site.json`` recording
  the runs and sweeps written into it; its ``index.html`` lists exactly those, and nothing is ever
  found by scanning folders;
- a **published copy** (``trustlab publish DEST``) holds ``.trustlab-published.json`` listing its files.
- a site's **book** (``SITE/book``, :mod:`trustlab.runner.book`) holds ``.trustlab-book.json``
  listing its files; the site's manifest keeps the stamp of the inputs it was built from.

An existing folder without its manifest, or holding files the manifest does not list, is refused
with a message naming it, and nothing in it is touched. The one exception is the checkout's own
``reports/`` folder (ignored by git, documented as trustlab's output), which is marked as a site
when first used; even there trustlab only adds and replaces run folders it marked itself.

Writers of one site serialize on its lock (:func:`trustlab.runner.folders.locked`): concurrent builds and runs wait for
each other, and the waiting one says so.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trustlab import config
from trustlab.errors import ParameterError
from trustlab.runner import folders

RUN_MANIFEST = ".trustlab-run.json"
SITE_MANIFEST = ".trustlab-site.json"
PUBLISHED_MANIFEST = ".trustlab-published.json"
BOOK_MANIFEST = ".trustlab-book.json"
BOOK_DIRNAME = "book"  # the site's book (trustlab.runner.book), beside its index.html
MADE_BY = "trustlab"
FAILED_DIRNAME = "failed"
MAX_LABEL_CHARS = 80  # a run's label names it in a list: a few words


class OwnershipError(ParameterError):
    """trustlab was asked to write where it must not: a folder it did not make, or files it did not write."""


# ---------------------------------------------------------------- manifests


def read_manifest(folder: Path, name: str) -> dict[str, Any] | None:
    """The manifest ``name`` in ``folder`` if trustlab wrote it (a JSON mapping saying so), else None."""
    try:
        data = json.loads((Path(folder) / name).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) and data.get("made_by") == MADE_BY else None


def write_manifest(folder: Path, name: str, content: dict[str, Any]) -> None:
    """Write a manifest atomically (a unique temporary file renamed over the old one)."""
    text = json.dumps({"made_by": MADE_BY, **content}, indent=2, ensure_ascii=False, sort_keys=True)
    write_atomically(Path(folder) / name, text)


# ---------------------------------------------------------------- new files and folders, as the umask allows

# tempfile's mkstemp and mkdtemp make files 0600 and folders 0700, which they keep once renamed
# into a site: a web server running as another user then answers 403. These create them as
# open() and mkdir() do, 0666 and 0777 less the umask.


def _unique(parent: Path, prefix: str, suffix: str, create: Callable[[Path], Any]) -> Any:
    for _ in range(1000):
        path = Path(parent) / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            return create(path)
        except FileExistsError:
            continue
    raise FileExistsError(f"no unused name {prefix}...{suffix} in {parent}")


def new_folder(parent: Path, prefix: str) -> Path:
    """A new folder with a unique name starting with ``prefix`` in ``parent``; mode 0777 less the umask."""

    def create(path: Path) -> Path:
        path.mkdir()
        return path

    return _unique(parent, prefix, "", create)


def new_file(parent: Path, prefix: str, suffix: str = ".tmp") -> tuple[int, Path]:
    """A new empty file with a unique name in ``parent``, open for writing: (descriptor, path); mode 0666 less the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    return _unique(parent, prefix, suffix, lambda path: (os.open(path, flags, 0o666), path))


def write_atomically(target: Path, text: str) -> None:
    """Replace ``target`` with ``text`` at once (a new file renamed over it; removed if writing fails)."""
    target = Path(target)
    handle, temporary = new_file(target.parent, f".{target.name}." if not target.name.startswith(".") else f"{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def new_staging_folder(out_dir: Path) -> Path:
    """The staging folder of a run or sweep into ``out_dir``: beside it, named for this host and process
    (:func:`trustlab.runner.folders.remove_abandoned_staging`), moved into place when done."""
    return new_folder(Path(out_dir).parent, f"{folders.staging_stem(Path(out_dir))}{os.getpid()}-")


def _entries(folder: Path) -> list[str]:
    """Every file and folder under ``folder``, as relative POSIX paths (folders end with '/')."""
    found = []
    for path in sorted(Path(folder).rglob("*")):
        rel = path.relative_to(folder).as_posix()
        found.append(rel + "/" if path.is_dir() and not path.is_symlink() else rel)
    return found


def _unlisted(folder: Path, listed: list[str], manifest: str) -> list[str]:
    allowed = set(listed) | {manifest}
    allowed |= {parent.as_posix() + "/" for entry in listed for parent in Path(entry.rstrip("/")).parents if parent != Path(".")}
    return [entry for entry in _entries(folder) if entry not in allowed]


def mark_run(folder: Path, notebook: str, kind: str = "run") -> None:
    """Write the manifest of a run folder (or of a sweep folder: ``kind="sweep"``), listing every file now in it."""
    files = [entry for entry in _entries(folder) if entry != RUN_MANIFEST]
    write_manifest(folder, RUN_MANIFEST, {"kind": kind, "notebook": notebook, "files": files})


def _describe(entries: list[str], limit: int = 5) -> str:
    shown = ", ".join(entries[:limit])
    return shown + (f" and {len(entries) - limit} more" if len(entries) > limit else "")


def _legacy_run(folder: Path, entries: list[str]) -> bool:
    """A run folder of an older trustlab (before manifests): only the files a run writes, named
    after the notebook its ``results.json`` records."""
    try:
        record = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    if not isinstance(record, dict) or not isinstance(record.get("provenance"), dict):
        return False
    name = str(record.get("notebook", ""))
    return set(entries) <= {"results.json", f"{name}.ipynb", f"{name}.html", "error.txt"}


def check_run_folder(folder: Path) -> None:
    """Refuse (:class:`OwnershipError`) unless ``folder`` may be replaced by a run: it does not
    exist, is an empty folder, or is a run folder trustlab made holding only files it wrote."""
    folder = Path(folder)
    if not folder.exists() and not folder.is_symlink():
        return
    if folder.is_symlink() or not folder.is_dir():
        raise OwnershipError(f"{folder}: exists and is not a folder trustlab made; refusing to replace it")
    entries = _entries(folder)
    if not entries:
        return
    manifest = read_manifest(folder, RUN_MANIFEST)
    if manifest is None and _legacy_run(folder, entries):
        return
    if manifest is None:
        raise OwnershipError(
            f"{folder}: this folder exists and trustlab did not make it (no {RUN_MANIFEST}); refusing to "
            f"write into it. Nothing in it was touched. Choose another --out, or move it away."
        )
    foreign = _unlisted(folder, list(manifest.get("files", [])), RUN_MANIFEST)
    if foreign:
        raise OwnershipError(
            f"{folder}: holds files trustlab did not write ({_describe(foreign)}); refusing to replace it. "
            f"Nothing in it was touched: move those files away first."
        )


def check_replaceable(folder: Path) -> None:
    """Everything that must hold before a run replaces ``folder``, checked before its kernel
    starts: the folder is trustlab's (:func:`check_run_folder`), and both it (when it exists) and
    the folder it lies in can be written (:func:`check_writable`)."""
    folder = Path(folder)
    check_run_folder(folder)
    if folder.is_dir():
        check_writable(folder)
    check_writable(folder.parent)


# ---------------------------------------------------------------- sites


def _is_checkout_reports(folder: Path) -> bool:
    return Path(folder).resolve() == Path(config.REPORTS_DIR).resolve()


def find_site(out_dir: Path) -> Path | None:
    """The report site ``out_dir`` lies in: the nearest folder above it that trustlab marked as a
    site, or the checkout's ``reports/`` when ``out_dir`` is inside it; None for a run on its own."""
    out_dir = Path(out_dir).resolve()
    reports = Path(config.REPORTS_DIR).resolve()
    for parent in out_dir.parents:
        if read_manifest(parent, SITE_MANIFEST) is not None or parent == reports:
            return parent
    return None


def check_site_root(root: Path) -> None:
    """Refuse (:class:`OwnershipError`) a site root :func:`open_site` would refuse, creating nothing."""
    root = Path(root).resolve()
    if read_manifest(root, SITE_MANIFEST) is not None:
        check_writable(root)
        return
    if root.exists() and not root.is_dir():
        raise OwnershipError(f"{root}: exists and is not a folder; a report site must be a folder trustlab made")
    if root.is_dir() and any(root.iterdir()) and not _is_checkout_reports(root):
        raise OwnershipError(
            f"{root}: this folder exists and is not a report site trustlab made (no {SITE_MANIFEST}); "
            f"refusing to write into it. Nothing in it was touched. Choose a new or empty folder."
        )
    check_writable(root)


def open_site(root: Path) -> Path:
    """Make sure ``root`` is a report site trustlab may write into, marking it if it is new, and return it.

    A folder that does not exist or is empty becomes a site; so does the checkout's ``reports/``.
    Any other existing folder without the site manifest is refused, untouched.
    """
    root = Path(root).resolve()
    check_site_root(root)
    if read_manifest(root, SITE_MANIFEST) is not None:
        return root
    root.mkdir(parents=True, exist_ok=True)
    # Created without replacing: when two processes open the same new site, one manifest wins whole.
    handle, temporary = new_file(root, f"{SITE_MANIFEST}.")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump({"made_by": MADE_BY, "kind": "site", "runs": {}, "sweeps": []}, stream, indent=2)
    try:
        os.link(temporary, root / SITE_MANIFEST)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
    return root


_site_update = threading.Lock()  # builds register their runs from several threads


def _site_manifest(root: Path) -> dict[str, Any]:
    manifest = read_manifest(root, SITE_MANIFEST)
    if manifest is None:
        raise OwnershipError(f"{root}: not a report site trustlab made (no {SITE_MANIFEST})")
    runs = manifest.get("runs")
    sweeps = manifest.get("sweeps")
    manifest["runs"] = runs if isinstance(runs, dict) else {}
    manifest["sweeps"] = sweeps if isinstance(sweeps, list) else []
    return manifest


def register_run(root: Path, folder: Path, kind: str) -> None:
    """Record in the site's manifest that ``folder`` (inside it) holds a run of this kind (a label
    the analyst gave the folder's run stays: the same folder holds a run of the same parameters)."""
    root = Path(root).resolve()
    rel = Path(folder).resolve().relative_to(root).as_posix()
    with _site_update:
        manifest = _site_manifest(root)
        before = manifest["runs"].get(rel)
        label = before.get("label") if isinstance(before, dict) else None
        manifest["runs"][rel] = {"kind": kind, **({"label": label} if isinstance(label, str) and label else {})}
        write_manifest(root, SITE_MANIFEST, {k: v for k, v in manifest.items() if k != "made_by"})


def unregister_run(root: Path, folder: Path) -> None:
    """Forget ``folder`` in the site's manifest (its run was removed)."""
    root = Path(root).resolve()
    rel = Path(folder).resolve().relative_to(root).as_posix()
    with _site_update:
        manifest = _site_manifest(root)
        if manifest["runs"].pop(rel, None) is not None:
            write_manifest(root, SITE_MANIFEST, {k: v for k, v in manifest.items() if k != "made_by"})


def register_sweep(root: Path, folder: Path, points: list[Path]) -> None:
    """Record a sweep folder (its table) and its point runs in the site's manifest."""
    root = Path(root).resolve()
    rel = Path(folder).resolve().relative_to(root).as_posix()
    with _site_update:
        manifest = _site_manifest(root)
        manifest["runs"] = {k: v for k, v in manifest["runs"].items() if not k.startswith(rel + "/")}
        for point in points:
            manifest["runs"][Path(point).resolve().relative_to(root).as_posix()] = {"kind": f"sweep {Path(folder).name}"}
        if rel not in manifest["sweeps"]:
            manifest["sweeps"].append(rel)
        write_manifest(root, SITE_MANIFEST, {k: v for k, v in manifest.items() if k != "made_by"})


def recorded_runs(root: Path) -> dict[str, str]:
    """The runs a site records: relative folder -> kind ("default", "scenario S", "run", "failed", "sweep S")."""
    runs = _site_manifest(Path(root))["runs"]
    return {folder: str(entry.get("kind", "run")) if isinstance(entry, dict) else "run" for folder, entry in runs.items()}


def check_label(text: str) -> str:
    """A run's label as given, stripped of surrounding spaces ("" clears it); refused
    (:class:`ParameterError` naming the field) over :data:`MAX_LABEL_CHARS` characters or with a control character."""
    label = text.strip()
    if len(label) > MAX_LABEL_CHARS:
        raise ParameterError(f"label: expected at most {MAX_LABEL_CHARS} characters, got {len(label)}")
    bad = next((c for c in label if unicodedata.category(c) in ("Cc", "Cf")), None)
    if bad is not None:
        raise ParameterError(f"label: control character U+{ord(bad):04X} at position {label.index(bad) + 1}; expected plain text")
    return label


def set_run_label(root: Path, rel: str, label: str) -> None:
    """Give the run the site records in folder ``rel`` the label ``label`` (checked by
    :func:`check_label`; "" removes it), in the site's manifest. Callers hold the site's lock."""
    label = check_label(label)
    with _site_update:
        manifest = _site_manifest(Path(root).resolve())
        entry = manifest["runs"].get(rel)
        if not isinstance(entry, dict):
            raise ParameterError(f"folder: no run {rel!r} in this site")
        entry.pop("label", None)
        entry.update({"label": label} if label else {})
        write_manifest(Path(root).resolve(), SITE_MANIFEST, {k: v for k, v in manifest.items() if k != "made_by"})


def run_labels(root: Path) -> dict[str, str]:
    """The labels the site's runs were given: relative folder -> label."""
    runs = _site_manifest(Path(root))["runs"]
    return {rel: entry["label"] for rel, entry in runs.items() if isinstance(entry, dict) and isinstance(entry.get("label"), str)}


def recorded_sweeps(root: Path) -> list[str]:
    """The sweep folders a site records, relative to it."""
    return [str(s) for s in _site_manifest(Path(root))["sweeps"]]


def book_stamp(root: Path) -> str | None:
    """The stamp of the inputs the site's book was last built from (None before its first build)."""
    stamp = (read_manifest(Path(root), SITE_MANIFEST) or {}).get("book_stamp")
    return stamp if isinstance(stamp, str) else None


def record_book_stamp(root: Path, stamp: str) -> None:
    """Record in the site's manifest the stamp of the inputs its book was just built from."""
    root = Path(root).resolve()
    with _site_update:
        manifest = _site_manifest(root)
        manifest["book_stamp"] = stamp
        write_manifest(root, SITE_MANIFEST, {k: v for k, v in manifest.items() if k != "made_by"})


def check_book_folder(folder: Path) -> None:
    """Refuse (:class:`OwnershipError`) unless the site's book ``folder`` may be replaced: it does
    not exist, is empty, or is a book trustlab built holding only the files it wrote there."""
    folder = Path(folder)
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OwnershipError(f"{folder}: exists and is not the book trustlab built; refusing to replace it with the site's book")
    manifest = read_manifest(folder, BOOK_MANIFEST)
    if manifest is None and folder.is_dir() and _entries(folder):
        raise OwnershipError(
            f"{folder}: this folder exists and trustlab did not build it (no {BOOK_MANIFEST}); refusing to "
            f"replace it with the site's book. Nothing in it was touched: move it away."
        )
    foreign = _unlisted(folder, list(manifest.get("files", [])), BOOK_MANIFEST) if manifest else []
    if foreign:
        raise OwnershipError(
            f"{folder}: holds files trustlab did not write ({_describe(foreign)}); refusing to rebuild the "
            f"site's book over them. Nothing in it was touched: move those files away first."
        )


def mark_book(folder: Path) -> None:
    """Write the manifest of a built book, listing every file now in it."""
    files = [entry for entry in _entries(folder) if entry != BOOK_MANIFEST]
    write_manifest(folder, BOOK_MANIFEST, {"kind": "book", "files": files})


def failed_dir(out_dir: Path, site: Path | None) -> Path:
    """Where a failed run of ``out_dir`` goes, leaving the last good report untouched: the
    site's ``failed/`` beside it (``reports/failed/NAME``), or ``out_dir/failed`` for a run on its own."""
    out_dir = Path(out_dir)
    if site is None:
        return out_dir / FAILED_DIRNAME
    return out_dir.parent / FAILED_DIRNAME / out_dir.name


def index_href(site: Path | None, folder: Path) -> str | None:
    """The link from a run page in ``folder`` back to its site's ``index.html`` (None in no site)."""
    return None if site is None else Path(os.path.relpath(site / "index.html", folder.resolve())).as_posix()


# ---------------------------------------------------------------- checks before anything runs


def check_run_places(out_dir: Path, site: Path | None) -> None:
    """Refuse, before any kernel starts, a run whose report or failed folder trustlab may not write; open its site."""
    check_replaceable(out_dir)
    check_replaceable(failed_dir(out_dir, site))
    if site is not None:
        open_site(site)


def check_writable(path: Path) -> None:
    """Refuse (:class:`OwnershipError`) unless files can be created at ``path``: probe the folder
    itself if it exists, else the nearest existing folder above it (where it would be created)."""
    path = Path(path).resolve()
    probe_in = path
    while not probe_in.exists():
        probe_in = probe_in.parent
    if not probe_in.is_dir():
        raise OwnershipError(f"{path}: cannot be created: {probe_in} is a file, not a folder")
    try:
        handle, probe = tempfile.mkstemp(prefix=".trustlab-probe-", dir=probe_in)
    except OSError as exc:
        raise OwnershipError(f"{path}: cannot write into {probe_in}: {exc.strerror or exc}") from None
    os.close(handle)
    os.unlink(probe)


# ---------------------------------------------------------------- moving folders into place


def move_into_place(staged: Path, out_dir: Path, failed_dir: Path, site: Path | None, *, ok: bool, kind: str, name: str) -> None:
    """The write step of a run: its staging folder marked as a run of ``name``, moved to its report folder (failed: its
    failed folder) and recorded in its site, under the site's lock (the caller's): ownership is checked again under it."""
    mark_run(staged, name)
    target = out_dir if ok else failed_dir
    check_run_folder(target)
    folders.remove_old_backups(target)
    if site is not None:
        open_site(site)
    if not ok and site is None:  # a run on its own keeps its failures inside its own folder
        check_run_folder(out_dir)
        out_dir.mkdir(exist_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    folders.replace_dir(staged, target)
    if not ok:
        if site is None:
            mark_run(out_dir, name)
        else:
            register_run(site, failed_dir, "failed")
        return
    if site is not None:
        register_run(site, out_dir, kind)
        if failed_dir.exists():  # the failure this run supersedes; trustlab wrote it (checked before the run)
            check_run_folder(failed_dir)
            shutil.rmtree(failed_dir, ignore_errors=True)
            unregister_run(site, failed_dir)


# ---------------------------------------------------------------- publishing


def check_publish_destination(dest: Path, site: Path) -> None:
    """Refuse a publish destination that is, contains or lies inside the site or the checkout, or
    that exists and is not a copy trustlab published (or holds files it did not write there)."""
    dest, site = Path(dest).resolve(), Path(site).resolve()
    checkout = Path(config.PROJECT_ROOT).resolve()
    for name, place in (("the site", site), ("the checkout", checkout)):
        if dest == place or dest.is_relative_to(place) or place.is_relative_to(dest):
            raise OwnershipError(
                f"publish destination {dest} is, contains or lies inside {name} ({place}); "
                f"choose a folder outside both the site and the checkout"
            )
    if not dest.exists():
        return
    if not dest.is_dir():
        raise OwnershipError(f"publish destination {dest} exists and is not a folder")
    entries = _entries(dest)
    if not entries:
        return
    manifest = read_manifest(dest, PUBLISHED_MANIFEST)
    if manifest is None:
        raise OwnershipError(
            f"publish destination {dest} exists and is not a copy trustlab published (no {PUBLISHED_MANIFEST}); "
            f"refusing to replace it. Nothing in it was touched. Choose a new or empty folder."
        )
    foreign = _unlisted(dest, list(manifest.get("files", [])), PUBLISHED_MANIFEST)
    if foreign:
        raise OwnershipError(
            f"publish destination {dest} holds files trustlab did not publish ({_describe(foreign)}); "
            f"refusing to replace it. Nothing in it was touched."
        )


def mark_published(folder: Path, site: Path) -> None:
    """Write a published copy's manifest, listing every file in it."""
    files = [entry for entry in _entries(folder) if entry != PUBLISHED_MANIFEST]
    write_manifest(folder, PUBLISHED_MANIFEST, {"kind": "published", "site": str(Path(site).resolve()), "files": files})
