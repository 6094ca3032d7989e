"""Raw e-Stat responses on disk: <estat dir>/<statsDataId>/{meta.json, page-0001.json …, fetch.json}.

A fetch writes the table whole into a staging folder, checks it there with the estat step's own parse and checks
(the structure, codes known to CLASS_INF, one value per cell, the count e-Stat announced), and only then swaps it
for the saved one; a failed or invalid fetch leaves the saved table as it was and says why. Every file is the API's
JSON (raw is sacred), plus fetch.json (when, which pages).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sousei import config
from sousei.estat.client import EstatClient
from sousei.estat.errors import EstatError

META_FILE = "meta.json"
MANIFEST_FILE = "fetch.json"
PAGE_GLOB = "page-*.json"
STAGING_PREFIX = ".staging-"


@dataclass(frozen=True)
class FetchResult:
    stats_data_id: str
    folder: Path
    pages: int
    values: int
    status: int


def _write_json(path: Path, data: Any) -> None:
    """Write atomically: a temporary file in the same folder, then rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _count_values(page: dict[str, Any]) -> int:
    values = ((page["GET_STATS_DATA"].get("STATISTICAL_DATA") or {}).get("DATA_INF") or {}).get("VALUE")
    if values is None:
        return 0
    return len(values) if isinstance(values, list) else 1


def fetch_table(
    client: EstatClient, stats_data_id: str, root: Path | None = None, *, limit: int | None = None
) -> FetchResult:
    """Fetch the meta information and every page of one table, check them as the build would, then replace an
    earlier fetch (EstatError, and the earlier fetch kept, on any failure)."""
    root = root or config.estat_dir()
    root.mkdir(parents=True, exist_ok=True)
    _recover(root, stats_data_id)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=root))
    try:
        work = staging / stats_data_id
        work.mkdir()
        _write_json(work / META_FILE, client.get_meta_info(stats_data_id))
        n_pages = n_values = 0
        status = 0
        for n_pages, page in enumerate(client.iter_stats_data_pages(stats_data_id, limit=limit), start=1):
            status = max(status, int(page["GET_STATS_DATA"]["RESULT"]["STATUS"]))
            n_values += _count_values(page)
            _write_json(work / f"page-{n_pages:04d}.json", page)
        _write_json(
            work / MANIFEST_FILE,
            {
                "stats_data_id": stats_data_id,
                "fetched_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                "base_url": client.base_url,
                "pages": n_pages,
                "values": n_values,
                "status": status,
            },
        )
        _validate(work, staging)
        target = root / stats_data_id
        _swap_in(work, target, root / f".{stats_data_id}.old")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return FetchResult(stats_data_id, target, n_pages, n_values, status)


def _validate(folder: Path, root: Path) -> None:
    from sousei.pipeline.sources.estat import problems_of_saved_table  # the step's own parse and checks

    problems = problems_of_saved_table(folder, root)
    if problems:
        shown = "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        raise EstatError(
            "invalid", f"the fetched table {folder.name} fails the build's checks, so the saved one is kept: {shown}"
        )


def _swap_in(new: Path, target: Path, old: Path) -> None:
    """Put `new` at `target`, the earlier folder moved aside first and deleted last. The two renames are not one
    atomic step; should the process die between them, `_recover` puts the earlier folder back on the next fetch."""
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _recover(root: Path, stats_data_id: str) -> None:
    """Undo what a killed fetch left: the earlier table moved aside but not replaced, staging folders of dead
    fetches."""
    target, old = root / stats_data_id, root / f".{stats_data_id}.old"
    if old.is_dir() and not target.exists():
        old.rename(target)
    for path in root.glob(f"{STAGING_PREFIX}*"):
        pid = path.name[len(STAGING_PREFIX) :].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def saved_tables(root: Path | None = None) -> list[Path]:
    """Folders of completely saved tables (those with a manifest), by statsDataId."""
    root = root or config.estat_dir()
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST_FILE).is_file()
    )


def saved_files(root: Path | None = None) -> dict[str, str]:
    """{path relative to the estat folder: sha256} of every saved response: the estat step's fingerprint inputs."""
    root = root or config.estat_dir()
    out: dict[str, str] = {}
    for folder in saved_tables(root):
        for path in sorted(folder.glob("*.json")):
            out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


__all__ = ["EstatError", "FetchResult", "fetch_table", "saved_files", "saved_tables"]
