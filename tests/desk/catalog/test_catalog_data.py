"""The catalog data files: every case of the deck is there (and nothing else), every code is real, the KPI targets
are well formed."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from sousei import config
from sousei.desk.catalog import data
from sousei.desk.policy_fields import BY_ID

DECK = "000_c7495e51de0d592a.txt"


@pytest.fixture(scope="module")
def deck_text() -> str:
    path = config.data_dir().parent / "seed" / DECK
    if not path.is_file():
        pytest.fail(f"the deck is not at {path} (it lies beside the data bundle, in ../shared/seed)")
    return re.sub(r"\s+", "", path.read_text(encoding="utf-8"))


def test_every_deck_case_is_in_the_catalog_once() -> None:
    names = data.deck_case_names()
    catalog = [c.deck_name for c in data.deck_cases()]
    assert len(names) == len(set(names)) == 52
    assert sorted(catalog) == sorted(names)


def test_every_listed_name_is_printed_in_the_deck(deck_text: str) -> None:
    missing = [n for n in data.deck_case_names() if re.sub(r"\s+", "", n) not in deck_text]
    assert missing == []


def test_deck_pages_match_the_slides_the_deck_numbers() -> None:
    # The deck prints its slide number on two case slides: 19 (京丸園, (1) 生活環境) and 23 (つくば, 産業基盤編).
    by_name = {c.deck_name: c for c in data.deck_cases()}
    assert by_name["京丸園(株)"].deck_page == 19
    assert by_name["スーパー・サイエンスシティ"].deck_page == 23
    assert {c.deck_page for c in data.deck_cases()} == {19, 22, 23, 25, 27, 29}


def test_every_municipality_code_is_in_the_warehouse_with_the_place_name(warehouse_path: Path) -> None:
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        munis = {r[0]: (r[1], r[2]) for r in con.execute(
            "SELECT muni_code, name, pref_code FROM core_areas__municipalities").fetchall()}  # fmt: skip
        prefs = {r[0] for r in con.execute(
            "SELECT pref_code FROM core_areas__areas WHERE level = 'prefecture'").fetchall()}  # fmt: skip
    finally:
        con.close()
    problems = []
    for case in data.deck_cases():
        for code in case.muni_codes:
            if code not in munis:
                problems.append(f"{case.id}: {code} is not a municipality")
            elif munis[code][0] not in case.place:
                problems.append(f"{case.id}: {code} is {munis[code][0]}, not in {case.place!r}")
        problems += [f"{case.id}: prefecture {p} unknown" for p in case.pref_codes if p not in prefs]
    assert problems == []


def test_themes_are_policy_fields_and_every_pillar_has_cases() -> None:
    cases = data.deck_cases()
    assert all(t in BY_ID for c in cases for t in c.themes)
    assert {c.pillar for c in cases} == {1, 2, 3, 4, 5}
    # the deck's 地域資源活用編 shows each case as a 「新結合」 of fields
    assert all(c.combination for c in cases if c.deck_page == 22)


def test_a_bad_case_is_refused_with_a_message_naming_the_field() -> None:
    good = data.deck_cases()[0].as_record()
    with pytest.raises(data.CatalogDataError, match="unknown theme"):
        data.validate_case({**good, "themes": ["tourism", "no-such-field"]}, {1, 2, 3, 4, 5})
    with pytest.raises(data.CatalogDataError, match="pillar"):
        data.validate_case({**good, "pillar": 6}, {1, 2, 3, 4, 5})
    with pytest.raises(data.CatalogDataError, match="outside pref_codes"):
        data.validate_case({**good, "muni_codes": ["01100"]}, {1, 2, 3, 4, 5})
    with pytest.raises(data.CatalogDataError, match="id must be"):
        data.validate_case({**good, "id": "Bad Id"}, {1, 2, 3, 4, 5})


def test_kpi_targets_of_the_deck() -> None:
    targets = {t.id: t for t in data.targets()}
    assert len(targets) == 39
    visitors = targets["inbound-visitors"]
    assert (visitors.target, visitors.unit, visitors.target_date.isoformat()) == (6000, "万人", "2030-12-31")
    assert targets["startup-hub-cities"].baseline == 8 and targets["startup-hub-cities"].target == 13
    assert targets["decarbonization-leading-areas"].target_date.isoformat() == "2031-03-31"  # 2030年度まで
    assert targets["transport-gap-districts"].target_kind == "at_most"
    assert {t.pillar for t in targets.values()} == {1, 2, 3, 4, 5}
    assert all(t.target is None for t in targets.values() if t.target_kind == "milestone")
