"""The build is declared, atomic and loud: checksums, failures that leave the old warehouse, cache reuse, docs."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from sousei.pipeline import build as build_mod
from sousei.pipeline.declarations import declared_checksums, declared_sources, verify_source_files
from sousei.pipeline.docs import render_tables_doc
from sousei.pipeline.errors import BuildError
from sousei.pipeline.registry import steps
from sousei.pipeline.schema import Column, SqlCheck, Step, Table

TOKYO_STEP = "tokyo_area_migration"
TOKYO_FILE = "national/tokyo_area_net_migration_japanese_2010_2025.csv"


def only_tokyo(step: Step) -> bool:
    return step.name == TOKYO_STEP


@pytest.fixture()
def small_bundle(data_dir: Path, tmp_path: Path) -> Path:
    """A scratch copy of one bundle file, so a test may corrupt it (the bundle itself is never touched)."""
    bundle = tmp_path / "bundle"
    (bundle / "national").mkdir(parents=True)
    shutil.copy(data_dir / TOKYO_FILE, bundle / TOKYO_FILE)
    return bundle


def test_declarations_match_the_catalog(data_dir: Path) -> None:
    catalog = yaml.safe_load((data_dir / "CATALOG.yaml").read_text(encoding="utf-8"))["sources"]
    declared = declared_sources()
    assert sorted(declared) == sorted(catalog)
    for sid, entry in catalog.items():
        assert list(declared[sid].files) == entry["files"], sid
        assert declared[sid].license and declared[sid].attribution and declared[sid].vintage, sid
    manifest = {}
    for line in (data_dir / "MANIFEST.sha256").read_text().splitlines():
        digest, path = line.split(maxsplit=1)
        manifest[path.strip()] = digest
    manifest.pop("CATALOG.yaml")
    assert declared_checksums() == manifest
    owned = {f for s in declared.values() for f in s.declared_files()}
    assert owned == set(manifest), "every bundle file belongs to a declared source"


def test_build_then_rebuild_reuses_the_cache(small_bundle: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh" / "w.duckdb"
    first = build_mod.build(db, small_bundle, only=only_tokyo)
    second = build_mod.build(db, small_bundle, only=only_tokyo)
    assert [s.reused for s in first.steps] == [False]
    assert [s.reused for s in second.steps] == [True]
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT net_migration_persons FROM core_national__tokyo_area_net_migration WHERE year = 2024")
    assert rows.fetchall() == [(119_337,)]
    assert con.execute("SELECT steps_reused FROM meta__build").fetchall() == [(1,)]
    con.close()


def test_a_corrupt_file_stops_the_build_and_keeps_the_old_warehouse(small_bundle: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh" / "w.duckdb"
    build_mod.build(db, small_bundle, only=only_tokyo)
    before = db.read_bytes()
    target = small_bundle / TOKYO_FILE
    target.write_bytes(target.read_bytes().replace(b"119337", b"119338"))
    with pytest.raises(BuildError) as err:
        build_mod.build(db, small_bundle, only=only_tokyo)
    assert err.value.check == "checksum"
    assert err.value.file == TOKYO_FILE
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["cache", "w.duckdb"]


def test_a_missing_file_is_named(small_bundle: Path, tmp_path: Path) -> None:
    (small_bundle / TOKYO_FILE).unlink()
    with pytest.raises(BuildError, match="tokyo_area_net_migration_japanese_2010_2025.csv") as err:
        build_mod.build(tmp_path / "w.duckdb", small_bundle, only=only_tokyo)
    assert err.value.check == "missing-file"
    assert not (tmp_path / "w.duckdb").exists()


def test_an_undeclared_file_under_a_source_is_refused(data_dir: Path, tmp_path: Path) -> None:
    src = declared_sources()["ssdse_a"]
    for rel in src.declared_files():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data_dir / rel, tmp_path / rel)
    assert len(verify_source_files(tmp_path, src)) == len(src.declared_files())
    (tmp_path / "ssdse_a" / "SSDSE-A-2027.csv").write_bytes(b"R01100,x\n")
    with pytest.raises(BuildError) as err:
        verify_source_files(tmp_path, src)
    assert err.value.check == "undeclared-file"
    assert err.value.file == "ssdse_a/SSDSE-A-2027.csv"


def _fake_step(values: list[int]) -> Step:
    table = Table(
        name="core_test__numbers",
        description="numbers",
        columns=(Column("n", "INTEGER", "a number", nullable=False, min=0),),
        key=("n",),
        checks=(SqlCheck("no-sevens", "7 is not allowed", "SELECT * FROM core_test__numbers WHERE n = 7"),),
    )
    return Step(
        name="tokyo_area_migration",
        description="test",
        sources=("tokyo_area_net_migration",),
        tables=(table,),
        parse=lambda ctx: {table.name: pl.DataFrame({"n": values})},
    )


@pytest.mark.parametrize(
    ("values", "check"),
    [([1, 1], "unique-key"), ([-3], "bounds:n"), ([7], "no-sevens")],
)
def test_a_failed_check_keeps_the_old_warehouse(
    small_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, values: list[int], check: str
) -> None:
    db = tmp_path / "w.duckdb"
    build_mod.build(db, small_bundle, only=only_tokyo)
    before = db.read_bytes()
    monkeypatch.setattr(build_mod, "steps", lambda: {"tokyo_area_migration": _fake_step(values)})
    monkeypatch.setattr(build_mod, "step_module_file", lambda name: Path(build_mod.__file__))
    monkeypatch.setattr(build_mod.checks_mod, "steps", lambda: {"tokyo_area_migration": _fake_step(values)})
    with pytest.raises(BuildError, match=check) as err:
        build_mod.build(db, small_bundle)
    assert err.value.check == "checks"
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("*.tmp"))


def test_a_step_returning_undeclared_columns_is_stopped(
    small_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = _fake_step([1])
    bad = Step(
        step.name,
        step.description,
        step.sources,
        step.tables,
        parse=lambda ctx: {"core_test__numbers": pl.DataFrame({"n": [1], "extra": [2]})},
    )
    monkeypatch.setattr(build_mod, "steps", lambda: {step.name: bad})
    monkeypatch.setattr(build_mod, "step_module_file", lambda name: Path(build_mod.__file__))
    with pytest.raises(BuildError, match=r"undeclared \['extra'\]"):
        build_mod.build(tmp_path / "w.duckdb", small_bundle)


def test_tables_doc_is_current() -> None:
    doc = Path(__file__).parents[2] / "docs" / "tables.md"
    assert doc.read_text(encoding="utf-8") == render_tables_doc(), "run `sousei data docs`"


def test_every_table_and_column_has_a_comment(wh: duckdb.DuckDBPyConnection) -> None:
    missing_tables = wh.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT internal AND coalesce(comment, '') = ''"
    ).fetchall()
    missing_cols = wh.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND coalesce(comment, '') = ''"
    ).fetchall()
    assert missing_tables == []
    assert missing_cols == []


def test_every_declared_table_is_in_the_warehouse(wh: duckdb.DuckDBPyConnection) -> None:
    present = {r[0] for r in wh.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    declared = {t.name for s in steps().values() for t in s.tables}
    assert declared <= present


def test_the_built_warehouse_passes_every_check(warehouse_path: Path) -> None:
    findings, results = build_mod.check(warehouse_path)
    assert findings.structure == []
    failed = [r for r in results if not r.passed]
    assert failed == [] and len(results) > 400
