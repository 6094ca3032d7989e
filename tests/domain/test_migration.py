"""Cohort residual identities on synthetic populations; OD partners on e-Stat fixtures in the documented format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sousei.domain.migration import OdLayout, average_survival, compute_net_migration, find_od_partners
from sousei.pipeline.sources.estat import parse_table

AGES = list(range(0, 95, 5))  # 0 … 85, 90 = 90+
SEXES = ("male", "female")

persons = st.lists(st.integers(0, 50_000), min_size=len(AGES), max_size=len(AGES))
ratios = st.lists(st.floats(0.05, 1.0), min_size=len(AGES) - 1, max_size=len(AGES) - 1)


def _pop(area: str, counts: dict[str, list[float]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(area, sex, age, float(n)) for sex in SEXES for age, n in zip(AGES, counts[sex], strict=True)],
        schema=["area_code", "sex", "age_start", "persons"],
        orient="row",
    )


def _surv(r: list[float]) -> pl.DataFrame:
    # 0 … 80 closed, 85 = the open group 85+ → 90+
    return pl.DataFrame(
        [(sex, a, s) for sex in SEXES for a, s in zip(AGES[:-1], r, strict=True)],
        schema=["sex", "from_age_start", "survival_ratio"],
        orient="row",
    )


def _survivors(start: list[float], r: list[float]) -> list[float]:
    """The closed population five years on (ages 5 … 90+; 0-4 arbitrary), with no migration."""
    out = [123.0]  # 0-4: born during the period, not estimated
    out += [start[i] * r[i] for i in range(len(AGES) - 2)]  # 5-9 … 85-89 from 0-4 … 80-84
    out.append((start[-2] + start[-1]) * r[-1])  # 90+ from 85+
    return out


@settings(max_examples=60, deadline=None)
@given(persons, persons, ratios)
def test_no_migration_gives_zero_net(male: list[int], female: list[int], r: list[float]) -> None:
    start = {"male": [float(x) for x in male], "female": [float(x) for x in female]}
    end = {sex: _survivors(start[sex], r) for sex in SEXES}
    net = compute_net_migration(_pop("A", start), _pop("A", end), _surv(r))
    assert net.height == 2 * (len(AGES) - 1)  # 5-9 … 90+ per sex
    assert np.allclose(net["net_migrants"].to_numpy(), 0.0, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(persons, persons, ratios, st.integers(0, len(AGES) - 2), st.integers(-500, 500))
def test_movers_added_at_the_end_are_the_net(
    male: list[int], female: list[int], r: list[float], idx: int, movers: int
) -> None:
    start = {"male": [float(x) for x in male], "female": [float(x) for x in female]}
    end = {sex: _survivors(start[sex], r) for sex in SEXES}
    end["female"][idx + 1] += movers
    net = compute_net_migration(_pop("A", start), _pop("A", end), _surv(r))
    got = net.filter((pl.col("sex") == "female") & (pl.col("age_start") == AGES[idx + 1]))["net_migrants"].item()
    assert got == pytest.approx(movers, abs=1e-6)
    others = net.filter(~((pl.col("sex") == "female") & (pl.col("age_start") == AGES[idx + 1])))
    assert np.allclose(others["net_migrants"].to_numpy(), 0.0, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(persons, persons, persons, persons, ratios)
def test_net_of_a_union_is_the_sum_of_the_nets(a1: list[int], a2: list[int], b1: list[int], b2: list[int], r) -> None:
    s = _surv(r)
    start_a, end_a = {"male": a1, "female": a2}, {"male": a2, "female": a1}
    start_b, end_b = {"male": b1, "female": b2}, {"male": b2, "female": b1}
    parts = pl.concat(
        [
            compute_net_migration(_pop("A", start_a), _pop("A", end_a), s),
            compute_net_migration(_pop("B", start_b), _pop("B", end_b), s),
        ]
    )
    union_start = {sex: [x + y for x, y in zip(start_a[sex], start_b[sex], strict=True)] for sex in SEXES}
    union_end = {sex: [x + y for x, y in zip(end_a[sex], end_b[sex], strict=True)] for sex in SEXES}
    union = compute_net_migration(_pop("U", union_start), _pop("U", union_end), s)
    summed = parts.group_by("sex", "age_start").agg(pl.col("net_migrants").sum()).sort("sex", "age_start")
    assert np.allclose(summed["net_migrants"].to_numpy(), union.sort("sex", "age_start")["net_migrants"].to_numpy())


def test_rate_is_net_over_the_starting_cohort_and_null_for_an_empty_one() -> None:
    r = [0.9] * (len(AGES) - 1)
    start = {"male": [100.0] * len(AGES), "female": [0.0] * len(AGES)}
    end = {"male": [95.0] * len(AGES), "female": [10.0] * len(AGES)}
    net = compute_net_migration(_pop("A", start), _pop("A", end), _surv(r))
    m = net.filter((pl.col("sex") == "male") & (pl.col("age_start") == 20)).row(0, named=True)
    assert m["expected_persons"] == pytest.approx(90.0) and m["rate"] == pytest.approx(0.05)
    top = net.filter((pl.col("sex") == "male") & (pl.col("age_start") == 90)).row(0, named=True)
    assert (
        top["age_group"] == "90+" and top["start_persons"] == 200.0 and top["net_migrants"] == pytest.approx(95 - 180)
    )
    assert net.filter(pl.col("sex") == "female")["rate"].null_count() == len(AGES) - 1


def test_missing_survival_ratio_or_population_fails_loudly() -> None:
    r = [0.9] * (len(AGES) - 1)
    pop = _pop("A", {"male": [1.0] * len(AGES), "female": [1.0] * len(AGES)})
    with pytest.raises(ValueError, match="no survival ratio"):
        compute_net_migration(pop, pop, _surv(r).filter(pl.col("from_age_start") != 40))
    with pytest.raises(ValueError, match="do not match"):
        compute_net_migration(pop, pop.filter(pl.col("age_start") != 30), _surv(r))


def test_average_survival_is_the_mean_of_the_two_tables() -> None:
    a, b = _surv([0.8] * (len(AGES) - 1)), _surv([0.9] * (len(AGES) - 1))
    assert np.allclose(average_survival(a, b)["survival_ratio"].to_numpy(), 0.85)


# ---- OD partners on saved e-Stat responses (tests/domain/fixtures/estat_od, documented API 3.0 JSON format) ----

FIXTURES = Path(__file__).parent / "fixtures" / "estat_od"
OD_TABLE = "0003999101"


def _load(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    table, classes, values = parse_table(folder, folder.parent)
    return pl.DataFrame([table]), pl.DataFrame(classes), pl.DataFrame(values, infer_schema_length=None)


def test_od_partners_from_a_loaded_table_rank_the_largest_flows() -> None:
    tables, classes, values = _load(FIXTURES / OD_TABLE)
    # 移動後 = 31201 鳥取市: the origins are 31202 米子市 (120), 13101 千代田区 (40), 27100 大阪市 (35), …
    got = find_od_partners("31201", "origin", tables, values, classes, n=3)
    assert got.state == "loaded" and got.stats_data_id == OD_TABLE and got.year == "2023000000"
    assert [(p, n, v) for p, n, v in got.partners] == [
        ("31202", "米子市", 120.0),
        ("13101", "千代田区", 40.0),
        ("27100", "大阪市", 35.0),
    ]
    # destinations of 31201: where 31201 is the origin; its own row (within-city moves) and totals are left out
    dest = find_od_partners("31201", "destination", tables, values, classes, n=5)
    assert [p for p, _, _ in dest.partners] == ["27100", "31202", "13101"]
    women = find_od_partners("31201", "origin", tables, values, classes, n=1, sex_code="2")
    assert women.partners == (("31202", "米子市", 70.0),)


def test_od_partners_say_not_loaded_without_an_od_table() -> None:
    tables, classes, values = _load(FIXTURES / OD_TABLE)
    empty = find_od_partners("31201", "origin", tables.clear(), values.clear(), classes.clear())
    assert empty.state == "not_loaded" and empty.partners == () and "読み込まれていません" in empty.message
    # a loaded table of another survey is not an OD table
    other = tables.with_columns(pl.lit("国勢調査").alias("statistics_name"))
    assert find_od_partners("31201", "origin", other, values, classes).state == "not_loaded"
    assert OdLayout().origin == "cat01"
