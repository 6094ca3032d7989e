"""The projection step on the real warehouse: base = census, coverage, classification, CLI/API consistency."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from sousei.domain.projection.baseline import ipss_baseline
from sousei.domain.projection.engine import project
from sousei.domain.projection.inputs import Inputs
from sousei.domain.projection.scenarios import STANDARD_SCENARIOS, scenario_params, simulate
from sousei.projection_api import baseline, project_municipality


def test_base_year_reproduces_census_2020_japan(wh):
    # CATALOG census_2020_sex_age5 check: Japan 126,146,099 (男 61,349,581 / 女 64,796,518)
    rows = dict(
        wh.execute(
            "SELECT sex, sum(persons) FROM out_projection__population WHERE scenario = 'pattern1' AND year = 2020 "
            "GROUP BY sex"
        ).fetchall()
    )
    assert round(rows["male"] + rows["female"]) == 126_146_099
    # パターン1's base is anchored to IPSS 2023's 2020 age groups (census with 不詳補完値, where ours allocates 不詳
    # proportionally): both sexes of an age group are scaled alike, so the sex totals move by a few thousand
    assert abs(rows["male"] - 61_349_581) < 1e-4 * 61_349_581
    assert abs(rows["female"] - 64_796_518) < 1e-4 * 64_796_518


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


def test_simulator_matches_single_runs(wh, warehouse_path: Path):
    """Many custom scenarios of one unit as rows of one run (`simulate`, the simulator's and the benchmark's path)
    equal project_municipality's custom run row by row; its default row equals the stored sim1."""
    b = baseline(warehouse_path)
    t2030, t2040, scale = np.array([1.8, 1.0, 1.5]), np.array([2.07, 1.0, 2.3]), np.array([1.0, 0.5, 0.0])
    many = simulate(b, "custom", [b.index("01100")] * 3, {2030: t2030, 2040: t2040}, scale).sum(axis=(2, 3))
    assert many.shape == (3, len(b.years))
    assert (many[:, 0] == b.base[b.index("01100")].sum()).all()
    for r in range(3):
        one = project_municipality(warehouse_path, "01100", "custom", {2030: t2030[r], 2040: t2040[r]}, scale[r])
        totals = one.group_by("year").agg(pl.col("persons").sum()).sort("year")["persons"].to_numpy()
        np.testing.assert_allclose(many[r], totals, rtol=1e-12)
    stored = [
        r[0]
        for r in wh.execute(
            "SELECT sum(persons) FROM out_projection__population WHERE scenario = 'sim1' AND muni_code = '01100' "
            "GROUP BY year ORDER BY year"
        ).fetchall()
    ]
    np.testing.assert_allclose(many[0], stored, rtol=1e-12)
    # lowering fertility below 札幌市's own lowers its population (the path is not a floor then)
    pattern1 = project(b.base[[b.index("01100")]], b.params.select([b.index("01100")])).sum(axis=(2, 3))[0]
    assert many[1, -1] < pattern1[-1] < many[0, -1]


def _units_to_check(b) -> list[str]:
    """Several kinds of unit: a city of a designated city, Tokyo's centre, small villages, a unit of 岩手・宮城・福島
    (rates of the period before 2015), 浜通り地域, and the unit of the highest fertility (above the sim1 path, so
    that sim1's floor matters)."""
    highest = b.units[int(np.argmax(b.implied_tfr()[:, 0]))]
    return ["01100", "13101", "31384", "04100", "07999", "47382", highest]


def test_a_unit_projected_alone_equals_its_row_of_the_all_unit_run(wh, warehouse_path: Path):
    """The issue's invariant on the real warehouse, for every standard scenario: the API (one unit, parameters
    selected from the all-unit run) equals the step's rows, cell by cell (year × sex × age)."""
    b = baseline(warehouse_path)
    codes = _units_to_check(b)
    assert len(set(codes)) == len(codes)
    for scenario in STANDARD_SCENARIOS:
        stored = pl.DataFrame(
            wh.execute(
                "SELECT muni_code, year, sex, age_group, persons FROM out_projection__population "
                f"WHERE scenario = ? AND muni_code IN ({', '.join('?' * len(codes))}) ORDER BY ALL",
                [scenario, *codes],
            ).fetchall(),
            schema={"muni_code": pl.String, "year": pl.Int32, "sex": pl.String, "age_group": pl.String,
                    "persons": pl.Float64},
            orient="row",
        )  # fmt: skip
        api = (
            pl.concat([project_municipality(warehouse_path, c, scenario) for c in codes])
            .select("muni_code", "year", "sex", "age_group", "persons")
            .sort("muni_code", "year", "sex", "age_group")
        )
        assert stored.height == len(codes) * len(b.years) * 2 * 19, scenario
        joined = stored.join(api, on=["muni_code", "year", "sex", "age_group"], how="full", suffix="_api")
        assert joined["persons"].null_count() == 0 and joined["persons_api"].null_count() == 0, scenario
        np.testing.assert_allclose(
            joined["persons_api"].to_numpy(), joined["persons"].to_numpy(), rtol=1e-12, atol=1e-9, err_msg=scenario
        )


