"""パターン1 anchored to IPSS 2023 on the real warehouse: the published figures reproduced, the scenarios and 影響度
from the same parameters, the national control, the stored validation run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from sousei.domain.projection.anchor import broad_sums
from sousei.domain.projection.baseline import ipss_baseline
from sousei.domain.projection.engine import project
from sousei.domain.projection.methods import residual_migration_rates
from sousei.domain.projection.scenarios import scenario_params, simulate
from sousei.projection_api import baseline, load_inputs, project_municipality

FIGURES = ("total", "u15", "wa", "eld")


def _stored_pattern1(wh) -> pl.DataFrame:
    return pl.DataFrame(
        wh.execute(
            """SELECT muni_code, year, sum(persons) AS total, sum(persons) FILTER (WHERE age_start < 15) AS u15,
                      sum(persons) FILTER (WHERE age_start BETWEEN 15 AND 60) AS wa,
                      sum(persons) FILTER (WHERE age_start >= 65) AS eld
               FROM out_projection__population WHERE scenario = 'pattern1' GROUP BY ALL"""
        ).fetchall(),
        schema=["muni_code", "year", *FIGURES],
        orient="row",
    )


def test_pattern1_reproduces_ipss2023_for_every_unit_year_and_figure(wh):
    ipss = pl.DataFrame(
        wh.execute(
            """SELECT area_code, year, total_persons, under15_persons, working_age_persons, elderly_persons
               FROM core_ipss2023__population WHERE area_level IN ('municipality', 'joint')"""
        ).fetchall(),
        schema=["muni_code", "year", *(f"ipss_{f}" for f in FIGURES)],
        orient="row",
    )
    joined = ipss.join(_stored_pattern1(wh), on=["muni_code", "year"], how="left")
    assert joined.height == 1729 * 7 and joined["total"].null_count() == 0
    for f in FIGURES:
        ours, want = joined[f].to_numpy(), joined[f"ipss_{f}"].to_numpy().astype(float)
        tolerance = np.maximum(0.005 * want, 1.0)
        assert (np.abs(ours - want) <= tolerance).all(), f
        # in fact to rounding error, not just within the tolerance
        assert np.abs(ours - want).max() < 1e-6, f
    # 札幌市 2050 as an officer looks it up in IPSS 2023
    sapporo = joined.filter((pl.col("muni_code") == "01100") & (pl.col("year") == 2050))
    assert round(sapporo["total"][0]) == sapporo["ipss_total"][0]


def test_after_2050_the_engine_continues_from_the_anchored_state(wh, warehouse_path: Path):
    """From the anchored 2050 state on: the engine's survival, its child–woman ratios at the unit's anchored level,
    the net migration rates IPSS 2023 implies for 2045→2050 held, and consistency factors computed afresh from that
    state, so that Japan follows the engine's national control (IPSS 2023's 2050 age groups, the national
    projection's path after) to 2070."""
    b = baseline(warehouse_path)
    assert b.engine is not None and b.factored is not None and b.anchored_until == 2050
    path = project(b.base, b.params)
    k = b.years.index(2050)
    engine = b.engine.params
    np.testing.assert_array_equal(b.params.survival, engine.survival)
    level = np.asarray(b.factored.cwr)[:, k - 1] / np.asarray(engine.cwr)[:, k - 1]
    np.testing.assert_allclose(np.asarray(b.factored.cwr)[:, k:], np.asarray(engine.cwr)[:, k:] * level[:, None])
    nation = project(b.engine.base, engine).sum(axis=(0, 2, 3))
    np.testing.assert_allclose(path.sum(axis=(0, 2, 3)), nation, rtol=1e-9)
    # net migration after 2050: the residual rates of the anchored 2045 → 2050 (what IPSS 2023 implies), held; the
    # cohorts aged 50+ are not balanced, so there they are exactly those rates
    # (in the factored form pattern1 was made in; b.params is the same path as one rate per cell)
    assert b.factored is not None and b.params.adjustment is None
    np.testing.assert_allclose(project(b.base, b.factored), path, rtol=1e-9, atol=1e-6)
    implied = residual_migration_rates([(path[:, k - 1], path[:, k], np.asarray(engine.survival)[:, k - 1])])
    for step in range(k, b.params.steps):
        np.testing.assert_allclose(np.asarray(b.factored.migration)[:, step, :, 10:], implied[:, :, 10:], atol=1e-12)
    # no jump at 2050: the change of the 5-year growth from 2045–50 to 2050–55 is of the size of IPSS's own changes
    totals = path.sum(axis=(2, 3))
    growth = totals[:, 1:] / totals[:, :-1] - 1
    jump = np.abs(growth[:, k] - growth[:, k - 1])
    ipss_change = np.abs(growth[:, k - 1] - growth[:, k - 2])
    assert np.median(jump) < 2 * np.median(ipss_change) and np.quantile(jump, 0.99) < 0.03
    # the stored パターン1 is that path
    stored = _stored_pattern1(wh).filter(pl.col("year") == 2070).sort("muni_code")
    order = np.argsort(b.units)
    np.testing.assert_allclose(stored["total"].to_numpy(), path[order, -1].sum(axis=(1, 2)), rtol=1e-10)


