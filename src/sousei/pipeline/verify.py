"""Is this file a warehouse of this version of sousei? Every declared table present with its declared columns, and
the step fingerprints recorded in `meta__tables` equal to those the code computes now.

`sousei check` reports these problems before it runs the data checks; `sousei serve` refuses a file that is not a
warehouse or lacks tables, and warns about one built by other code. Each problem is one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from sousei.pipeline.meta import META_TABLES
from sousei.pipeline.registry import steps
from sousei.pipeline.schema import Table

BUILD_TABLE = "meta__build"
CATALOG = "warehouse"


@dataclass(frozen=True)
class Findings:
    """What is wrong with a warehouse: `structure` (not a warehouse, missing tables or columns: queries would
    fail) and `version` (built by other code or from other inputs: answers may differ from a rebuild)."""

    structure: list[str]
    version: list[str]

    @property
    def problems(self) -> list[str]:
        return self.structure + self.version


def open_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file now at `db`, or ValueError with one line saying why it cannot be a
    warehouse.

    The file is attached to a DuckDB instance of its own: `duckdb.connect(path)` would hand back the instance of a
    file still open at that path in this process (DuckDB caches instances by path), i.e. the old warehouse after a
    rebuild replaced the file. Cursors of the connection must `USE` the catalog again (`use_warehouse`).
    """
    if not db.is_file():
        raise ValueError(f"no warehouse at {db}: run `sousei build` first")
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_sql_text(str(db))}' AS {CATALOG} (READ_ONLY)")
        con.execute(f"USE {CATALOG}")
    except duckdb.Error as exc:
        con.close()
        raise ValueError(f"{db} is not a DuckDB warehouse ({str(exc).splitlines()[0]})") from None
    return con


def use_warehouse(cursor: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of an `open_read_only` connection, reading the warehouse's catalog."""
    cursor.execute(f"USE {CATALOG}")
    return cursor


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def declared_tables() -> list[Table]:
    return [*META_TABLES, *(t for s in steps().values() for t in s.tables)]


def inspect(con: duckdb.DuckDBPyConnection, db: Path, *, fingerprints: bool = True) -> Findings:
    """Every problem of the warehouse open on `con` (a file `db`)."""
    columns: dict[str, dict[str, str]] = {}
    for table, column, type_ in con.execute(
        f"SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = '{CATALOG}' "
        "AND schema_name = 'main'"
    ).fetchall():
        columns.setdefault(table, {})[column] = type_
    if BUILD_TABLE not in columns:
        return Findings([f"{db} is not a sousei warehouse: it has no {BUILD_TABLE} table (run `sousei build`)"], [])
    structure: list[str] = []
    missing = [t.name for t in declared_tables() if t.name not in columns]
    if missing:
        structure.append(f"{len(missing)} declared table(s) missing: {', '.join(missing)}")
    for table in declared_tables():
        have = columns.get(table.name)
        if have is None:
            continue
        absent = [c.name for c in table.columns if c.name not in have]
        undeclared = [c for c in have if c not in table.column_names]
        retyped = [
            f"{c.name} is {have[c.name]}, declared {c.type}"
            for c in table.columns
            if c.name in have and have[c.name] != c.type
        ]
        if absent or undeclared or retyped:
            parts = [
                f"missing columns {absent}" if absent else "",
                f"undeclared columns {undeclared}" if undeclared else "",
                "; ".join(retyped),
            ]
            structure.append(f"table {table.name}: " + "; ".join(p for p in parts if p))
    meta_whole = not any(p.startswith(f"table {t.name}:") or t.name in missing for p in structure for t in META_TABLES)
    version = _version_problems(con) if fingerprints and meta_whole else []
    return Findings(structure, version)


def _version_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Steps whose recorded fingerprint differs from the one this code computes from the recorded input digests."""
    from sousei.pipeline.build import step_fingerprints

    recorded = dict(con.execute("SELECT table_name, fingerprint FROM meta__tables").fetchall())
    digests = dict(con.execute("SELECT path, sha256 FROM meta__files").fetchall())
    built = con.execute(f"SELECT max(built_at), max_by(sousei_version, built_at) FROM {BUILD_TABLE}").fetchone()
    expected = step_fingerprints(list(steps().values()), digests)
    stale = []
    for step in steps().values():
        fp = expected.get(step.name)
        if fp is None or any(recorded.get(t.name) not in (None, fp) for t in step.tables):
            if any(t.name in recorded for t in step.tables):
                stale.append(step.name)
    if not stale:
        return []
    return [
        f"the warehouse is from another version of sousei or other inputs (built {built[0] if built else '?'} by "
        f"sousei {built[1] if built else '?'}): {len(stale)} step(s) differ from what this code would build — "
        f"{', '.join(stale)}; rebuild with `sousei build`"
    ]