def test_custom_defaults_equal_sim1_and_migration_scale_acts_on_all_of_pattern1s_migration(warehouse_path: Path):
    b = baseline(warehouse_path)
    sim1 = project(b.base, scenario_params(b, "sim1"))
    custom = project(b.base, scenario_params(b, "custom"))
    np.testing.assert_array_equal(custom, sim1)
    # パターン1 is one set of rates (its anchoring and consistency folded in), so × 0 is the closed population with
    # sim1's fertility, i.e. シミュレーション2, and × 0.5 halves every cell's net migration rate
    p0 = scenario_params(b, "custom", migration_scale=0.0)
    assert not np.asarray(p0.migration).any() and p0.adjustment is None
    sim2 = project(b.base, scenario_params(b, "sim2"))
    np.testing.assert_allclose(project(b.base, p0), sim2, rtol=1e-12, atol=1e-9)
    half = scenario_params(b, "custom", migration_scale=0.5)
    np.testing.assert_array_equal(half.migration, 0.5 * np.asarray(scenario_params(b, "sim1").migration))
    assert half.adjustment is None


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


def test_options_that_do_not_apply_are_refused(warehouse_path: Path):
    import pytest

    with pytest.raises(ValueError, match="custom scenario only"):
        project_municipality(warehouse_path, "01100", "sim1", migration_scale=0.0)
    with pytest.raises(ValueError, match="TFR path"):
        project_municipality(warehouse_path, "01100", "pattern1", {2030: 1.8})


def test_mortality_level_table_is_what_the_baseline_uses(wh, warehouse_path: Path):
    """out_projection__mortality_level holds the SMRs the IPSS run uses; its deaths are SSDSE-A's 2016–2020 A4200;
    the survival of each unit is the national survival path to the power of its shrunk SMR."""
    b = baseline(warehouse_path)
    m = b.mortality
    assert m is not None and m.years == (2016, 2020) and m.units == b.units
    rows = pl.DataFrame(
        wh.execute(
            "SELECT muni_code, observed_deaths_persons, expected_deaths_persons, smr_ratio, smr_shrunk_ratio "
            "FROM out_projection__mortality_level WHERE base_year = 2020 ORDER BY muni_code"
        ).fetchall(),
        schema=["muni_code", "observed", "expected", "smr", "shrunk"],
        orient="row",
    )
    order = np.argsort(b.units)
    assert rows["muni_code"].to_list() == [b.units[i] for i in order]
    np.testing.assert_array_equal(rows["shrunk"].to_numpy(), m.smr_shrunk[order])
    np.testing.assert_array_equal(rows["observed"].to_numpy(), m.observed[order])
    # observed deaths straight from the SSDSE values, municipality by municipality (浜通り's 13 summed)
    ssdse = dict(
        wh.execute(
            f"""SELECT CASE WHEN muni_code IN ({", ".join(f"'{c}'" for c in model_hamadori(wh))}) THEN '07999'
                       ELSE muni_code END, sum(value) FROM core_ssdse__values
                WHERE item_code = 'A4200' AND data_year BETWEEN 2016 AND 2020 GROUP BY 1"""
        ).fetchall()
    )
    assert {u: ssdse[u] for u in rows["muni_code"]} == dict(zip(rows["muni_code"], rows["observed"], strict=True))
    assert abs(rows["observed"].sum() / rows["expected"].sum() - 1) < 1e-12  # Japan's SMR is 1
    # small units move toward their prefecture, large ones keep their SMR
    small = rows.filter(pl.col("expected") < 100)
    big = rows.filter(pl.col("expected") > 20_000)
    assert (small["shrunk"] - 1).abs().max() < (small["smr"] - 1).abs().max()
    np.testing.assert_allclose(big["shrunk"].to_numpy(), big["smr"].to_numpy(), atol=0.01)
    # the parameters: unit survival = national path ** shrunk SMR (a unit at a higher level survives less)
    hi, lo = int(np.argmax(m.smr_shrunk)), int(np.argmin(m.smr_shrunk))
    s = np.asarray(b.params.survival)
    assert s.shape[0] == len(b.units)
    assert (s[hi, :, :, 10:] < s[lo, :, :, 10:]).all()
    national = ipss_baseline(model_inputs(warehouse_path), 2020, mortality=False).params.survival[0]
    np.testing.assert_allclose(s[hi], np.asarray(national) ** min(m.smr_shrunk[hi], 2.0), rtol=1e-12)


def model_hamadori(wh) -> list[str]:
    return [r[0] for r in wh.execute("SELECT muni_code FROM core_ipss2023__hamadori_members").fetchall()]


def model_inputs(path: Path) -> Inputs:
    from sousei.projection_api import load_inputs

    return load_inputs(path)
