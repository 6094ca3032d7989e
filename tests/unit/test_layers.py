"""The layers keep to their jobs: the web layer and the chart definitions read through `sousei.query` (no SQL, no
DuckDB, no pipeline), the analyst and the desk read the warehouse through named query methods (no raw cursor), and
nothing imports upward or sideways (domain ← query ← charts ← web and analyst). Checked on the source text, so that a
query written into a chart fails here at once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "sousei"
# SQL in a string: a statement keyword, or FROM/JOIN followed by a table name (schema tables have a double underscore).
SQL = re.compile(
    r"\b(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|DESCRIBE)\b"
    r"|\b(FROM|JOIN)\s+\w+__\w+",
    re.IGNORECASE,
)
# Warehouse plumbing a caller outside sousei.query must not use: SQL goes in through these.
RAW_READS = {"cursor", "rows", "bulk", "execute"}
WAREHOUSE_NAMES = {"wh", "warehouse"}


def modules(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


def strings(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal, an f-string's literal parts joined into one (where a query would be written)."""
    out = []
    in_fstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            in_fstrings |= {id(v) for v in parts}
            out.append((node.lineno, "".join(v.value for v in parts)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstrings:
            out.append((node.lineno, node.value))
    return out


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
    return out


def raw_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """Calls like wh.cursor(), warehouse.rows(…), app.state.wh.bulk(…)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RAW_READS:
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
            if name in WAREHOUSE_NAMES:
                out.append((node.lineno, f"{name}.{node.func.attr}()"))
    return out


def findings(package: str, check) -> list[str]:
    out = []
    for path in modules(package):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        out += [f"{path.relative_to(SRC)}:{line}: {what}" for line, what in check(tree)]
    return out


@pytest.mark.parametrize("package", ["web", "charts"])
def test_the_web_layer_writes_no_sql(package: str) -> None:
    found = findings(package, lambda tree: [(n, s[:80]) for n, s in strings(tree) if SQL.search(s)])
    assert found == [], "SQL belongs in a named method of sousei.query:\n" + "\n".join(found)


@pytest.mark.parametrize("package", ["web", "charts", "analyst", "desk"])
def test_no_duckdb_or_pipeline_import_above_the_read_layer(package: str) -> None:
    found = findings(
        package,
        lambda tree: [
            (n, m) for n, m in imported(tree) if m == "duckdb" or m.startswith(("duckdb.", "sousei.pipeline"))
        ],
    )
    assert found == [], f"{package} reads the warehouse through sousei.query only:\n" + "\n".join(found)


@pytest.mark.parametrize("package", ["web", "charts", "analyst", "desk"])
def test_no_raw_warehouse_reads_above_the_read_layer(package: str) -> None:
    found = findings(package, raw_reads)
    assert found == [], f"{package} calls named methods of sousei.query, not its plumbing:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("domain", ("sousei.query", "sousei.web", "sousei.pipeline", "sousei.analyst", "sousei.desk", "duckdb")),
        ("query", ("sousei.web", "sousei.charts", "sousei.analyst", "sousei.desk")),
        ("charts", ("sousei.web", "sousei.analyst", "sousei.desk")),
        # the report draws the dashboard's charts from sousei.charts, not through the web layer
        ("analyst", ("sousei.web",)),
    ],
)
def test_imports_point_down(package: str, forbidden: tuple[str, ...]) -> None:
    found = findings(package, lambda tree: [(n, m) for n, m in imported(tree) if m.startswith(forbidden)])
    assert found == [], f"{package} must not import {forbidden}:\n" + "\n".join(found)


def test_the_checks_see_what_they_look_for() -> None:
    """The detectors find a query, a duckdb import and a raw read written the way they would be."""
    tree = ast.parse(
        "import duckdb\n"
        "from sousei.pipeline.verify import open_read_only\n"
        'rows = wh.rows(f"SELECT muni_code FROM {table} WHERE x = 1")\n'
        "more = app.state.wh.bulk('k', 'SELECT a, b FROM core_ssdse__values')\n"
        "joined = 'x JOIN core_areas__municipalities USING (muni_code)'\n"
        "label = '人口の推移（FROM 1980）'\n"
    )
    sql = [s for _, s in strings(tree) if SQL.search(s)]
    assert len(sql) == 3 and not any("人口" in s for s in sql)
    assert [m for _, m in imported(tree)] == ["duckdb", "sousei.pipeline.verify"]
    assert [w for _, w in raw_reads(tree)] == ["wh.rows()", "wh.bulk()"]
