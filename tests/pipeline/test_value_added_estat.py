"""Value added by industry on an establishment basis (経済センサス‐活動調査 2021, 産業横断的集計) on the e-Stat path:
a saved table in the documented API 3.0 JSON format (tests/fixtures/estat_economic_census, fictitious figures: Japan,
鳥取県, 札幌市 with one of its wards, 鳥取市) loaded by the estat step into a small warehouse, then the economy
entries' queries and the comparisons as the indicators step runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from sousei.domain.indicators.compare import compare, compute_values
from sousei.domain.indicators.economy import VA_NOT_LOADED
from sousei.domain.indicators.registry import indicators
from sousei.pipeline import build as build_mod
from sousei.pipeline.derived.indicators import meta_frame, run_queries
from sousei.pipeline.errors import BuildError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "estat_economic_census"
TABLE = "0003999201"
VA_ENTRIES = tuple(i for i in indicators() if i.id.startswith("econ_va_"))
FRAMES = ("raw_estat__classes", "raw_estat__values", "core_areas__municipalities")


def _warehouse(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, tables: dict[str, Path]) -> dict:
    """Save `tables` (statsDataId → fixture folder) as `sousei data estat` does, build the estat and areas steps,
    and return the frames the entries read."""
    estat = tmp_path / "estat"
    estat.mkdir()
    for sid, folder in tables.items():
        shutil.copytree(folder, estat / sid)
    monkeypatch.setenv("SOUSEI_ESTAT_DIR", str(estat))
    db = tmp_path / "wh" / "warehouse.duckdb"
    build_mod.build(db, data_dir, only=lambda step: step.name in ("estat", "areas"))
    con = duckdb.connect(str(db), read_only=True)
    frames = {t: con.sql(f"SELECT * FROM {t}").pl() for t in FRAMES}
    con.close()
    return frames


def _run(frames: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    areas = frames["core_areas__municipalities"].select("muni_code", "pref_code", "peer_group")
    raw, published, _ = run_queries(frames, set(areas["muni_code"]), VA_ENTRIES)
    meta = meta_frame(VA_ENTRIES)
    values = compute_values(raw, dict(zip(meta["indicator_id"], meta["scale"], strict=True)))
    return values, compare(values, areas, meta, published)


def test_entries_are_economy_estat_entries_with_a_not_loaded_note() -> None:
    # all industries + 18 industries for productivity, 18 for the specialization coefficient
    assert len(VA_ENTRIES) == 37
    for ind in VA_ENTRIES:
        assert ind.family == "economy" and ind.sources == ("estat_api",)
        assert "未読み込み" in ind.coverage_note and ind.coverage_note == VA_NOT_LOADED
        assert "事業所単位" in ind.formula


def test_value_added_productivity_and_specialization_from_a_loaded_table(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames = _warehouse(tmp_path, data_dir, monkeypatch, {TABLE: FIXTURES / TABLE})
    values, comp = _run(frames)
    # only the two municipalities: Japan, 鳥取県 and the ward 01101 are not municipality rows; survey year 2021
    assert set(values["muni_code"]) == {"01100", "31201"} and set(values["year"]) == {2021}
    # industries the table lacks have no rows; 05 (中分類 with the 大分類's name) does not double 鉱業
    assert set(values["indicator_id"]) == {
        f"econ_va_{kind}_{s}" for kind in ("productivity", "specialization") for s in ("35", "37", "41", "50")
    } | {"econ_va_productivity_total"}
    got = {(r["indicator_id"], r["muni_code"]): r for r in values.iter_rows(named=True)}
    cmp = {(r["indicator_id"], r["muni_code"]): r for r in comp.iter_rows(named=True)}

    def check(ind: str, muni: str, num: float | None, den: float, value: float | None) -> None:
        row = got[(f"econ_va_{ind}", muni)]
        assert (row["numerator"], row["denominator"]) == (num, den), (ind, muni)
        assert row["value"] == (None if value is None else pytest.approx(value, rel=1e-12)), (ind, muni)

    # labour productivity (千円/人) = 付加価値額 (百万円) × 1,000 ÷ 従業者数
    check("productivity_total", "01100", 50_000_000, 12_500, 4_000)
    check("productivity_total", "31201", 8_000_000, 2_000, 4_000)
    check("productivity_37", "01100", 5_000_000, 1_000, 5_000)
    check("productivity_37", "31201", 1_000_000, 250, 4_000)
    check("productivity_41", "01100", 15_000_000, 4_000, 3_750)
    check("productivity_50", "31201", 1_600_000, 500, 3_200)
    check("productivity_35", "01100", 100_000, 10, 10_000)
    check("productivity_35", "31201", None, 3, None)  # 付加価値額 'X' (秘匿): no value, never 0
    # specialization = (industry's share of the area's value added) ÷ (Japan's share)
    check("specialization_37", "01100", 5_000 / 50_000, 250_000 / 1_000_000, 0.4)
    check("specialization_37", "31201", 1_000 / 8_000, 250_000 / 1_000_000, 0.5)
    check("specialization_41", "01100", 15_000 / 50_000, 200_000 / 1_000_000, 1.5)
    check("specialization_41", "31201", 2_000 / 8_000, 200_000 / 1_000_000, 1.25)
    check("specialization_50", "01100", 10_000 / 50_000, 100_000 / 1_000_000, 2.0)
    check("specialization_50", "31201", 1_600 / 8_000, 100_000 / 1_000_000, 2.0)
    check("specialization_35", "01100", 100 / 50_000, 10_000 / 1_000_000, 0.2)
    check("specialization_35", "31201", None, 10_000 / 1_000_000, None)

    # Japan and 鳥取県 from the table's own rows; 北海道 has no prefecture row in the table
    def nat_pref(ind: str, muni: str) -> tuple[float, float | None]:
        row = cmp[(f"econ_va_{ind}", muni)]
        return row["national_value"], row["prefecture_value"]

    assert nat_pref("productivity_total", "31201") == (5_000, 4_000)
    assert nat_pref("productivity_total", "01100") == (5_000, None)
    assert nat_pref("productivity_37", "31201") == (6_250, 4_000)
    assert nat_pref("productivity_41", "31201") == (4_000, 3_200)
    assert nat_pref("productivity_35", "01100") == (10_000, None)  # 31201 has no value, so no comparison row
    assert ("econ_va_productivity_35", "31201") not in cmp
    assert nat_pref("specialization_37", "31201") == (1.0, pytest.approx(0.8, rel=1e-12))
    assert nat_pref("specialization_41", "31201") == (1.0, pytest.approx(1.0, rel=1e-12))
    assert nat_pref("specialization_50", "31201") == (1.0, pytest.approx(1.5, rel=1e-12))
    assert nat_pref("specialization_50", "01100") == (1.0, None)


def test_entries_are_empty_until_a_table_is_loaded(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values, comp = _run(_warehouse(tmp_path, data_dir, monkeypatch, {}))
    assert values.height == 0 and comp.height == 0


def _variant(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path / "variant" / TABLE
    shutil.copytree(FIXTURES / TABLE, folder)
    for name in ("meta.json", "page-0001.json"):
        path = folder / name
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def test_value_added_in_another_unit_is_not_taken_for_this_table(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _variant(tmp_path, lambda text: text.replace('"百万円"', '"千円"'))
    assert '"千円"' in (folder / "meta.json").read_text(encoding="utf-8")
    values, _ = _run(_warehouse(tmp_path, data_dir, monkeypatch, {TABLE: folder}))
    assert values.height == 0


def test_a_second_classification_is_not_mistaken_for_the_industry_table(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the same table with an extra 分類事項 (経営組織) cannot be read as value added by industry alone
    def add_class(text: str) -> str:
        body = json.loads(text)
        if "GET_META_INFO" in body:
            objs = body["GET_META_INFO"]["METADATA_INF"]["CLASS_INF"]["CLASS_OBJ"]
            objs.insert(
                2, {"@id": "cat02", "@name": "経営組織", "CLASS": {"@code": "0", "@name": "総数", "@level": "1"}}
            )
        else:
            for v in body["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"]["VALUE"]:
                v["@cat02"] = "0"
        return json.dumps(body, ensure_ascii=False)

    values, _ = _run(_warehouse(tmp_path, data_dir, monkeypatch, {TABLE: _variant(tmp_path, add_class)}))
    assert values.height == 0


def test_the_same_figures_loaded_twice_stop_the_build(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = _variant(tmp_path, lambda text: text.replace(TABLE, "0003999202"))
    frames = _warehouse(tmp_path, data_dir, monkeypatch, {TABLE: FIXTURES / TABLE, "0003999202": other})
    with pytest.raises(BuildError, match="appear twice"):
        _run(frames)
