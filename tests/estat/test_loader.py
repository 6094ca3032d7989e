"""Saving raw responses and loading them with the estat step; `sousei data estat` end to end against the fake server."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from sousei import config
from sousei.estat import NOTICE
from sousei.estat.client import EstatClient, EstatError
from sousei.estat.store import fetch_table, saved_files
from sousei.pipeline import build as build_mod
from sousei.pipeline.errors import BuildError
from sousei.pipeline.sources.estat import STEP, parse_number


def _only_estat(step) -> bool:  # type: ignore[no-untyped-def]
    # The estat step, plus one tiny bundle step: build() cannot yet write meta__sources for a build without sources
    # (executemany with no rows).
    return step.name in ("estat", "tokyo_area_migration")


def _build(tmp_path: Path, data_dir: Path) -> duckdb.DuckDBPyConnection:
    db = tmp_path / "wh" / "warehouse.duckdb"
    build_mod.build(db, data_dir, only=_only_estat)
    return duckdb.connect(str(db), read_only=True)


def test_fetch_saves_meta_pages_and_manifest(fake_estat, estat_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with EstatClient(fake_estat.app_id, base_url=fake_estat.base_url) as c:
        res = fetch_table(c, fake_estat.table, estat_dir, limit=5)
    assert (res.pages, res.values, res.status) == (2, 9, 0)
    folder = estat_dir / fake_estat.table
    assert sorted(p.name for p in folder.iterdir()) == ["fetch.json", "meta.json", "page-0001.json", "page-0002.json"]
    assert [p.name for p in estat_dir.iterdir()] == [fake_estat.table]  # no temporary folder or file left
    page2 = json.loads((folder / "page-0002.json").read_text(encoding="utf-8"))
    assert page2["GET_STATS_DATA"]["STATISTICAL_DATA"]["RESULT_INF"]["FROM_NUMBER"] == 6
    assert set(saved_files(estat_dir)) == {
        f"{fake_estat.table}/{n}" for n in ("fetch.json", "meta.json", "page-0001.json", "page-0002.json")
    }


def test_failed_fetch_keeps_the_earlier_one(fake_estat, estat_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with EstatClient(fake_estat.app_id, base_url=fake_estat.base_url) as c:
        fetch_table(c, fake_estat.table, estat_dir, limit=5)
    before = saved_files(estat_dir)
    with EstatClient(fake_estat.bad_app_id, base_url=fake_estat.base_url) as c, pytest.raises(EstatError):
        fetch_table(c, fake_estat.table, estat_dir)
    assert saved_files(estat_dir) == before
    assert [p.name for p in estat_dir.iterdir()] == [fake_estat.table]


def test_nothing_saved_gives_empty_tables(estat_dir: Path, tmp_path: Path, data_dir: Path) -> None:
    con = _build(tmp_path, data_dir)
    for table in ("raw_estat__tables", "raw_estat__classes", "raw_estat__values"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    con.close()


def test_loader_tables(fake_estat, estat_dir: Path, tmp_path: Path, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with EstatClient(fake_estat.app_id, base_url=fake_estat.base_url) as c:
        fetch_table(c, fake_estat.table, estat_dir, limit=5)
        fetch_table(c, fake_estat.empty_table, estat_dir)
    con = _build(tmp_path, data_dir)
    tables = con.execute(
        "SELECT stats_data_id, title, stat_code, stat_name, gov_org, survey_date, total_number, pages "
        "FROM raw_estat__tables ORDER BY 1"
    ).fetchall()
    assert tables == [
        ("0003999001", "男女別人口－全国，市区町村（テスト）", "00200521", "国勢調査", "総務省", "202010", 9, 2),
        ("0003999002", "該当データのない表（テスト）", "00200521", "国勢調査", "総務省", "202010", 0, 1),
    ]
    classes = con.execute(
        "SELECT class_id, code, name, level, unit, parent_code FROM raw_estat__classes "
        "WHERE stats_data_id = '0003999001' ORDER BY class_id, code"
    ).fetchall()
    assert len(classes) == 8
    assert ("cat01", "1", "男", "2", None, "0") in classes
    assert ("tab", "020", "人口", "", "人", None) in classes  # a bare CLASS object (one-element list) is read too
    values = con.execute(
        "SELECT position, cat01, area_code, time_code, unit, annotation, value, value_raw FROM raw_estat__values "
        "ORDER BY position"
    ).fetchall()
    assert [v[0] for v in values] == list(range(1, 10))
    assert values[0] == (1, "0", "00000", "2020000000", "人", None, 126146099.0, "126146099")
    assert values[1][6] + values[2][6] == values[0][6]
    markers = {v[7]: v[6] for v in values if v[6] is None}
    assert markers == {"-": None, "***": None, "X": None, "…": None}
    assert values[5][5] == "1"  # @anno kept
    con.close()


def test_rebuild_reloads_changed_responses(fake_estat, estat_dir: Path, tmp_path: Path, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    assert STEP.extra_inputs is not None and STEP.extra_inputs() == {}
    with EstatClient(fake_estat.app_id, base_url=fake_estat.base_url) as c:
        fetch_table(c, fake_estat.table, estat_dir, limit=5)
    first = STEP.extra_inputs()
    con = _build(tmp_path, data_dir)
    assert con.execute("SELECT count(*) FROM raw_estat__values").fetchone() == (9,)
    con.close()
    with EstatClient(fake_estat.app_id, base_url=fake_estat.base_url) as c:
        fetch_table(c, fake_estat.empty_table, estat_dir)
    assert STEP.extra_inputs() != first
    con = _build(tmp_path, data_dir)
    assert con.execute("SELECT count(*) FROM raw_estat__tables").fetchone() == (2,)
    con.close()


def test_corrupt_saved_page_stops_the_build(fake_estat, estat_dir: Path, tmp_path: Path, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with EstatClient(fake_estat.app_id, base_url=fake_estat.base_url) as c:
        fetch_table(c, fake_estat.table, estat_dir, limit=5)
    page = estat_dir / fake_estat.table / "page-0002.json"
    body = json.loads(page.read_text(encoding="utf-8"))
    body["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"]["VALUE"][0]["@cat99"] = "1"
    page.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(BuildError) as info:
        _build(tmp_path, data_dir)
    assert "page-0002.json" in str(info.value) and "@cat99" in str(info.value) and "VALUE 0" in str(info.value)


def test_parse_number() -> None:
    assert parse_number("1,234") == 1234.0 and parse_number(" 0.5 ") == 0.5 and parse_number("-3") == -3.0
    assert [parse_number(m) for m in ("-", "***", "X", "…", "", "nan")] == [None] * 6


def test_cli_end_to_end(  # type: ignore[no-untyped-def]
    fake_estat, estat_dir: Path, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sousei.cli import app

    monkeypatch.setenv("SOUSEI_ESTAT_APP_ID", fake_estat.app_id)
    monkeypatch.setenv("SOUSEI_ESTAT_BASE_URL", fake_estat.base_url)
    # The command rebuilds the whole warehouse (every other step reused from its cache); here only the estat step.
    monkeypatch.setattr(build_mod, "build", partial(build_mod.build, only=_only_estat))
    db = tmp_path / "cli" / "warehouse.duckdb"
    runner = CliRunner()
    result = runner.invoke(app, ["data", "estat", fake_estat.table, "--db", str(db), "--limit", "5"])
    assert result.exit_code == 0, result.output
    assert "2 page(s), 9 values" in result.output and NOTICE[:20] in result.output
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), count(value) FROM raw_estat__values").fetchone() == (9, 5)
    con.close()
    assert config.estat_dir() == estat_dir and (estat_dir / fake_estat.table / "meta.json").is_file()

    monkeypatch.setenv("SOUSEI_ESTAT_APP_ID", fake_estat.bad_app_id)
    result = runner.invoke(app, ["data", "estat", fake_estat.table, "--db", str(db)])
    assert result.exit_code == 1 and "auth" in result.output
