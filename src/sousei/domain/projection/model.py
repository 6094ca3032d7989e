"""The standard setup: warehouse frames → arrays → the IPSS baseline and the 人口ビジョン scenarios. No I/O.

The frames are those of the warehouse tables (core_census__population_by_sex_age, core_national__life_table,
core_national__ipss2017_projection_by_age_sex, core_national__vital_rates, core_ipss2023__hamadori_members);
the derived step, the validation report, the CLI and the Python API all build projections through here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from sousei.domain.projection.engine import national_adjustment, project
from sousei.domain.projection.inputs import SEX_INDEX, group_units, population_array
from sousei.domain.projection.methods import (
    ccr_params,
    child_woman_ratio,
    closed_params,
    ipss_params,
    residual_migration_rates,
    survival_from_qx,
    survival_path_from_national,
)
from sousei.domain.projection.params import N_AGES, ProjectionParams
from sousei.domain.projection.scenarios import tfr_path_cwr, with_migration_scale

HORIZON = 2070
HAMADORI_CODE = "07999"  # IPSS's code for 浜通り地域 (13 municipalities projected as one)
# Net migration rates are held at 95% of the observed level in the first step and 90% afterwards: the damping
# that brings the 2015-based run closest to IPSS 2018 (docs/validation/projection.md).
MIGRATION_DAMPING = (0.95, 0.9)
# Units smaller than this pool the net migration of three intercensal periods (IPSS does the same for small
# municipalities, whose single-period rates are unstable).
SMALL_UNIT_PERSONS = 5000
SMALL_UNIT_PERIODS = 3
DEFAULT_TFR_POINTS: dict[int, float] = {2030: 1.8, 2040: 2.07}


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
    notes: dict[str, str] = field(default_factory=dict)

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
) -> Inputs:
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
    for y, sex, age_start, persons in national_projection.select("year", "sex", "age_start", "persons").iter_rows():
        nat[years.index(y), SEX_INDEX[sex], min(age_start // 5, N_AGES - 1)] += persons
    tfr = {int(y): float(v) for y, v in vital_rates.select("year", "tfr").drop_nulls().iter_rows()}
    return Inputs(codes, by_year, {HAMADORI_CODE: list(hamadori_members)}, qx, years, nat, tfr)


def _national_step_ratios(inputs: Inputs, start: int) -> tuple[np.ndarray, float, float]:
    """Cohort ratios (2, 19 by age at start), CWR and share of boys of the national projection's step from
    `start` (the first or last step where `start` lies outside the projection)."""
    ys = inputs.national_years
    i = min(max(ys.index(start) if start in ys else (0 if start < ys[0] else len(ys) - 2), 0), len(ys) - 2)
    a, b = inputs.national[i], inputs.national[i + 1]
    ratios = np.ones((2, N_AGES))
    reached = b[:, 1:].copy()
    start_pop = a[:, :-1].copy()
    start_pop[:, -1] += a[:, -1]
    ratios[:, :-1] = np.divide(reached, start_pop, out=np.ones_like(reached), where=start_pop > 0)
    ratios[:, -1] = ratios[:, -2]
    cwr = float(child_woman_ratio(b[None])[0])
    boys = float(b[0, 0] / b[:, 0].sum())
    return ratios, cwr, boys


def national_targets(inputs: Inputs, base_year: int, base_national: np.ndarray, steps: int) -> np.ndarray:
    """The national projection rebased on the census: the nation's base population (2, 19) carried forward with
    the national projection's cohort ratios and child–woman ratios (identical to it when the bases agree)."""
    out = np.empty((steps, 2, N_AGES))
    pop = base_national
    for k in range(steps):
        ratios, cwr, boys = _national_step_ratios(inputs, base_year + 5 * k)
        moved = pop * ratios
        new = np.zeros_like(pop)
        new[:, 1:] = moved[:, :-1]
        new[:, -1] += moved[:, -1]
        kids = cwr * new[1, 3:10].sum()
        new[0, 0], new[1, 0] = kids * boys, kids * (1 - boys)
        out[k] = pop = new
    return out


@dataclass(frozen=True, eq=False)
class Baseline:
    """The IPSS-method run of one base year, with what the scenarios derive from it."""

    base_year: int
    units: list[str]
    base: np.ndarray  # (units, 2, 19)
    params: ProjectionParams  # with the national consistency factors
    cwr_per_tfr: float  # national child–woman ratio ÷ TFR of the base period (converts a TFR path into CWRs)
    notes: dict[str, str]

    @property
    def years(self) -> list[int]:
        return self.params.years

    def implied_tfr(self) -> np.ndarray:
        """TFR per unit and step implied by the baseline child–woman ratios (units, steps)."""
        return np.broadcast_to(self.params.cwr, (len(self.units), self.params.steps)) / self.cwr_per_tfr

    def index(self, code: str) -> int:
        return self.units.index(code)


