"""Structural checks run after every build and by `sousei check`: keys, bounds, coverage of the 1,741, SQL checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import duckdb

from sousei.pipeline.registry import steps
from sousei.pipeline.schema import SqlCheck, Step, Table

MUNICIPALITIES_TABLE = "core_areas__municipalities"
SAMPLE_ROWS = 5


@dataclass(frozen=True)
class CheckResult:
    name: str
    table: str
    passed: bool
    message: str = ""


def run_all(con: duckdb.DuckDBPyConnection, only_tables: set[str] | None = None) -> list[CheckResult]:
    results: list[CheckResult] = []
    for step in steps().values():
        for table in step.tables:
            if only_tables is not None and table.name not in only_tables:
                continue
            results.extend(check_table(con, table))
        results.extend(_step_checks(con, step, only_tables))
    return results


def check_table(con: duckdb.DuckDBPyConnection, table: Table) -> Iterator[CheckResult]:
    yield _guarded("unique-key", table.name, lambda: _unique_key(con, table))
    for col in table.columns:
        if col.min is not None or col.max is not None:
            lo, hi = col.min, col.max
            yield _guarded(
                f"bounds:{col.name}", table.name, lambda c=col.name, lo=lo, hi=hi: _bounds(con, table, c, lo, hi)
            )
    if table.coverage is not None:
        yield _guarded("coverage", table.name, lambda: _coverage(con, table))
    for check in table.checks:
        yield _sql_check(con, table.name, check)


def _step_checks(con: duckdb.DuckDBPyConnection, step: Step, only_tables: set[str] | None) -> Iterator[CheckResult]:
    if only_tables is not None and not any(t.name in only_tables for t in step.tables):
        return
    for check in step.checks:
        yield _sql_check(con, step.name, check)


def _guarded(name: str, table: str, run: Callable[[], CheckResult]) -> CheckResult:
    """A check that cannot even run (a table or column it reads is missing from a damaged warehouse) fails."""
    try:
        return run()
    except duckdb.Error as exc:
        return CheckResult(name, table, False, f"check query failed: {str(exc).splitlines()[0]}")


def _rows_message(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, str]:
    cur = con.execute(f"SELECT * FROM ({sql}) LIMIT {SAMPLE_ROWS + 1}")
    rows = cur.fetchall()
    if not rows:
        return 0, ""
    cols = [d[0] for d in cur.description]
    shown = "; ".join(", ".join(f"{c}={v!r}" for c, v in zip(cols, row, strict=True)) for row in rows[:SAMPLE_ROWS])
    more = " …" if len(rows) > SAMPLE_ROWS else ""
    return len(rows), shown + more


def _unique_key(con: duckdb.DuckDBPyConnection, table: Table) -> CheckResult:
    key = ", ".join(f'"{k}"' for k in table.key)
    sql = f'SELECT {key}, count(*) AS n FROM "{table.name}" GROUP BY ALL HAVING count(*) > 1'
    n, shown = _rows_message(con, sql)
    nulls_sql = f'SELECT * FROM "{table.name}" WHERE ' + " OR ".join(f'"{k}" IS NULL' for k in table.key)
    n_null, shown_null = _rows_message(con, nulls_sql)
    if n:
        return CheckResult("unique-key", table.name, False, f"key ({key}) repeats: {shown}")
    if n_null:
        return CheckResult("unique-key", table.name, False, f"key ({key}) has NULL: {shown_null}")
    return CheckResult("unique-key", table.name, True)


def _bounds(con: duckdb.DuckDBPyConnection, table: Table, col: str, lo: float | None, hi: float | None) -> CheckResult:
    conds = []
    if lo is not None:
        conds.append(f'"{col}" < {lo}')
    if hi is not None:
        conds.append(f'"{col}" > {hi}')
    sql = f'SELECT * FROM "{table.name}" WHERE ' + " OR ".join(conds)
    n, shown = _rows_message(con, sql)
    name = f"bounds:{col}"
    if n:
        return CheckResult(name, table.name, False, f"{col} outside [{lo}, {hi}]: {shown}")
    return CheckResult(name, table.name, True)


def _coverage(con: duckdb.DuckDBPyConnection, table: Table) -> CheckResult:
    cov = table.coverage
    assert cov is not None
    where = f"WHERE {cov.where}" if cov.where else ""
    rows = f'(SELECT * FROM "{table.name}" {where})'
    unknown_sql = (
        f'SELECT DISTINCT r."{cov.column}" FROM {rows} r '
        f'WHERE r."{cov.column}" NOT IN (SELECT muni_code FROM {MUNICIPALITIES_TABLE})'
    )
    n, shown = _rows_message(con, unknown_sql)
    if n:
        return CheckResult("coverage", table.name, False, f"codes that are not 2020 municipalities: {shown}")
    groups = ", ".join(f'"{p}"' for p in cov.per)
    group_sel = f"SELECT DISTINCT {groups} FROM {rows}" if cov.per else "SELECT 1 AS one"
    same_group = " AND ".join(f'r."{p}" IS NOT DISTINCT FROM e."{p}"' for p in cov.per) or "TRUE"
    missing_sql = f"""
        WITH g AS ({group_sel}),
        expected AS (SELECT g.*, m.muni_code FROM g CROSS JOIN {MUNICIPALITIES_TABLE} m)
        SELECT e.* FROM expected e
        WHERE NOT EXISTS (SELECT 1 FROM {rows} r WHERE r."{cov.column}" = e.muni_code AND {same_group})
    """
    missing = con.sql(missing_sql).pl()  # duckdb 2: .pl() lives on relations, not on the connection
    unexpected = missing.filter(~missing["muni_code"].is_in(list(cov.missing)))
    if unexpected.height:
        shown = ", ".join(str(r) for r in unexpected.head(SAMPLE_ROWS).rows())
        return CheckResult(
            "coverage",
            table.name,
            False,
            f"{unexpected.height} (group, municipality) pairs missing, not among the {len(cov.missing)} pinned gaps: "
            f"{shown}",
        )
    if cov.exact_missing and cov.missing:
        filled = sorted(set(cov.missing) - set(missing["muni_code"].to_list()))
        if filled:
            return CheckResult(
                "coverage",
                table.name,
                False,
                f"pinned gaps are no longer missing (update the pin): {', '.join(filled[:SAMPLE_ROWS])}",
            )
    return CheckResult("coverage", table.name, True)


def _sql_check(con: duckdb.DuckDBPyConnection, where: str, check: SqlCheck) -> CheckResult:
    try:
        n, shown = _rows_message(con, check.sql)
    except duckdb.Error as exc:
        return CheckResult(check.name, where, False, f"check query failed: {exc}")
    if n:
        return CheckResult(check.name, where, False, f"{check.description}: {shown}")
    return CheckResult(check.name, where, True)
