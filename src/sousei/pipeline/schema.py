"""Tables and columns defined once: DuckDB DDL, COMMENT ON statements, checks and docs are generated from here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

    from sousei.pipeline.context import StepContext


@dataclass(frozen=True)
class Column:
    """One column: its DuckDB type, what it means (with unit), and the bounds every value must respect."""

    name: str
    type: str
    description: str
    nullable: bool = True
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Coverage:
    """Which 2020 municipalities a table must cover.

    The rows selected by `where` (SQL, default all rows) must carry only codes of the 1,741 municipalities of
    2020, and within each group of `per` columns every municipality must be present except the codes listed in
    `missing` (pinned, with the reason in a comment, so that a new gap is noticed). With `exact_missing`, those
    codes must indeed be missing, so that a fixed gap is noticed too.
    """

    per: tuple[str, ...] = ()
    where: str | None = None
    missing: frozenset[str] = frozenset()
    exact_missing: bool = True
    column: str = "muni_code"


@dataclass(frozen=True)
class SqlCheck:
    """A check written as a query that returns the offending rows (no rows = pass)."""

    name: str
    description: str
    sql: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    coverage: Coverage | None = None
    checks: tuple[SqlCheck, ...] = ()

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def create_sql(self) -> str:
        cols = ",\n  ".join(f'"{c.name}" {c.type}' + ("" if c.nullable else " NOT NULL") for c in self.columns)
        return f'CREATE TABLE "{self.name}" (\n  {cols}\n)'

    def comment_sql(self, sources: str) -> list[str]:
        stmts = [f'COMMENT ON TABLE "{self.name}" IS {_quote(self.description + " [" + sources + "]")}']
        for c in self.columns:
            stmts.append(f'COMMENT ON COLUMN "{self.name}"."{c.name}" IS {_quote(c.description)}')
        return stmts


@dataclass(frozen=True)
class Step:
    """One pipeline step: reads the files of `sources` (and the tables of `depends`), returns `tables`.

    `parse` is a pure function of those inputs: the build caches its result by the checksums of the files,
    the step's code and the fingerprints of the steps it depends on.
    """

    name: str
    description: str
    sources: tuple[str, ...]
    tables: tuple[Table, ...]
    parse: Callable[[StepContext], dict[str, pl.DataFrame]]
    depends: tuple[str, ...] = ()
    checks: tuple[SqlCheck, ...] = field(default=())
    # Inputs outside the bundle (e.g. saved e-Stat responses): returns {name: sha256}; part of the fingerprint.
    extra_inputs: Callable[[], dict[str, str]] | None = None

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(f"step {self.name} declares no table {name}")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
