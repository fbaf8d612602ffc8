"""Folders built aside and moved into place, and the lock of each place trustlab writes.

A run, a sweep, the index and the book are each written into a staging folder beside their target
and swapped in whole (:func:`replace_dir`), so a reader never sees a half-written folder and a
failure leaves the old one. What a crash leaves behind (a ``.NAME.old-*`` backup, a staging folder
of a killed process) is removed by the next writer (:func:`remove_old_backups`,
:func:`remove_abandoned_staging`). Writers of one place serialize on its lock (:func:`locked`).
Which places trustlab may write at all is :mod:`trustlab.runner.sites`' business.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------- moving folders into place


def replace_dir(staged: Path, target: Path) -> None:
    """Move ``staged`` to ``target``; the old target survives until the new one is in place.

    Callers hold the lock of the place they write (:func:`locked`); the backup name is unique
    anyway, so a crash leaves at most one hidden ``.NAME.old-*`` folder, removed by the next
    run into the same place.
    """
    target = Path(target)
    backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    backup.rmdir()  # only its unique name is wanted
    if target.exists():
        target.rename(backup)
    try:
        staged.rename(target)
    except BaseException:
        if backup.exists() and not target.exists():
            backup.rename(target)
        raise
    if backup.exists():
        shutil.rmtree(backup, ignore_errors=True)


def remove_old_backups(target: Path) -> None:
    """Remove ``.NAME.old-*`` folders that a crash between the two renames of :func:`replace_dir` left."""
    target = Path(target)
    if target.parent.is_dir():
        for leftover in target.parent.glob(f".{target.name}.old-*"):
            shutil.rmtree(leftover, ignore_errors=True)


# ---------------------------------------------------------------- locks


_locks: dict[str, Any] = {}
_locks_guard = threading.Lock()


def lock_path(place: Path) -> Path:
    """The lock file of a place trustlab writes (a site, or a run folder on its own): a file named
    by a hash of its path, in a trustlab folder of the system's temporary directory. Kept outside
    the place itself, so that it can be taken before the place exists and survives the place's
    folder being replaced."""
    place = Path(place).resolve()
    folder = Path(tempfile.gettempdir()) / f"trustlab-locks-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / (hashlib.sha256(str(place).encode()).hexdigest()[:32] + ".lock")


@contextlib.contextmanager
def locked(place: Path, poll_seconds: float = 0.2, cancelled: Callable[[], bool] | None = None) -> Iterator[None]:
    """Hold the lock of a site (or of a run folder on its own) while writing it.

    Reentrant within a process (a build's threads and the command that started them share it);
    another process waits, saying once on stderr that it is waiting and for what. A wait ends
    with KeyboardInterrupt once ``cancelled()`` is true (a build's run, when the build is stopped).
    """
    from filelock import FileLock, Timeout

    path = lock_path(place)
    with _locks_guard:
        lock = _locks.setdefault(str(path), FileLock(str(path), thread_local=False))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(f"trustlab: waiting for another trustlab process writing to {place} (lock {path})", file=sys.stderr)
        while True:
            if cancelled is not None and cancelled():
                raise KeyboardInterrupt from None
            try:
                lock.acquire(timeout=poll_seconds, poll_interval=min(poll_seconds, 0.05))
                break
            except Timeout:
                pass
    try:
        yield
    finally:
        lock.release()


# ---------------------------------------------------------------- staging folders a killed process left


def staging_stem(out_dir: Path) -> str:
    # Followed by the pid: host and process in the name let a later run tell an abandoned folder.
    return f".{out_dir.name}.tmp-{socket.gethostname()}-"


def remove_abandoned_staging(out_dir: Path) -> list[Path]:
    """Remove the staging folders of ``out_dir`` that a process of this host left when it was
    killed outright (SIGKILL leaves no chance to clean up); returns them. Folders of live
    processes and of other hosts are left alone."""
    out_dir = Path(out_dir)
    owned_here = re.compile(re.escape(staging_stem(out_dir)) + r"(\d+)-")
    removed = []
    for folder in out_dir.parent.glob(f".{out_dir.name}.tmp-*"):
        match = owned_here.match(folder.name)
        if match and not _process_exists(int(match.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _process_exists(pid: int) -> bool:
    """Whether a process with this id lives on this host (someone else's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
