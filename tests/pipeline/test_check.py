"""`sousei check` fails, one line per problem, on files that are not whole warehouses of this code: an empty DuckDB
file, a file that is not DuckDB, a warehouse with a table dropped (even the areas master), one from other code."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from sousei.cli import app
from sousei.pipeline import build as build_mod
from sousei.pipeline.verify import inspect, open_read_only

runner = CliRunner()


def _check(db: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["check", "--db", str(db)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, " ".join(result.output.split())  # Rich wraps long lines at the terminal's width


@pytest.fixture(scope="module")
def warehouse_copy(warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("check") / "copy.duckdb"
    shutil.copyfile(warehouse_path, copy)
    return copy


def _dropped(copy: Path, table: str, tmp_path: Path) -> Path:
    db = tmp_path / f"without-{table}.duckdb"
    shutil.copyfile(copy, db)
    con = duckdb.connect(str(db))
    con.execute(f'DROP TABLE "{table}"')
    con.close()
    return db


def test_an_empty_duckdb_file_is_not_a_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    code, out = _check(db)
    assert code == 1
    assert "is not a sousei warehouse: it has no meta__build table" in out
    assert "0 checks passed" in out


@pytest.mark.parametrize("content", [b"", b"hello, not a database\n" * 100])
def test_a_file_that_is_not_duckdb_is_named_in_one_line(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "junk.duckdb"
    db.write_bytes(content)
    code, out = _check(db)
    assert code == 1
    assert "Traceback" not in out
    assert out.startswith("error [warehouse]") and out.count("error") == 1 and "junk.duckdb" in out


def test_the_whole_warehouse_has_every_declared_table_and_passes(warehouse_copy: Path) -> None:
    con = open_read_only(warehouse_copy)
    try:
        findings = inspect(con, warehouse_copy, fingerprints=False)
    finally:
        con.close()
    assert findings.structure == []


@pytest.mark.parametrize("table", ["raw_census__population_2020", "core_areas__municipalities"])
def test_a_dropped_table_fails_the_check(warehouse_copy: Path, tmp_path: Path, table: str) -> None:
    code, out = _check(_dropped(warehouse_copy, table, tmp_path))
    assert code == 1
    assert "Traceback" not in out
    assert f"declared table(s) missing: {table}" in out


def test_a_dropped_column_is_reported(warehouse_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "column.duckdb"
    shutil.copyfile(warehouse_copy, db)
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE core_areas__municipalities DROP COLUMN name_kana")
    con.close()
    code, out = _check(db)
    assert code == 1
    assert "table core_areas__municipalities: missing columns ['name_kana']" in out


def test_a_warehouse_of_other_code_is_named_as_such(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "w.duckdb"
    build_mod.build(db, data_dir, only=lambda s: s.name == "tokyo_area_migration")
    con = open_read_only(db)
    try:
        assert inspect(con, db).version == []  # the code that built it finds its fingerprints equal
        monkeypatch.setattr(build_mod, "CACHE_SALT", "another version")
        (problem,) = inspect(con, db).version
    finally:
        con.close()
    assert "from another version of sousei" in problem and "tokyo_area_migration" in problem


@pytest.mark.parametrize("content", [b"", b"hello, not a database\n" * 100, None])
def test_serve_refuses_a_file_that_is_not_a_warehouse_in_one_line(tmp_path: Path, content: bytes | None) -> None:
    db = tmp_path / "junk.duckdb"
    if content is None:
        duckdb.connect(str(db)).close()  # a DuckDB file without the warehouse's tables
    else:
        db.write_bytes(content)
    result = runner.invoke(app, ["serve", "--db", str(db), "--port", "1"])
    out = " ".join(result.output.split())
    assert result.exit_code == 1
    assert out.startswith("error ") and out.count("error") == 1 and "junk.duckdb" in out
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_serve_refuses_an_older_warehouse_naming_what_it_lacks(warehouse_copy: Path, tmp_path: Path) -> None:
    db = _dropped(warehouse_copy, "core_areas__municipalities", tmp_path)
    result = runner.invoke(app, ["serve", "--db", str(db), "--port", "1"])
    out = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "declared table(s) missing: core_areas__municipalities" in out and "rebuild with `sousei build`" in out
