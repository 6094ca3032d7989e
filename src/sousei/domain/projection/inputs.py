"""Long frames (as the warehouse holds them) ↔ the engine's arrays; joint projection units. No I/O."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from sousei.domain.projection.anchor import AnchorTargets
from sousei.domain.projection.engine import AGE_GROUPS, SEXES
from sousei.domain.projection.methods import survival_from_qx
from sousei.domain.projection.params import N_AGES

AGE_INDEX = {a: i for i, a in enumerate(AGE_GROUPS)}
SEX_INDEX = {s: i for i, s in enumerate(SEXES)}


def population_array(frame: pl.DataFrame, codes: Sequence[str], code_col: str = "muni_code") -> np.ndarray:
    """(units, 2, 19) from long rows (code, sex 'male'/'female', age_group, persons) of one year.

    Raises ValueError naming what is missing or unknown: every code × sex × age must be present exactly once.
    """
    idx = {c: i for i, c in enumerate(codes)}
    f = frame.filter(pl.col(code_col).is_in(list(codes)))
    unknown_age = set(f["age_group"].unique()) - set(AGE_INDEX)
    unknown_sex = set(f["sex"].unique()) - set(SEX_INDEX)
    if unknown_age or unknown_sex:
        raise ValueError(f"unknown age groups {sorted(unknown_age)} or sexes {sorted(unknown_sex)}")
    if f.height != len(codes) * 2 * N_AGES:
        have = set(f[code_col].unique())
        raise ValueError(
            f"expected {len(codes) * 2 * N_AGES} rows (code × sex × age), got {f.height}; "
            f"codes without rows: {sorted(set(codes) - have)[:5]}"
        )
    out = np.full((len(codes), 2, N_AGES), np.nan)
    u = np.array([idx[c] for c in f[code_col].to_list()])
    s = np.array([SEX_INDEX[x] for x in f["sex"].to_list()])
    a = np.array([AGE_INDEX[x] for x in f["age_group"].to_list()])
    out[u, s, a] = f["persons"].cast(pl.Float64).to_numpy()
    if np.isnan(out).any():
        raise ValueError("a code × sex × age cell appears twice or not at all")
    return out


def group_units(
    pop: np.ndarray, codes: Sequence[str], joint: Mapping[str, Sequence[str]]
) -> tuple[list[str], np.ndarray]:
    """Replace the members of each joint unit (code → member codes) by one row, their sum, placed last.

    Returns (unit codes, array). The order of the other codes is kept.
    """
    members = {m for ms in joint.values() for m in ms}
    missing = members - set(codes)
    if missing:
        raise ValueError(f"joint-unit members not among the codes: {sorted(missing)}")
    keep = [i for i, c in enumerate(codes) if c not in members]
    units = [codes[i] for i in keep]
    rows = [pop[keep]]
    pos = {c: i for i, c in enumerate(codes)}
    for code, ms in joint.items():
        units.append(code)
        rows.append(pop[[pos[m] for m in ms]].sum(axis=0, keepdims=True))
    return units, np.concatenate(rows, axis=0)


def long_frame(result: np.ndarray, codes: Sequence[str], years: Sequence[int]) -> pl.DataFrame:
    """(units, years, 2, 19) → long rows (muni_code, year, sex, age_group, age_start, persons)."""
    n_units, n_years = result.shape[:2]
    if n_units != len(codes) or n_years != len(years):
        raise ValueError("codes or years do not match the result's shape")
    reps = 2 * N_AGES
    return pl.DataFrame(
        {
            "muni_code": np.repeat(np.asarray(codes, dtype=object), n_years * reps),
            "year": np.tile(np.repeat(np.asarray(years, dtype=np.int32), reps), n_units),
            "sex": np.tile(np.repeat(np.asarray(SEXES, dtype=object), N_AGES), n_units * n_years),
            "age_group": np.tile(np.asarray(AGE_GROUPS, dtype=object), n_units * n_years * 2),
            "age_start": np.tile(np.arange(0, 95, 5, dtype=np.int32), n_units * n_years * 2),
            "persons": result.reshape(-1),
        },
        schema={
            "muni_code": pl.String,
            "year": pl.Int32,
            "sex": pl.String,
            "age_group": pl.String,
            "age_start": pl.Int32,
            "persons": pl.Float64,
        },
    )


HAMADORI_CODE = "07999"  # IPSS's code for 浜通り地域 (13 municipalities projected as one)


def projection_unit(code: str, joint: Mapping[str, Collection[str]]) -> str:
    """The unit a municipality is projected as: the joint unit it is a member of (07999 for the 13 of 浜通り地域),
    or itself."""
    for unit, members in joint.items():
        if code in members:
            return unit
    return code


@dataclass(frozen=True, eq=False)
class Inputs:
    """Everything loaded once: census by unit × year, life tables, the national projection and TFR."""

    codes: list[str]  # the 2020 municipal codes with census rows
    census: dict[int, np.ndarray]  # census year → (municipalities, 2, 19), order of `codes`
    joint: dict[str, list[str]]  # joint unit code → member codes
    qx: dict[int, np.ndarray]  # life-table year → (2, ages)
    national_years: list[int]
    national: np.ndarray  # (years, 2, 19) IPSS 2017 national projection, medium variant
    tfr: dict[int, float]  # calendar year → national TFR
    # calendar year → deaths by place of residence, both sexes (municipalities,), order of `codes` (人口動態, SSDSE-A
    # A4200); empty: no mortality level (national survival for every unit)
    deaths: dict[int, np.ndarray] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    # IPSS 2023 (令和5年推計) per unit: 0–14, 15–64, 65+ by year (パターン1 is anchored to it), and the nation as the
    # sum of its 47 prefectures (the national control of the 2020 base); None: not loaded
    anchor: AnchorTargets | None = None
    national_anchor: AnchorTargets | None = None

    def unit_of(self, code: str) -> str:
        return projection_unit(code, self.joint)

    def units(self, year: int) -> tuple[list[str], np.ndarray]:
        return group_units(self.census[year], self.codes, self.joint)

    def survival(self, year: int) -> np.ndarray:
        """Survival ratios (2, 19) from the life table of `year`, or the nearest earlier one."""
        known = sorted(y for y in self.qx if y <= year) or sorted(self.qx)
        return survival_from_qx(self.qx[known[-1]])

    def period_survival(self, start: int) -> np.ndarray:
        """Survival over the intercensal period start → start + 5: mean of the two life tables."""
        return (self.survival(start) + self.survival(start + 5)) / 2.0


def build_inputs(
    census: pl.DataFrame,
    life_table: pl.DataFrame,
    national_projection: pl.DataFrame,
    vital_rates: pl.DataFrame,
    hamadori_members: Sequence[str],
    deaths: pl.DataFrame | None = None,
    ipss2023: pl.DataFrame | None = None,
) -> Inputs:
    """`deaths`: rows (muni_code, data_year, value) of SSDSE-A item A4200 (deaths); every census code must have
    a row in each year present (ValueError otherwise). `ipss2023`: the rows of core_ipss2023__population (area_code,
    area_level, year, under15_persons, working_age_persons, elderly_persons)."""
    codes = sorted(census["muni_code"].unique().to_list())
    by_year = {
        int(y): population_array(census.filter(pl.col("census_year") == y), codes)
        for y in census["census_year"].unique().to_list()
    }
    qx: dict[int, np.ndarray] = {}
    for (year,), part in life_table.group_by("life_table_year"):
        m = part.filter(pl.col("sex") == "male").sort("age_start")["qx"].to_numpy()
        f = part.filter(pl.col("sex") == "female").sort("age_start")["qx"].to_numpy()
        n = min(len(m), len(f), 106)
        if n >= 101:
            qx[int(year)] = np.stack([m[:n], f[:n]])
    years = sorted(int(y) for y in national_projection["year"].unique().to_list())
    nat = np.zeros((len(years), 2, N_AGES))
    # sorted: the 90+ cell sums several rows, and the same sum in any row order keeps the warehouse's and the
    # step's inputs bit-identical
    rows = national_projection.select("year", "sex", "age_start", "persons").sort("year", "sex", "age_start")
    for y, sex, age_start, persons in rows.iter_rows():
        nat[years.index(y), SEX_INDEX[sex], min(age_start // 5, N_AGES - 1)] += persons
    tfr = {int(y): float(v) for y, v in vital_rates.select("year", "tfr").drop_nulls().iter_rows()}
    dead: dict[int, np.ndarray] = {}
    if deaths is not None:
        for (year,), part in deaths.group_by("data_year"):
            got = dict(zip(part["muni_code"].to_list(), part["value"].cast(pl.Float64).to_list(), strict=True))
            missing = [c for c in codes if c not in got]
            if missing or part.height != len(got) or any(v is None or not v >= 0 for v in got.values()):
                raise ValueError(
                    f"deaths of {year}: {len(missing)} census codes without a row (e.g. {missing[:3]}), a code twice "
                    "or a value missing or negative"
                )
            dead[int(year)] = np.array([got[c] for c in codes])
    anchor = national_anchor = None
    if ipss2023 is not None:
        anchor = anchor_targets(ipss2023.filter(pl.col("area_level").is_in(["municipality", "joint"])))
        pref = anchor_targets(ipss2023.filter(pl.col("area_level") == "prefecture"))
        if len(pref.units) != 47:
            raise ValueError(f"IPSS 2023 has {len(pref.units)} prefectures, not 47: no national control can be formed")
        national_anchor = AnchorTargets(["00000"], pref.years, pref.values.sum(axis=0, keepdims=True), pref.source)
    return Inputs(
        codes,
        by_year,
        {HAMADORI_CODE: list(hamadori_members)},
        qx,
        years,
        nat,
        tfr,
        deaths=dead,
        anchor=anchor,
        national_anchor=national_anchor,
    )


IPSS2023_SOURCE = "社人研「日本の地域別将来推計人口（令和5年推計）」"
ANCHOR_COLUMNS = ("under15_persons", "working_age_persons", "elderly_persons")


def anchor_targets(rows: pl.DataFrame) -> AnchorTargets:
    """(units, years, 3) persons 0–14, 15–64, 65+ from rows of core_ipss2023__population; every unit must have
    every year (ValueError otherwise)."""
    units = sorted(rows["area_code"].unique().to_list())
    years = sorted(int(y) for y in rows["year"].unique().to_list())
    if rows.height != len(units) * len(years) or rows.select("area_code", "year").is_duplicated().any():
        raise ValueError(f"IPSS 2023: {rows.height} rows for {len(units)} units × {len(years)} years")
    values = np.full((len(units), len(years), 3), np.nan)
    u = {c: i for i, c in enumerate(units)}
    for row in rows.select("area_code", "year", *ANCHOR_COLUMNS).iter_rows():
        values[u[row[0]], years.index(int(row[1]))] = row[2:]
    if not np.all(np.isfinite(values)) or values.min() < 0:
        raise ValueError("IPSS 2023: an age group missing or negative")
    return AnchorTargets(units, years, values, IPSS2023_SOURCE)


def prefecture_groups(units: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The prefecture codes of `units` (sorted) and the index of each unit's prefecture among them."""
    prefs = sorted({u[:2] for u in units})
    return prefs, np.array([prefs.index(u[:2]) for u in units], dtype=np.intp)