def test_a_scenario_with_the_baselines_own_assumptions_is_pattern1(wh, warehouse_path: Path):
    """custom without a TFR path and with migration × 1 is パターン1, for one unit through the API and for all units
    at once; the simulator's baseline is the stored パターン1."""
    b = baseline(warehouse_path)
    all_units = project(b.base, scenario_params(b, "custom", tfr_points={}))
    np.testing.assert_array_equal(all_units, project(b.base, b.params))
    one = project_municipality(warehouse_path, "31384", "custom", {}, 1.0)
    stored = wh.execute(
        "SELECT sum(persons) FROM out_projection__population WHERE scenario = 'pattern1' AND muni_code = '31384' "
        "GROUP BY year ORDER BY year"
    ).fetchall()
    totals = one.group_by("year").agg(pl.col("persons").sum()).sort("year")["persons"].to_numpy()
    np.testing.assert_allclose(totals, [r[0] for r in stored], rtol=1e-12)
    many = simulate(b, "custom", [b.index("31384")] * 2, {}, np.array([1.0, 1.0])).sum(axis=(2, 3))
    np.testing.assert_allclose(many[0], totals, rtol=1e-12)


def test_impact_is_against_the_anchored_pattern1(wh):
    rows = wh.execute(
        """WITH t AS (SELECT scenario, muni_code, sum(persons) AS p FROM out_projection__population
                      WHERE year = 2040 GROUP BY ALL)
           SELECT i.natural_ratio_pct, 100 * s1.p / p1.p, i.social_ratio_pct, 100 * s2.p / s1.p, p1.p, ip.total_persons
           FROM out_projection__impact i
           JOIN t p1 ON p1.muni_code = i.muni_code AND p1.scenario = 'pattern1'
           JOIN t s1 ON s1.muni_code = i.muni_code AND s1.scenario = 'sim1'
           JOIN t s2 ON s2.muni_code = i.muni_code AND s2.scenario = 'sim2'
           JOIN core_ipss2023__population ip ON ip.area_code = i.muni_code AND ip.year = 2040
           WHERE i.year = 2040"""
    ).fetchall()
    assert len(rows) == 1729
    a = np.array(rows, dtype=float)
    np.testing.assert_allclose(a[:, 0], a[:, 1], rtol=1e-12)
    np.testing.assert_allclose(a[:, 2], a[:, 3], rtol=1e-12)
    np.testing.assert_allclose(a[:, 4], a[:, 5], atol=1e-6)  # the denominator is IPSS 2023's 2040


