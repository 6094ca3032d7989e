"""Plain helpers the warehouse tests share (fixtures are in conftest.py): one definition each."""

from __future__ import annotations

from typing import Any

import duckdb


def one(wh: duckdb.DuckDBPyConnection, sql: str, *params: object) -> object:
    """The first column of the first row of `sql`."""
    return wh.execute(sql, list(params)).fetchone()[0]  # type: ignore[index]


def num(text: str) -> int:
    """A figure as CATALOG.yaml prints it ("1,741" → 1741)."""
    return int(text.replace(",", ""))


def checks_text(catalog: dict[str, Any], source: str) -> str:
    """A source's `checks:` text in CATALOG.yaml with its line breaks folded, so that a quoted phrase is found."""
    return " ".join(catalog[source]["checks"].split())


def assert_checks_pass(wh: duckdb.DuckDBPyConnection, table: Any) -> None:
    """Every SqlCheck declared on `table` finds no offending row in the warehouse."""
    for check in table.checks:
        rows = wh.execute(check.sql).fetchall()
        assert rows == [], f"{check.name}: {rows[:3]}"
