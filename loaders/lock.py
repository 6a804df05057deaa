"""One writer at a time per data folder, and the clean-up of what killed writers leave behind.

Every change to the files of a data folder (an import, an undo, a build) runs inside `writer()`: a
file lock (`<folder>/.write.lock`, flock through the `filelock` package) shared by the app's
sessions (threads), other app processes and the command line. A process killed while it holds the
lock releases it (the kernel closes its file), so a crash never leaves the folder locked.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from loaders import importlog
from loaders.paths import LOCK_NAME, build_temp_pattern

log = logging.getLogger("dashboard.lock")
DEFAULT_TIMEOUT_S = 30.0  # an import or a build takes seconds; past this the writer is told to try again
BUSY_MESSAGE = "another import is being applied; try again in a moment"
IMPORT_DEBRIS = (".staging-*", "tmp*", ".log.*.tmp")

_locks: dict[str, filelock.FileLock] = {}
_guard = threading.Lock()


class Busy(Exception):
    """Another writer held the lock for longer than the bounded wait."""

    def __init__(self, message: str = BUSY_MESSAGE):
        super().__init__(message)


def timeout_s() -> float:
    """The bounded wait: $DASHBOARD_LOCK_TIMEOUT seconds (tests shorten it), else 30 s."""
    return float(os.environ.get("DASHBOARD_LOCK_TIMEOUT") or DEFAULT_TIMEOUT_S)


def _lock_for(folder: Path) -> filelock.FileLock:
    """One lock object per lock file in a process: re-entrant within a thread, exclusive between threads."""
    path = str((folder / LOCK_NAME).resolve())
    with _guard:
        if path not in _locks:
            folder.mkdir(parents=True, exist_ok=True)
            _locks[path] = filelock.FileLock(path, thread_local=True, preserve_lock_file=True,
                                             fallback_to_soft=False)
        return _locks[path]


@contextmanager
def writer(folder: Path, timeout: float | None = None, db_path: Path | None = None,
           imports_dir: Path | None = None) -> Iterator[None]:
    """Hold the folder's write lock; raise Busy after `timeout` seconds (default `timeout_s()`).

    On first taking it, remove what killed writers left (temporary builds beside `db_path`, staging
    folders in `imports_dir`): every writer makes those only while it holds this lock, so any made
    before we took it belongs to a writer that is gone.
    """
    lock = _lock_for(folder)
    try:
        lock.acquire(timeout=timeout_s() if timeout is None else timeout)
    except filelock.Timeout:
        raise Busy() from None
    acquired = time.time()
    try:
        if lock.lock_counter == 1:
            clean_debris(db_path, imports_dir, before=acquired)
        yield
    finally:
        lock.release()


def debris(db_path: Path | None, imports_dir: Path | None) -> list[Path]:
    """Leftovers of interrupted writers: temporary builds, staging or scratch folders, unlogged imports."""
    found = []
    if db_path is not None and db_path.parent.is_dir():
        found += db_path.parent.glob(build_temp_pattern(db_path))
    if imports_dir is not None and imports_dir.is_dir():
        for pattern in IMPORT_DEBRIS:
            found += imports_dir.glob(pattern)
        # An import folder the log does not list: its run was killed between the rename and the log.
        listed = set(importlog.read_log(imports_dir)["import_id"])
        found += [d for d in imports_dir.glob("imp_*") if d.is_dir() and d.name not in listed]
    return sorted(found)


def clean_debris(db_path: Path | None, imports_dir: Path | None, before: float) -> list[Path]:
    """Remove the debris last changed before `before` (the time the caller took the lock)."""
    removed = []
    for path in debris(db_path, imports_dir):
        try:
            if path.lstat().st_mtime >= before:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path)
    if removed:
        log.warning("removed %d leftover(s) of interrupted runs: %s", len(removed),
                    ", ".join(p.name for p in removed))
    return removed