def test_sustainability_uses_the_anchored_pattern1_and_closed_run(wh, warehouse_path: Path):
    b = baseline(warehouse_path)
    k = b.years.index(2050)
    base = project(b.base, b.params)
    closed = project(b.base, scenario_params(b, "closed"))
    order = np.argsort(b.units)
    stored = pl.DataFrame(
        wh.execute(
            "SELECT women_20_39_2020, women_20_39_2050_baseline, women_20_39_2050_closed "
            "FROM out_projection__sustainability ORDER BY muni_code"
        ).fetchall(),
        schema=["w2020", "wb", "wc"],
        orient="row",
    )
    np.testing.assert_allclose(stored["wb"].to_numpy(), base[order, k, 1, 4:8].sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(stored["wc"].to_numpy(), closed[order, k, 1, 4:8].sum(axis=1), rtol=1e-12)
    # the closed run: no migration, the anchored child–woman ratios (IPSS 2023's fertility as far as it shows)
    p = scenario_params(b, "closed")
    assert not np.asarray(p.migration).any() and np.array_equal(p.cwr, b.params.cwr)


def test_the_engine_is_held_to_a_national_path_consistent_with_ipss2023(warehouse_path: Path):
    inputs = load_inputs(warehouse_path)
    engine = ipss_baseline(inputs, 2020, 2050)
    nation = broad_sums(project(engine.base, engine.params).sum(axis=0))
    nat = inputs.national_anchor
    assert nat is not None and nat.years == [2020, 2025, 2030, 2035, 2040, 2045, 2050]
    np.testing.assert_allclose(nation[1:], nat.values[0, 1:], rtol=1e-9)
    # Japan's 2050 per IPSS 2023 (the 47 prefectures add up to the national medium variant)
    assert round(nation[-1].sum()) == 104_686_386
    # other base years keep the national projection of their vintage (IPSS 2017)
    assert "IPSS 2023" not in ipss_baseline(inputs, 2015, 2045).notes["consistency"]


def test_the_2015_validation_run_is_stored(wh, warehouse_path: Path):
    b = ipss_baseline(load_inputs(warehouse_path), 2015, 2045)
    run = project(b.base, b.params)
    stored = wh.execute(
        "SELECT muni_code, sum(persons) FROM out_projection__validation_2015 WHERE year = 2045 GROUP BY ALL "
        "ORDER BY muni_code"
    ).fetchall()
    order = np.argsort(b.units)
    assert [r[0] for r in stored] == [b.units[i] for i in order]
    np.testing.assert_allclose([r[1] for r in stored], run[order, -1].sum(axis=(1, 2)), rtol=1e-12)
    years = [
        r[0] for r in wh.execute("SELECT DISTINCT year FROM out_projection__validation_2015 ORDER BY 1").fetchall()
    ]
    assert years == list(range(2015, 2046, 5))


def test_the_assumptions_tables_net_migrants_balance_the_stored_pattern1(wh, warehouse_path: Path):
    """The simulator card's 純移動数 per period are パターン1's: with the stored population, its births (the 0–4 at the
    end) and its deaths (the start times 1 − survival) they close the balancing equation ΔP = births − deaths + net
    migration in every period, to 2050 (IPSS 2023's totals) and after."""
    from sousei.query import Warehouse

    code = "31201"
    shown = Warehouse(warehouse_path).pattern1_assumptions(code)
    assert shown is not None
    b = baseline(warehouse_path)
    survival = np.asarray(b.params.survival)[b.index(code)]
    rows = wh.execute(
        "SELECT year, sex, age_start, persons FROM out_projection__population WHERE scenario = 'pattern1' "
        "AND muni_code = ? ORDER BY year, sex, age_start",
        [code],
    ).fetchall()
    years = sorted({r[0] for r in rows})
    cells = {(y, s, a): p for y, s, a, p in rows}
    ages = sorted({r[2] for r in rows})
    sexes = ("male", "female")
    pop = np.array([[[cells[(y, s, a)] for a in ages] for s in sexes] for y in years])
    for k, net in enumerate(shown["net_migrants"]):
        births = pop[k + 1][:, 0].sum()
        deaths = (pop[k] * (1 - survival[k])).sum()
        assert net == pytest.approx(pop[k + 1].sum() - pop[k].sum() - births + deaths, abs=0.5)
    assert len(shown["net_migrants"]) == len(years) - 1
