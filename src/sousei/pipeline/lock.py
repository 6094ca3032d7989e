"""One build at a time per warehouse file, and the removal of what killed builds of it left behind.

The lock is an exclusive `flock` on a file in the step cache that names its owner (PID and target); the kernel drops
it when the owner dies, even by SIGKILL, so a stale lock never blocks a later build. Holding it, a build knows that
every temporary file of its target is an orphan of an earlier, dead build and removes it. Cache folders being
written carry their writer's PID, so orphans there are recognised by a dead PID (the cache is shared by every
warehouse of one folder, whose builds may run side by side).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sousei.pipeline.errors import BuildError


def lock_path(cache: Path, db: Path) -> Path:
    return cache / f".{db.name}.lock"


def temporary_prefix(db: Path) -> str:
    """Name prefix of the temporary warehouse files of `db` (the file being written, its WAL, DuckDB's spill)."""
    return f".{db.name}."


def cache_work_prefix(fingerprint: str) -> str:
    """Name prefix of a cache folder being written by this process (the PID tells a live writer from an orphan)."""
    return f".{fingerprint}-{os.getpid()}-"


@contextmanager
def build_lock(cache: Path, db: Path) -> Iterator[None]:
    """Hold the build lock of `db` (BuildError at once if another live build holds it), after removing orphans."""
    path = lock_path(cache, db)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 200, 0).decode(errors="replace").split()
            who = f"PID {owner[0]}" if owner else "another process"
            raise BuildError(
                "lock", f"another build ({who}) is writing {db}: wait for it to finish, then build again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {db.resolve()}\n".encode(), 0)
        remove_orphans(db, cache)
        yield
    finally:
        os.close(fd)  # releases the lock


def remove_orphans(db: Path, cache: Path) -> list[Path]:
    """Delete the temporary files of earlier builds of `db` and cache folders whose writer is dead (call it with
    the build lock held); returns what was removed."""
    removed: list[Path] = []
    if db.parent.is_dir():
        for path in db.parent.iterdir():
            if path.name.startswith(temporary_prefix(db)) and ".tmp" in path.name[len(temporary_prefix(db)) :]:
                _remove(path)
                removed.append(path)
    if cache.is_dir():
        for step_dir in cache.iterdir():
            if not step_dir.is_dir():
                continue
            for work in step_dir.iterdir():
                pid = _writer_pid(work.name)
                if pid is not None and not _alive(pid):
                    _remove(work)
                    removed.append(work)
    return removed


def _writer_pid(name: str) -> int | None:
    """The PID in a cache work folder's name (".<fingerprint>-<pid>-<random>"), or None for any other name."""
    if not name.startswith("."):
        return None
    parts = name[1:].split("-")
    if len(parts) < 3 or not parts[1].isdigit():
        return None
    return int(parts[1])


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
