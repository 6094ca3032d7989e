"""The projection step on the real warehouse: base = census, coverage, classification, CLI/API consistency."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sousei.projection_api import baseline, project_municipality, simulate_many


def test_base_year_reproduces_census_2020_japan(wh):
    # CATALOG census_2020_sex_age5 check: Japan 126,146,099 (男 61,349,581 / 女 64,796,518)
    rows = dict(
        wh.execute(
            "SELECT sex, sum(persons) FROM out_projection__population WHERE scenario = 'pattern1' AND year = 2020 "
            "GROUP BY sex"
        ).fetchall()
    )
    assert round(rows["male"] + rows["female"]) == 126_146_099
    assert round(rows["male"]) == 61_349_581
    assert round(rows["female"]) == 64_796_518


def test_units_and_hamadori(wh):
    n_units, n_joint = wh.execute(
        "SELECT count(DISTINCT muni_code), count(DISTINCT muni_code) FILTER (WHERE muni_code = '07999') "
        "FROM out_projection__population"
    ).fetchone()
    assert (n_units, n_joint) == (1729, 1)
    # the joint unit's base equals IPSS 2023's 浜通り地域 2020 (= census)
    ours = wh.execute(
        "SELECT sum(persons) FROM out_projection__population WHERE scenario='pattern1' AND year=2020 "
        "AND muni_code='07999'"
    ).fetchone()[0]
    ipss = wh.execute(
        "SELECT total_persons FROM core_ipss2023__population WHERE area_code='07999' AND year=2020"
    ).fetchone()[0]
    assert round(ours) == ipss


def test_scenarios_order(wh):
    t = dict(
        wh.execute(
            "SELECT scenario, sum(persons) FROM out_projection__population WHERE year = 2070 GROUP BY scenario"
        ).fetchall()
    )
    assert t["sim1"] > t["pattern1"]  # higher fertility, same migration
    assert set(t) == {"pattern1", "sim1", "sim2", "closed", "ccr"}


def test_classification_counts_cover_1729(wh):
    groups = dict(
        wh.execute("SELECT sustainability_group, count(*) FROM out_projection__sustainability GROUP BY 1").fetchall()
    )
    assert sum(groups.values()) == 1729
    assert set(groups) == {"自立持続可能性自治体", "ブラックホール型自治体", "消滅可能性自治体", "その他"}


def test_api_unit_equals_warehouse_row(wh, warehouse_path: Path):
    frame = project_municipality(warehouse_path, "01100", "sim1")
    api = frame.filter(frame["year"] == 2050)["persons"].sum()
    stored = wh.execute(
        "SELECT sum(persons) FROM out_projection__population WHERE scenario='sim1' AND muni_code='01100' AND year=2050"
    ).fetchone()[0]
    assert abs(api - stored) < 1e-6 * stored
    # a municipality of 浜通り resolves to its joint unit
    assert project_municipality(warehouse_path, "07204")["muni_code"][0] == "07999"


def test_simulator_matches_single_runs(warehouse_path: Path):
    b = baseline(warehouse_path)
    many = simulate_many(b, "01100", np.array([1.5, 2.07]), np.array([1.0, 0.0]))
    assert many.shape == (2, len(b.years))
    assert many[0, 0] == many[1, 0] == b.base[b.index("01100")].sum()


def test_impact_years_and_sustainability_counts(wh):
    years = [r[0] for r in wh.execute("SELECT DISTINCT year FROM out_projection__impact ORDER BY 1").fetchall()]
    assert years == [2040, 2050]  # 2040 as the 人口ビジョン guidance defines it
    n = wh.execute("SELECT count(*) FROM out_projection__impact WHERE year = 2040").fetchone()[0]
    assert n == 1729
    by_level = dict(
        wh.execute(
            "SELECT area_level, sum(units) FROM out_projection__sustainability_counts WHERE classification = 'group' "
            "GROUP BY 1"
        ).fetchall()
    )
    assert by_level == {"japan": 1729, "region": 1729, "prefecture": 1729}
    n_prefs = wh.execute(
        "SELECT count(DISTINCT area) FROM out_projection__sustainability_counts WHERE area_level = 'prefecture'"
    ).fetchone()[0]
    assert n_prefs == 47