def aggregate(a: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((n,) + a.shape[1:])
    np.add.at(out, group, a)
    return out


# The warehouse tables the engine reads and, where it uses only some rows, the (column, value) that keeps them: the one
# list every caller (the derived step, the CLI, the dashboard, the analyst) builds the inputs from (`read_inputs`).
INPUT_TABLES: dict[str, tuple[str, str] | None] = {
    "core_census__population_by_sex_age": None,
    "core_national__life_table": None,
    "core_national__ipss2017_projection_by_age_sex": None,
    "core_national__vital_rates": None,
    "core_ipss2023__hamadori_members": None,
    "core_ipss2023__population": None,
    "core_ssdse__values": ("item_code", "A4200"),  # deaths by place of residence (人口動態): the mortality level
}


def read_inputs(table: Callable[[str], pl.DataFrame]) -> Inputs:
    """The engine's inputs from the warehouse: `table(name)` gives the rows of one table of INPUT_TABLES (all of
    them, or only those its filter keeps; the filter is applied here in any case)."""
    t = {}
    for name, keep in INPUT_TABLES.items():
        rows = table(name)
        t[name] = rows if keep is None else rows.filter(pl.col(keep[0]) == keep[1])
    return build_inputs(
        t["core_census__population_by_sex_age"],
        t["core_national__life_table"],
        t["core_national__ipss2017_projection_by_age_sex"],
        t["core_national__vital_rates"],
        sorted(t["core_ipss2023__hamadori_members"]["muni_code"].to_list()),
        t["core_ssdse__values"].select("muni_code", "data_year", "value"),
        t["core_ipss2023__population"],
    )
