"""The warehouse connection: one read-only DuckDB connection per process, a cursor per thread, and the in-memory
caches (`bulk`, `memo`) that make a request do no table scan."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from sousei.pipeline.verify import inspect, open_read_only, use_warehouse

log = logging.getLogger("sousei.serve")


def built_at(db: Path) -> str | None:
    """The warehouse file's build time, or None (logged) if the file is not a whole warehouse: whether a served
    dashboard may switch to a rebuilt file (`sousei.web.live`)."""
    try:
        con = open_read_only(db)
    except ValueError as exc:
        log.warning("not reloading: %s", exc)
        return None
    try:
        findings = inspect(con, db, fingerprints=False)
        if findings.structure:
            log.warning("not reloading %s: %s", db, findings.structure[0])
            return None
        row = con.execute("SELECT max(built_at) FROM meta__build").fetchone()
        return str(row[0]) if row else None
    finally:
        con.close()


class WarehouseMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class SourceNote:
    source_id: str
    attribution: str
    vintage: str
    license: str


class WarehouseConnection:
    """The plumbing every read shares: the connection, the tables present, the sources, and per-process caches."""

    def __init__(self, path: Path):
        if not path.is_file():
            raise WarehouseMissing(f"no warehouse at {path}: run `sousei build` first")
        self.path = path
        self._con = open_read_only(path)  # the file now at the path, even if this process has an older one open
        self._local = threading.local()
        self._lock = threading.RLock()
        self._bulk: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
        self._memo: dict[str, Any] = {}
        self._geojson: bytes | None = None
        self.tables = {r[0] for r in self._con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        self._sources = {
            r[0]: SourceNote(*r)
            for r in self._con.execute("SELECT source_id, attribution, vintage, license FROM meta__sources").fetchall()
        }

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = use_warehouse(self._con.cursor())
            self._local.cursor = cur
        return cur

    def has(self, table: str) -> bool:
        return table in self.tables

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.cursor().execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def bulk(self, key: str, sql: str) -> dict[str, list[tuple[Any, ...]]]:
        """The rows of `sql` (first column muni_code, or an area code) grouped by that code: run once per process."""
        found = self._bulk.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._bulk.get(key)
            if found is None:
                found = {}
                for r in self.cursor().execute(sql).fetchall():
                    found.setdefault(r[0], []).append(r[1:])
                self._bulk[key] = found
        return found

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """A value computed once per process (the warehouse is read-only)."""
        if key in self._memo:
            return self._memo[key]
        with self._lock:
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]

    def source_notes(self, source_ids: tuple[str, ...] | list[str]) -> list[SourceNote]:
        return [self._sources[s] for s in source_ids if s in self._sources]

    def all_sources(self) -> list[dict[str, Any]]:
        return self.memo("sources", lambda: self.rows("SELECT * FROM meta__sources ORDER BY source_id"))

    def close(self) -> None:
        self._con.close()

    def build_stamp(self) -> str:
        """When and by which version the warehouse was built: the key of anything cached per warehouse version."""
        if not self.has("meta__build"):
            return f"mtime:{self.path.stat().st_mtime_ns}"
        row = self.cursor().execute("SELECT built_at, sousei_version FROM meta__build").fetchone()
        return f"{row[0].isoformat()}|{row[1]}" if row else f"mtime:{self.path.stat().st_mtime_ns}"
