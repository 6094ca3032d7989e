"""The only read path for the web app and reports: a read-only DuckDB connection and the queries they share."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

MUNI_CODE = re.compile(r"^\d{5}$")
_KATAKANA = {chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)}


def to_hiragana(text: str) -> str:
    return text.translate(str.maketrans(_KATAKANA))


class WarehouseMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class SourceNote:
    source_id: str
    attribution: str
    vintage: str
    license: str


class Warehouse:
    """One read-only connection; each request works on its own cursor (DuckDB cursors are thread-safe per cursor)."""

    def __init__(self, path: Path):
        if not path.is_file():
            raise WarehouseMissing(f"no warehouse at {path}: run `sousei build` first")
        self.path = path
        self._con = duckdb.connect(str(path), read_only=True)
        self._local = threading.local()
        self.tables = {r[0] for r in self._con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        self._sources = {
            r[0]: SourceNote(*r)
            for r in self._con.execute("SELECT source_id, attribution, vintage, license FROM meta__sources").fetchall()
        }

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def has(self, table: str) -> bool:
        return table in self.tables

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.cursor().execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def source_notes(self, source_ids: tuple[str, ...] | list[str]) -> list[SourceNote]:
        return [self._sources[s] for s in source_ids if s in self._sources]

    def all_sources(self) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM meta__sources ORDER BY source_id")

    def close(self) -> None:
        self._con.close()

    # -- areas ---------------------------------------------------------------------------------------------

    def municipality(self, code: str) -> dict[str, Any] | None:
        if not MUNI_CODE.match(code):
            return None
        found = self.rows("SELECT * FROM core_areas__municipalities WHERE muni_code = ?", [code])
        return found[0] if found else None

    def municipalities(self) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT muni_code, name, name_kana, pref_code, pref_name, kind, peer_group "
            "FROM core_areas__municipalities ORDER BY muni_code"
        )

    def prefectures(self) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT area_code, pref_code, name FROM core_areas__areas WHERE level = 'prefecture' ORDER BY area_code"
        )

    def search(self, query: str, limit: int = 10) -> list[dict[str, Any]]:
        """Municipalities whose name, ひらがな reading or code matches; exact and prefix matches first."""
        q = query.strip()
        if not q:
            return []
        kana = to_hiragana(q)
        like = f"%{q}%"
        return self.rows(
            """
            SELECT muni_code, name, name_kana, pref_name, kind FROM core_areas__municipalities
            WHERE name LIKE ? OR name_kana LIKE ? OR muni_code LIKE ? OR pref_name || name LIKE ?
            ORDER BY (name = ? OR name_kana = ?) DESC, (starts_with(name, ?) OR starts_with(name_kana, ?)) DESC,
                     muni_code
            LIMIT ?
            """,
            [like, f"%{kana}%", f"{q}%", like, q, kana, q, kana, limit],
        )
