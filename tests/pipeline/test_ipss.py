"""IPSS regional projections 2018 and 2023: the CATALOG.yaml check figures, the invariants, the pinned gaps."""

from __future__ import annotations

import pytest
from tests.helpers import assert_checks_pass, one

from sousei.pipeline.context import StepContext
from sousei.pipeline.errors import BuildError
from sousei.pipeline.sources import ipss_2018, ipss_2023

P18 = ipss_2018.POPULATION.name
T18 = ipss_2018.TOTAL.name
A18 = ipss_2018.AREAS.name
P23 = ipss_2023.POPULATION.name
H23 = ipss_2023.HAMADORI.name


# --- 2018 ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "figure"), [(2015, "127,094,745"), (2045, "106,421,185")])
def test_2018_japan_total(wh, catalog, year, figure):
    assert figure in catalog["ipss_2018_regional"]["checks"]
    expected = int(figure.replace(",", ""))
    sql_total = f"SELECT sum(total_persons) FROM {T18} WHERE area_level = 'prefecture' AND year = ?"
    sql_sex_age = f"SELECT sum(persons) FROM {P18} WHERE area_level = 'prefecture' AND year = ?"
    assert one(wh, sql_total, year) == expected
    assert one(wh, sql_sex_age, year) == expected


def test_2018_invariants(wh):
    # male + female = total, ages sum to total, prefectures = Σ municipalities, cities = Σ wards
    assert_checks_pass(wh, ipss_2018.POPULATION)
    assert_checks_pass(wh, ipss_2018.TOTAL)
    assert one(wh, f"SELECT count(DISTINCT sex) FROM {P18}") == 2
    assert one(wh, f"SELECT count(DISTINCT age_group) FROM {P18}") == 19


def test_2018_areas(wh):
    counts = dict(wh.execute(f"SELECT area_level, count(*) FROM {A18} GROUP BY ALL").fetchall())
    assert counts == {"prefecture": 47, "municipality": 1682, "ward": 128}
    # 福島県 only as a prefecture: its 59 municipalities are pinned as missing
    assert one(wh, f"SELECT count(*) FROM {A18} WHERE pref_code = '07'") == 1
    assert len(ipss_2018.FUKUSHIMA_MUNICIPALITIES) == 59
    fukushima = {
        r[0] for r in wh.execute("SELECT muni_code FROM core_areas__municipalities WHERE pref_code = '07'").fetchall()
    }
    assert fukushima == ipss_2018.FUKUSHIMA_MUNICIPALITIES
    # 那珂川町 (40305) is on its 2020 code 40231, the original kept
    assert wh.execute(f"SELECT area_code_original, name FROM {A18} WHERE area_code = '40231'").fetchone() == (
        "40305",
        "那珂川町",
    )
    # leading zero restored; 特別区 are municipalities with 市などの別 0
    assert wh.execute(f"SELECT area_code_original, ipss_kind FROM {A18} WHERE area_code = '01000'").fetchone() == (
        "1000",
        "a",
    )
    assert wh.execute(f"SELECT area_level, ipss_kind FROM {A18} WHERE area_code = '13101'").fetchone() == (
        "municipality",
        "0",
    )


def test_2018_changed_header_fails(data_dir):
    ctx = StepContext(ipss_2018.STEP, data_dir, lambda name: None)
    text = (data_dir / ipss_2018.FILE).read_text(encoding="utf-8").replace("90歳以上/f", "90歳～/f", 1)
    with pytest.raises(BuildError, match="header"):
        ipss_2018.parse_ipss_2018(ctx, text)


def test_2018_sex_sum_mismatch_fails(data_dir):
    ctx = StepContext(ipss_2018.STEP, data_dir, lambda name: None)
    lines = (data_dir / ipss_2018.FILE).read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(",")
    fields[6] = str(int(fields[6]) + 1)  # 0～4歳/a of 北海道 2015 no longer m + f
    lines[1] = ",".join(fields)
    with pytest.raises(BuildError, match="sex-sum"):
        ipss_2018.parse_ipss_2018(ctx, "\n".join(lines))


# --- 2023 ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "year", "figure"),
    [
        ("area_level = 'prefecture'", 2020, "126,146,099"),
        ("area_level = 'prefecture'", 2050, "104,686,386"),
        ("area_code = '13000'", 2050, "14,399,144"),
        ("area_code = '05000'", 2050, "560,429"),
    ],
)
def test_2023_figures(wh, catalog, where, year, figure):
    assert figure in catalog["ipss_2023_regional_totals"]["checks"]
    assert one(wh, f"SELECT sum(total_persons) FROM {P23} WHERE {where} AND year = ?", year) == int(
        figure.replace(",", "")
    )


def test_2023_invariants(wh):
    # 0–14 + 15–64 + 65+ = total in every row
    n = one(wh, f"SELECT count(*) FROM {P23} WHERE under15_persons + working_age_persons + elderly_persons <> "
            "total_persons")  # fmt: skip
    assert n == 0
    # prefectures = Σ municipalities (+ 浜通り), designated cities = Σ wards
    assert_checks_pass(wh, ipss_2023.POPULATION)
    counts = dict(wh.execute(f"SELECT area_level, count(*) FROM {P23} WHERE year = 2020 GROUP BY ALL").fetchall())
    assert counts == {"prefecture": 47, "municipality": 1728, "ward": 175, "joint": 1}


def test_2023_hamadori(wh):
    members = {r[0] for r in wh.execute(f"SELECT muni_code FROM {H23} WHERE joint_code = '07999'").fetchall()}
    assert len(members) == 13
    # the members are exactly the Fukushima municipalities of 2020 that have no row of their own
    fukushima = {
        r[0] for r in wh.execute("SELECT muni_code FROM core_areas__municipalities WHERE pref_code = '07'").fetchall()
    }
    own = {r[0] for r in wh.execute(f"SELECT area_code FROM {P23} WHERE pref_code = '07' AND area_level = "
                                    "'municipality'").fetchall()}  # fmt: skip
    assert len(fukushima) == 59
    assert fukushima - own == members
    names = dict(wh.execute(f"SELECT m.muni_code, m.name FROM {H23} h JOIN core_areas__municipalities m "
                            "USING (muni_code)").fetchall())  # fmt: skip
    assert names == dict(wh.execute(f"SELECT muni_code, name FROM {H23}").fetchall())
    assert one(wh, f"SELECT name FROM {P23} WHERE area_code = '07999' AND year = 2020") == "浜通り地域"


def test_2023_bad_age_sum_fails(data_dir):
    import json

    ctx = StepContext(ipss_2023.STEP, data_dir, lambda name: None)
    doc = json.loads((data_dir / ipss_2023.FILE).read_text(encoding="utf-8"))
    doc["records"][5]["values"][3][1] += 1
    with pytest.raises(BuildError, match="age-sum"):
        ipss_2023.parse_ipss_2023(ctx, doc)
    doc = json.loads((data_dir / ipss_2023.FILE).read_text(encoding="utf-8"))
    doc["records"][5]["kind"] = "7"
    with pytest.raises(BuildError, match="kind"):
        ipss_2023.parse_ipss_2023(ctx, doc)