def ipss_baseline(inputs: Inputs, base_year: int = 2020, horizon: int = HORIZON, consistent: bool = True) -> Baseline:
    """パターン1 (社人研準拠) from census `base_year` with the inputs of the intercensal period(s) before it."""
    steps = (horizon - base_year) // 5
    units, base = inputs.units(base_year)
    single = [(inputs.units(base_year - 5)[1], base, inputs.period_survival(base_year - 5))]
    pooled = [
        (inputs.units(y - 5)[1], inputs.units(y)[1], inputs.period_survival(y - 5))
        for y in range(base_year, base_year - 5 * SMALL_UNIT_PERIODS, -5)
        if y - 5 in inputs.census
    ]
    ys = inputs.national_years
    first = ys.index(base_year) if base_year in ys else 0
    spath = survival_path_from_national(inputs.survival(base_year), inputs.national, first, steps)
    nat_cwr = [_national_step_ratios(inputs, base_year + 5 * k)[1] for k in range(steps)]
    base_nat_cwr = float(child_woman_ratio(inputs.national[[first]])[0])
    cwr_index = np.array(nat_cwr) / base_nat_cwr
    boys = np.array([_national_step_ratios(inputs, base_year + 5 * k)[2] for k in range(steps)])
    damping = np.array([MIGRATION_DAMPING[0]] + [MIGRATION_DAMPING[1]] * (steps - 1))
    params = ipss_params(base, base_year, single, spath, cwr_index, boys, migration_path=damping)
    small = base.sum(axis=(1, 2)) < SMALL_UNIT_PERSONS
    if small.any() and len(pooled) > 1:
        pooled_rates = residual_migration_rates(pooled)
        mig = np.where(
            small[:, None, None, None], pooled_rates[:, None] * damping[None, :, None, None], params.migration
        )
        params = params.with_(migration=np.maximum(mig, -1.0))
    if consistent:
        targets = national_targets(inputs, base_year, base.sum(axis=0), steps)
        params = national_adjustment(base, params, targets)
    tfr_years = [y for y in range(base_year - 4, base_year + 1) if y in inputs.tfr]
    base_tfr = float(np.mean([inputs.tfr[y] for y in tfr_years])) if tfr_years else float("nan")
    cwr_per_tfr = float(child_woman_ratio(base.sum(axis=0)[None])[0]) / base_tfr
    notes = {
        "survival": f"life table {max(y for y in inputs.qx if y <= base_year)} (national), improved as the IPSS "
        "2017 national projection improves (ages 50+)",
        "migration": f"residual net migration rates {base_year - 5}→{base_year} (units under {SMALL_UNIT_PERSONS:,} "
        f"persons: pooled over {SMALL_UNIT_PERIODS} periods), ×{MIGRATION_DAMPING[0]} in the first step and "
        f"×{MIGRATION_DAMPING[1]} afterwards",
        "fertility": f"child–woman ratio of {base_year} held relative to the national path (IPSS 2017 medium)",
        "consistency": "gains scaled and cells prorated to the national projection rebased on the census"
        if consistent
        else "none",
    }
    return Baseline(base_year, units, base, params.with_(method="ipss", notes=notes), cwr_per_tfr, notes)


def ccr(inputs: Inputs, base_year: int = 2020, horizon: int = HORIZON) -> ProjectionParams:
    units, base = inputs.units(base_year)
    prev = inputs.units(base_year - 5)[1]
    return ccr_params(base, prev, base_year, (horizon - base_year) // 5, inputs.period_survival(base_year - 5))


def scenario_params(
    baseline: Baseline,
    scenario: str,
    inputs: Inputs | None = None,
    tfr_points: Mapping[int, float] | None = None,
    migration_scale: float = 1.0,
) -> ProjectionParams:
    """Parameters of a named scenario: pattern1, sim1, sim2, closed, ccr or custom."""
    p = baseline.params
    if scenario == "pattern1":
        return p
    if scenario == "closed":
        return closed_params(p)
    if scenario in ("sim1", "sim2", "custom"):
        points = dict(DEFAULT_TFR_POINTS if tfr_points is None else tfr_points)
        out = tfr_path_cwr(p, baseline.cwr_per_tfr, points) if points else p
        if scenario == "sim2":
            return closed_params(out).with_(method="ipss+tfr+closed")
        if scenario == "custom":
            return with_migration_scale(out, migration_scale)
        return out.with_(method="ipss+tfr")
    if scenario == "ccr":
        if inputs is None:
            raise ValueError("the ccr scenario needs the inputs")
        return ccr(inputs, baseline.base_year, baseline.years[-1])
    raise ValueError(f"unknown scenario {scenario!r}: pattern1, sim1, sim2, closed, ccr, custom")


STANDARD_SCENARIOS = ("pattern1", "sim1", "sim2", "closed", "ccr")


def run(baseline: Baseline, params: ProjectionParams) -> np.ndarray:
    return project(baseline.base, params)
