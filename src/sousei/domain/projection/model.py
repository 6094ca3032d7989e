"""The standard setup: warehouse frames → arrays → the IPSS baseline and the 人口ビジョン scenarios. No I/O.

The frames are those of the warehouse tables (core_census__population_by_sex_age, core_national__life_table,
core_national__ipss2017_projection_by_age_sex, core_national__vital_rates, core_ipss2023__hamadori_members);
the derived step, the validation report, the CLI and the Python API all build projections through here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from sousei.domain.projection.anchor import (
    GROUP_OF_AGE,
    AnchorTargets,
    anchor_base,
    anchor_params,
    broad_sums,
)
from sousei.domain.projection.engine import group_adjustment, project
from sousei.domain.projection.inputs import SEX_INDEX, group_units, population_array
from sousei.domain.projection.methods import (
    adjust_survival,
    ccr_params,
    child_woman_ratio,
    closed_params,
    cohort_sums,
    crude_net_migration,
    death_rates_from_qx,
    expected_deaths,
    expected_survivors,
    ipss_params,
    residual_migration_rates,
    shrink_rates,
    shrink_smr,
    smooth_age_profile,
    survival_from_qx,
    survival_path_from_national,
    trend_migration_rates,
)
from sousei.domain.projection.params import DEFAULT_TFR_POINTS, N_AGES, ProjectionParams
from sousei.domain.projection.scenarios import tfr_path_cwr, with_migration_scale

HORIZON = 2070
HAMADORI_CODE = "07999"  # IPSS's code for 浜通り地域 (13 municipalities projected as one)


@dataclass(frozen=True)
class MigrationRule:
    """How the net migration rates of the IPSS method are set (docs/methods/projection.md, "Net migration").

    path           factor on the rates for each step (empty: 1 every step; IPSS 2018 holds the 2010→2015 rates);
    trend_periods  intercensal periods pooled for the trend rates (IPSS: five periods of net migrants);
    small_persons  units smaller than this use the trend rates (their single-period rates are unstable);
    deviation      units whose crude net migration of the last period differs from their trend by more than this
                   (share of the expected survivors) use the trend rates: the last period was a one-off
                   (IPSS: 直近の人口移動傾向が趨勢から乖離している場合は過去の趨勢から仮定値を設定);
    cap            net migration rates are clipped to [−cap, +cap] per five years (None: no cap);
    balance_ages   cohorts aged under 5 × this at the start whose gains are scaled so that net migrants add up to the
                   control (0: proportional adjustment only; see engine.group_adjustment);
    disrupted      (end year of a period, prefecture codes): periods not to be carried forward for the units of
                   these prefectures, which use the period before instead (2010→2015 in 岩手・宮城・福島: the
                   東日本大震災 and the nuclear accident; IPSS sets these areas' assumptions apart as well);
    shrink         empirical-Bayes shrinkage of each unit's rates by the Poisson sampling variance of the cohort
                   (methods.shrink_rates) toward 'profile': the unit's own age profile smoothed by
                   methods.smooth_age_profile, or 'prefecture': its prefecture's rate of the same sex × age and
                   basis; None: no shrinkage (the validation of each: docs/validation/projection.md);
    smooth         [1, 2, 1] filter over adjacent age groups outside the cohorts reaching 15–29
                   (methods.smooth_age_profile);
    allocation     how the balanced gains of the young are shared among a group's gaining units
                   (engine.group_adjustment): 'pool' (IPSS 2023's 転出率・配分率 pool model: shares of the group's
                   gains held from the first step, default), 'scale' (one factor on every positive rate, as before
                   issue 9's engine work) or 'pool-closed' (the pool is the group's own losses: internal migration
                   zero-sum, the rest of the control prorated); the validation of each: docs/validation/projection.md;
    prefecture_allocation  the same for the prefectures within the nation (None: as `allocation`);
    pooled_periods the rates of every unit pooled over this many last periods (1: the last period, IPSS 2018);
    long_term      (base year, periods): `pooled_periods` for a base year, following that vintage's published
                   method (IPSS 2023, 2020 base: 移動率は3期間の平均的な傾向を長期的な仮定として採用).
    """

    path: tuple[float, ...] = ()
    trend_periods: int = 5
    small_persons: float = 5000.0
    deviation: float = 0.10
    cap: float | None = None
    disrupted: tuple[tuple[int, tuple[str, ...]], ...] = ((2015, ("03", "04", "07")),)
    balance_ages: int = 10
    allocation: str = "pool"
    prefecture_allocation: str | None = None
    shrink: str | None = "profile"
    smooth: bool = True
    pooled_periods: int = 1
    long_term: tuple[tuple[int, int], ...] = ((2020, 3),)


DEFAULT_RULE = MigrationRule()


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
        codes, by_year, {HAMADORI_CODE: list(hamadori_members)}, qx, years, nat, tfr, deaths=dead, anchor=anchor,
        national_anchor=national_anchor,
    )  # fmt: skip


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


def _has_national_2023(inputs: Inputs, base_year: int) -> bool:
    return inputs.national_anchor is not None and inputs.national_anchor.years[0] == base_year


def national_to_ipss2023(inputs: Inputs, base_year: int, targets: np.ndarray) -> np.ndarray:
    """The national control (steps, 2, 19) with its 0–14, 15–64 and 65+ scaled, cell by cell within each group, to
    IPSS 2023's national figures (the sum of its 47 prefectures, which IPSS makes add up to its 2023 national
    projection) in every year IPSS 2023 publishes, and the factors of its last year held after it. Only for the
    base year IPSS 2023 starts from (2020); other bases keep the national projection of their own vintage."""
    if not _has_national_2023(inputs, base_year):
        return targets
    anchor = inputs.national_anchor
    assert anchor is not None
    out = np.array(targets, dtype=np.float64)
    f = np.ones(3)
    for k in range(out.shape[0]):
        year = base_year + 5 * (k + 1)
        if year in anchor.years:
            f = anchor.values[0, anchor.years.index(year)] / broad_sums(out[k])
        out[k] *= f[GROUP_OF_AGE][None, :]
    return out


DEATH_YEARS = 5  # calendar years of deaths pooled for the mortality level


@dataclass(frozen=True, eq=False)
class MortalityLevel:
    """The mortality level of each unit (docs/methods/projection.md, "Survival"): standardized mortality ratio
    SMR = observed ÷ expected deaths over `years`, both sexes, and its empirical-Bayes estimate shrunk toward the
    prefecture's SMR (`methods.shrink_smr`)."""

    years: tuple[int, int]  # first and last calendar year of the deaths pooled
    census_year: int  # census whose population by sex × age gives the expected deaths
    life_table_year: int  # national life table whose death rates give the expected deaths
    units: list[str]
    observed: np.ndarray  # (units,) deaths over the years
    expected: np.ndarray  # (units,) at the national rates, scaled so that Japan's SMR is 1
    smr: np.ndarray  # (units,) observed ÷ expected
    prefecture_smr: np.ndarray  # (prefectures,) Σ observed ÷ Σ expected of the prefecture's units
    prior: np.ndarray  # (units,) the SMR of the unit's prefecture
    smr_shrunk: np.ndarray  # (units,) empirical-Bayes estimate
    weight: np.ndarray  # (units,) share of the unit's own deviation kept
    tau2: float  # variance of the true SMRs around their prefecture's
    national_scale: float  # registered deaths ÷ deaths at the life-table rates, Japan


def prefecture_groups(units: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The prefecture codes of `units` (sorted) and the index of each unit's prefecture among them."""
    prefs = sorted({u[:2] for u in units})
    return prefs, np.array([prefs.index(u[:2]) for u in units], dtype=np.intp)


def unit_mortality(inputs: Inputs, base_year: int) -> MortalityLevel | None:
    """`mortality_level` of the units of `base_year` grouped by prefecture, as `ipss_baseline` computes it."""
    prefs, group = prefecture_groups(inputs.units(base_year)[0])
    return mortality_level(inputs, base_year, group, len(prefs))


def mortality_level(inputs: Inputs, base_year: int, group: np.ndarray, n_groups: int) -> MortalityLevel | None:
    """The mortality level of the units of `base_year` (None where the inputs carry no deaths).

    Deaths: the five calendar years up to the base year where the inputs have them all, else the five earliest
    years they have (the bundle's SSDSE-A deaths start in 2016: 2016–2020 for the 2010 and 2015 bases too).
    Expected: the census population by sex × age of the year ending that window (or the nearest census) × the
    national death rates of its life table (`methods.death_rates_from_qx`) × the number of years, scaled by one
    national factor so that Japan's observed and expected deaths agree (the national path carries the national
    level; the SMR is relative to it). `group`: the prefecture index of each unit of `inputs.units(base_year)`."""
    if not inputs.deaths:
        return None
    have = sorted(inputs.deaths)
    own = list(range(base_year - DEATH_YEARS + 1, base_year + 1))
    years = own if all(y in inputs.deaths for y in own) else have[:DEATH_YEARS]
    census_year = min(inputs.census, key=lambda c: (abs(c - years[-1]), -c))
    table_year = max([y for y in inputs.qx if y <= census_year] or [min(inputs.qx)])
    units, pop = inputs.units(census_year)
    if units != inputs.units(base_year)[0]:
        raise ValueError(f"the units of census {census_year} differ from those of the base {base_year}")
    deaths = np.asarray(sum(inputs.deaths[y] for y in years), dtype=np.float64)
    observed = group_units(deaths[:, None, None], inputs.codes, inputs.joint)[1][:, 0, 0]
    raw = expected_deaths(pop, death_rates_from_qx(inputs.qx[table_year]), len(years))
    scale = float(observed.sum() / raw.sum())
    expected = raw * scale
    pref_smr = _aggregate(observed, group, n_groups) / _aggregate(expected, group, n_groups)
    prior = pref_smr[group]
    shrunk, weight, tau2 = shrink_smr(observed, expected, prior)
    smr = np.divide(observed, expected, out=np.ones_like(expected), where=expected > 0)
    return MortalityLevel(
        (years[0], years[-1]), census_year, table_year, units, observed, expected, smr, pref_smr, prior, shrunk,
        weight, tau2, scale,
    )  # fmt: skip


@dataclass(frozen=True, eq=False)
class Controls:
    """What the consistency of an IPSS-method run was computed from, so that it can be computed again from another
    state (パターン1 after its anchored years): the units' and the prefectures' parameters before any consistency
    factor, each unit's prefecture, the national targets (steps, 2, 19) and `MigrationRule.balance_ages`."""

    unit_params: ProjectionParams
    prefecture_params: ProjectionParams
    group: np.ndarray
    national: np.ndarray
    balance_ages: int
    allocation: str = "pool"
    prefecture_allocation: str = "pool"


@dataclass(frozen=True, eq=False)
class Baseline:
    """The IPSS-method run of one base year, with what the scenarios derive from it."""

    base_year: int
    units: list[str]
    base: np.ndarray  # (units, 2, 19)
    params: ProjectionParams  # with the national consistency factors
    cwr_per_tfr: float  # national child–woman ratio ÷ TFR of the base period (converts a TFR path into CWRs)
    notes: dict[str, str]
    basis: list[str] = field(default_factory=list)  # per unit: 'last', 'trend:small' or 'trend:deviation'
    mortality: MortalityLevel | None = None  # the units' mortality levels (None: national survival for all)
    controls: Controls | None = None  # what the consistency factors were computed from (None: no consistency)
    engine: Baseline | None = None  # anchored パターン1: the engine's own run it was anchored from (else None)
    anchor_source: str = ""  # anchored パターン1: the published projection it reproduces to `anchored_until`
    anchored_until: int | None = None

    @property
    def years(self) -> list[int]:
        return self.params.years

    def implied_tfr(self) -> np.ndarray:
        """TFR per unit and step implied by the baseline child–woman ratios (units, steps)."""
        return np.broadcast_to(self.params.cwr, (len(self.units), self.params.steps)) / self.cwr_per_tfr

    @property
    def national_tfr(self) -> float:
        """National TFR of the base period (mean of the five calendar years up to the base year)."""
        return float(child_woman_ratio(self.base.sum(axis=0)[None])[0]) / self.cwr_per_tfr

    def index(self, code: str) -> int:
        return self.units.index(code)


def _aggregate(a: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((n,) + a.shape[1:])
    np.add.at(out, group, a)
    return out


def migration_rates(
    periods: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
    rule: MigrationRule,
    group: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Net migration rates (units, 2, 19) under `rule` and the basis of each unit's rates: 'last' (the last
    intercensal period, IPSS's default), 'trend:small' or 'trend:deviation' (pooled periods). `periods` are
    (population at t−5, at t, period survival), the last period first.

    `rule.shrink`: each rate is shrunk (empirical Bayes, `methods.shrink_rates`) toward the unit's own smoothed
    age profile ('profile') or, given `group` (the prefecture index of each unit), toward its prefecture's rate
    of the same basis ('prefecture'); with `rule.smooth` the age profile is then smoothed
    (`methods.smooth_age_profile`)."""
    if rule.pooled_periods > 1:
        last = trend_migration_rates(periods[: rule.pooled_periods])[0]
        last_obs, last_exp = cohort_sums(periods[: rule.pooled_periods], max_change=0.5)
    else:
        last_obs, last_exp = cohort_sums(periods[:1])
        last = residual_migration_rates(periods[:1])
    obs, exp = last_obs, last_exp
    basis = np.full(last.shape[0], "last", dtype=object)
    use = np.zeros(last.shape[0], dtype=bool)
    if len(periods) > 1 and rule.trend_periods > 1:
        trend, used = trend_migration_rates(periods[: rule.trend_periods])
        trend_obs, trend_exp = cohort_sums(periods[: rule.trend_periods], max_change=0.5)
        prev, now, surv = periods[0]
        crude_last = crude_net_migration(prev, now, surv)
        pooled = periods[: rule.trend_periods]
        obs_crude = sum(np.asarray(n)[..., 1:].sum(axis=(-2, -1)) for _, n, _ in pooled)
        exp_crude = sum(expected_survivors(np.asarray(p), sv)[..., 1:].sum(axis=(-2, -1)) for p, _, sv in pooled)
        crude_trend = crude_net_migration_from(obs_crude, exp_crude)
        small = np.asarray(periods[0][1]).sum(axis=(-2, -1)) < rule.small_persons
        deviating = np.abs(crude_last - crude_trend) > rule.deviation
        use = (small | deviating) & (used >= 2)
        basis[use & small] = "trend:small"
        basis[use & ~small] = "trend:deviation"
        last = np.where(use[:, None, None], trend, last)
        obs = np.where(use[:, None, None], trend_obs, last_obs)
        exp = np.where(use[:, None, None], trend_exp, last_exp)
    if rule.shrink not in (None, "profile", "prefecture"):
        raise ValueError(f"unknown shrinkage target {rule.shrink!r}: 'profile', 'prefecture' or None")
    if rule.shrink == "profile" and last.shape[0]:
        last = shrink_rates(last, exp, smooth_age_profile(last))[0]
    if rule.shrink == "prefecture" and group is not None and last.shape[0]:
        group = np.asarray(group, dtype=np.intp)
        n = int(group.max()) + 1
        # the prefecture's rate on the same basis as each unit: its units' sums of that basis
        prior = np.empty_like(last)
        for chosen in (False, True):
            pick = use == chosen
            o = _aggregate(np.where(pick[:, None, None], obs, 0.0), group, n)
            e = _aggregate(np.where(pick[:, None, None], exp, 0.0), group, n)
            rate = np.divide(o, e, out=np.ones_like(e), where=e > 0) - 1.0
            prior[pick] = rate[group[pick]]
        last = shrink_rates(last, exp, prior)[0]
    if rule.smooth:
        last = smooth_age_profile(last)
    if rule.cap is not None:
        last = np.clip(last, -rule.cap, rule.cap)
    return np.maximum(last, -1.0), basis


def crude_net_migration_from(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    return np.divide(observed, expected, out=np.ones_like(expected), where=expected > 0) - 1.0


def ipss_baseline(
    inputs: Inputs,
    base_year: int = 2020,
    horizon: int = HORIZON,
    consistent: bool = True,
    rule: MigrationRule = DEFAULT_RULE,
    mortality: bool = True,
    national_2023: bool = True,
) -> Baseline:
    """パターン1 (社人研準拠) from census `base_year` with the inputs of the intercensal period(s) before it.

    Consistency as IPSS: the prefectures are projected with the same method (their own rates and child–woman
    ratios) and held to the national projection, then each municipality is held to its prefecture, both by
    sex × age. The controls are our own projections (IPSS's regional results are never used as input).

    `mortality`: survival ratios (of the projection and of the residual migration estimates alike) adjusted to
    each unit's mortality level (`mortality_level`, `methods.adjust_survival`), the prefectures' to theirs.
    `national_2023`: the national control of the 2020 base follows IPSS 2023 (`national_to_ipss2023`).

    This is the engine's own run; the パターン1 the product shows is `pattern1` (anchored to IPSS 2023).
    """
    steps = (horizon - base_year) // 5
    rule = dataclasses.replace(rule, pooled_periods=dict(rule.long_term).get(base_year, rule.pooled_periods))
    units, base = inputs.units(base_year)
    prefs, group = prefecture_groups(units)
    level = mortality_level(inputs, base_year, group, len(prefs)) if mortality else None
    unit_smr = level.smr_shrunk if level is not None else np.ones(len(units))
    pref_smr = level.prefecture_smr if level is not None else np.ones(len(prefs))
    starts = [y - 5 for y in range(base_year, base_year - 5 * max(rule.trend_periods, 1), -5) if y - 5 in inputs.census]
    periods = [
        (
            inputs.units(t)[1],
            inputs.units(t + 5)[1],
            adjust_survival(inputs.period_survival(t), unit_smr[:, None, None]),
        )
        for t in starts
    ]
    ys = inputs.national_years
    first = ys.index(base_year) if base_year in ys else 0
    spath = survival_path_from_national(inputs.survival(base_year), inputs.national, first, steps)
    unit_spath = adjust_survival(spath[None], unit_smr[:, None, None, None])
    nat_cwr = [_national_step_ratios(inputs, base_year + 5 * k)[1] for k in range(steps)]
    base_nat_cwr = float(child_woman_ratio(inputs.national[[first]])[0])
    cwr_index = np.array(nat_cwr) / base_nat_cwr
    boys = np.array([_national_step_ratios(inputs, base_year + 5 * k)[2] for k in range(steps)])
    path = np.ones(steps)
    if rule.path:
        path[: len(rule.path)] = rule.path
        path[len(rule.path) :] = rule.path[-1]
    rates, basis = migration_rates(periods, rule, group)
    bad = {p for y, ps in rule.disrupted if y == base_year for p in ps}
    if bad and len(periods) > 1:
        hit = np.array([u[:2] in bad for u in units])
        alt_rates, _ = migration_rates(periods[1:], rule, group)
        rates = np.where(hit[:, None, None], alt_rates, rates)
        basis[hit] = "previous:disrupted"
    params = ipss_params(base, base_year, periods[:1], unit_spath, cwr_index, boys, migration_path=path, rates=rates)
    controls = None
    if consistent:
        n = len(prefs)
        pref_periods = [
            (
                _aggregate(p, group, n),
                _aggregate(q, group, n),
                adjust_survival(inputs.period_survival(t), pref_smr[:, None, None]),
            )
            for (p, q, _), t in zip(periods, starts, strict=True)
        ]
        pref_base = pref_periods[0][1]
        pref_rates, _ = migration_rates(pref_periods, rule)
        if bad and len(periods) > 1:
            hit = np.array([p in bad for p in prefs])
            pref_rates = np.where(hit[:, None, None], migration_rates(pref_periods[1:], rule)[0], pref_rates)
        pref_spath = adjust_survival(spath[None], pref_smr[:, None, None, None])
        pref_params = ipss_params(
            pref_base, base_year, pref_periods[:1], pref_spath, cwr_index, boys, migration_path=path, rates=pref_rates
        )
        targets = national_targets(inputs, base_year, base.sum(axis=0), steps)
        if national_2023:
            targets = national_to_ipss2023(inputs, base_year, targets)
        pref_allocation = rule.prefecture_allocation or rule.allocation
        controls = Controls(params, pref_params, group, targets, rule.balance_ages, rule.allocation, pref_allocation)
        pref_params = group_adjustment(pref_base, pref_params, targets[None], None, rule.balance_ages, pref_allocation)
        pref_result = project(pref_base, pref_params)
        params = group_adjustment(base, params, pref_result[:, 1:], group, rule.balance_ages, rule.allocation)
    tfr_years = [y for y in range(base_year - 4, base_year + 1) if y in inputs.tfr]
    base_tfr = float(np.mean([inputs.tfr[y] for y in tfr_years])) if tfr_years else float("nan")
    cwr_per_tfr = float(child_woman_ratio(base.sum(axis=0)[None])[0]) / base_tfr
    n_trend = int((basis != "last").sum())
    notes = {
        "survival": f"life table {max(y for y in inputs.qx if y <= base_year)} (national), improved as the IPSS "
        "2017 national projection improves (ages 50+)"
        + (
            f"; hazard scaled by each unit's SMR (deaths {level.years[0]}–{level.years[1]} ÷ census "
            f"{level.census_year} × life table {level.life_table_year} rates), shrunk toward its prefecture's "
            "(empirical Bayes, Poisson variance)"
            if level is not None
            else ""
        ),
        "migration": (
            f"residual net migration rates {base_year - 5}→{base_year} held"
            if rule.pooled_periods <= 1
            else f"residual net migration rates pooled over the {rule.pooled_periods} periods "
            f"{base_year - 5 * rule.pooled_periods}→{base_year} (IPSS 2023: 3期間の平均的な傾向), held"
        )
        + (f" (× {', '.join(f'{x:g}' for x in path)} by step)" if rule.path else "")
        + f"; {n_trend} units (under {rule.small_persons:,.0f} persons, or whose last period deviates from their "
        f"trend by more than {rule.deviation:.0%}) use rates pooled over up to {rule.trend_periods} periods"
        + (f"; empirical-Bayes shrinkage toward the {rule.shrink} rate" if rule.shrink else "")
        + ("; [1,2,1] age smoothing outside ages 15–29 reached" if rule.smooth else "")
        + (f"; rates capped at ±{rule.cap:g}" if rule.cap is not None else ""),
        "fertility": f"child–woman ratio of {base_year} held relative to the national path (IPSS 2017 medium)",
        "consistency": "municipalities prorated (sex × age) to their prefecture's projection by the same method, "
        "prefectures to the IPSS 2017 national projection rebased on the census"
        + (
            ", its 0–14, 15–64 and 65+ scaled to IPSS 2023 (the sum of its 47 prefectures) to 2050 and the 2050 "
            "ratios held after"
            if national_2023 and _has_national_2023(inputs, base_year)
            else ""
        )
        if consistent
        else "none",
    }
    return Baseline(
        base_year,
        units,
        base,
        params.with_(method="ipss", notes=notes),
        cwr_per_tfr,
        notes,
        basis=list(basis),
        mortality=level,
        controls=controls,
    )


def pattern1(inputs: Inputs, base_year: int = 2020, horizon: int = HORIZON) -> Baseline:
    """パターン1 as the product shows it: the engine's run (`ipss_baseline`) anchored to IPSS 2023 (total, 0–14,
    15–64, 65+ of every unit and year it publishes, `anchor.anchor_params`), continued by the engine after 2050.
    Every scenario derives from its parameters. Without IPSS 2023 in the inputs, or for another base year, the
    engine's run as it is."""
    engine = ipss_baseline(inputs, base_year, horizon)
    a = inputs.anchor
    if a is None or a.years[0] != base_year:
        return engine
    targets = a.for_units(engine.units, engine.years)
    missing = [u for u, t in zip(engine.units, targets, strict=True) if not np.all(np.isfinite(t[0]))]
    if missing:
        raise ValueError(f"IPSS 2023 has no figures for the projection units {missing[:5]} ({len(missing)} in all)")
    base = anchor_base(engine.base, targets[:, 0])
    params = anchor_params(base, engine.params, targets[:, 1:])
    until = max(y for y in a.years if y <= engine.years[-1])
    if engine.controls is not None and until < engine.years[-1]:
        params = consistent_after(base, params, engine.controls, engine.years.index(until))
    notes = dict(engine.notes)
    notes["fertility"] = (
        f"to {until}: the child–woman ratio of the anchored 0–4 (IPSS 2023's 0–14 as the engine distributes it); "
        f"after: the unit's {until} level relative to the engine's, held (" + engine.notes["fertility"] + ")"
    )
    notes["migration"] = (
        f"to {until}: the engine's rates ({engine.notes['migration']}) and the anchoring factors, which carry the "
        f"difference to IPSS 2023; after: the residual rates of the anchored {until - 5}→{until}, held"
    )
    notes["anchoring"] = (
        f"{a.source}: total, 0–14, 15–64 and 65+ of every unit reproduced {base_year}–{until} (each age group's "
        "sex × 5-year-age cells from the engine's step from the anchored population, scaled to the group); after "
        f"{until} the engine continues from the anchored {until} state (net migration rates implied by "
        f"{until - 5}→{until} held, consistency with the prefecture and national controls computed afresh)"
    )
    return dataclasses.replace(
        engine,
        base=base,
        params=params.with_(method="ipss+anchored", notes=notes),
        notes=notes,
        engine=engine,
        anchor_source=a.source,
        anchored_until=until,
    )


def _steps_from(p: ProjectionParams, k: int) -> ProjectionParams:
    """The parameters of steps k, k+1, … (base year moved to the start of step k)."""
    adj = None if p.adjustment is None else np.asarray(p.adjustment)[:, k:]
    return p.with_(
        base_year=p.base_year + 5 * k,
        survival=np.asarray(p.survival)[:, k:],
        migration=np.asarray(p.migration)[:, k:],
        cwr=np.asarray(p.cwr)[:, k:],
        male_share_0_4=np.asarray(p.male_share_0_4)[:, k:],
        adjustment=adj,
    )


def _step_survival(p: ProjectionParams, k: int, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(p.survival)[:, k], (n, 2, N_AGES))


def _held(rates: np.ndarray, steps: int) -> np.ndarray:
    return np.repeat(rates[:, None], steps, axis=1)


def consistent_after(base: np.ndarray, params: ProjectionParams, controls: Controls, k: int) -> ProjectionParams:
    """`params` whose steps from k on (after the anchored years) carry consistency factors computed afresh from the
    state the path reaches at step k, as the engine computes them from its base: the prefectures (their aggregates
    of that state, their own parameters) held to the national targets, each unit to its prefecture, both by sex × age
    with the gains of the young balanced (`engine.group_adjustment`). The net migration rates of those steps are the
    residual rates of the path's last step (k − 1 → k) with the engine's survival, held, as the IPSS method holds the
    last period's (for パターン1: the rates IPSS 2023 implies for 2045→2050), for the units and the prefectures
    alike; the units' child–woman ratios are `params`' (the anchored level held)."""
    path = project(base, params)
    prev, state = path[:, k - 1], path[:, k]
    n_pref = int(controls.group.max()) + 1
    pref_prev, pref_state = (_aggregate(x, controls.group, n_pref) for x in (prev, state))
    pref_params = controls.prefecture_params
    pref_rates = residual_migration_rates([(pref_prev, pref_state, _step_survival(pref_params, k - 1, n_pref))])
    pref_tail = _steps_from(pref_params, k)
    pref_tail = pref_tail.with_(migration=_held(pref_rates, pref_tail.steps))
    pref_tail = group_adjustment(
        pref_state, pref_tail, controls.national[None, k:], None, controls.balance_ages, controls.prefecture_allocation
    )
    pref_path = project(pref_state, pref_tail)
    unit_rates = residual_migration_rates([(prev, state, _step_survival(controls.unit_params, k - 1, len(state)))])
    unit_tail = _steps_from(controls.unit_params, k)
    unit_tail = unit_tail.with_(
        migration=_held(unit_rates, unit_tail.steps),
        cwr=np.asarray(params.cwr)[:, k:],
        male_share_0_4=np.asarray(params.male_share_0_4)[:, k:],
    )
    unit_tail = group_adjustment(
        state, unit_tail, pref_path[:, 1:], controls.group, controls.balance_ages, controls.allocation
    )
    n = state.shape[0]

    def full(head: np.ndarray, tail: np.ndarray) -> np.ndarray:
        head = np.broadcast_to(head, (n,) + head.shape[1:])[:, :k]
        return np.concatenate([head, np.broadcast_to(tail, (n,) + tail.shape[1:])], axis=1)

    assert params.adjustment is not None and unit_tail.adjustment is not None
    return params.with_(
        migration=full(np.asarray(params.migration), np.asarray(unit_tail.migration)),
        adjustment=full(np.asarray(params.adjustment), np.asarray(unit_tail.adjustment)),
    )


def ccr(inputs: Inputs, base_year: int = 2020, horizon: int = HORIZON) -> ProjectionParams:
    units, base = inputs.units(base_year)
    prev = inputs.units(base_year - 5)[1]
    return ccr_params(base, prev, base_year, (horizon - base_year) // 5, inputs.period_survival(base_year - 5))


def raises_fertility(points: Mapping[int, float | np.ndarray], national_tfr: float) -> bool | np.ndarray:
    """Whether a custom TFR path raises fertility (every point at or above the national TFR of the base period),
    per scenario where the points are arrays. Such a path is a floor, as in シミュレーション1; one with a point
    below the national level is applied as given (docs/methods/projection.md, "Scenarios")."""
    if not points:
        return True
    ok = np.all([np.asarray(v, dtype=np.float64) >= national_tfr for v in points.values()], axis=0)
    return bool(ok) if np.ndim(ok) == 0 else ok


def tfr_scenario_params(
    baseline: Baseline,
    tfr_points: Mapping[int, float | np.ndarray] | None = None,
    migration_scale: float | np.ndarray = 1.0,
    units: Sequence[int] | None = None,
    floor: bool | np.ndarray | None = None,
) -> ProjectionParams:
    """The one code path of sim1, sim2 and custom: pattern1's parameters (its survival, migration, child–woman
    ratios and the prefecture/national consistency factors computed once for all units) with fertility along a
    TFR path and the net migration rates times `migration_scale`.

    `units`: the rows of `baseline.units` to keep (repeated rows are separate scenarios; None: all); the TFR
    points and the scale may then be one value per row. `floor`: True (the path only raises fertility, as
    シミュレーション1), False (the path as given) or None (`raises_fertility`)."""
    p = baseline.params if units is None else baseline.params.select(list(units))
    points = dict(DEFAULT_TFR_POINTS if tfr_points is None else tfr_points)
    if points:
        keep = raises_fertility(points, baseline.national_tfr) if floor is None else floor
        p = tfr_path_cwr(p, baseline.cwr_per_tfr, points, keep)
    return with_migration_scale(p, migration_scale)


def scenario_params(
    baseline: Baseline,
    scenario: str,
    inputs: Inputs | None = None,
    tfr_points: Mapping[int, float] | None = None,
    migration_scale: float = 1.0,
) -> ProjectionParams:
    """Parameters of a named scenario for all units of `baseline`: pattern1, sim1, sim2, closed, ccr or custom.

    The derived step, the Python API, the CLI and the dashboard all come here (a unit's row of an all-unit run is
    what `.select([i])` of these parameters projects). sim1/sim2/custom go through `tfr_scenario_params`;
    `tfr_points` applies to sim1, sim2 and custom, `migration_scale` to custom only."""
    if migration_scale != 1.0 and scenario != "custom":
        raise ValueError(f"a migration scale applies to the custom scenario only, not to {scenario!r}")
    if tfr_points is not None and scenario not in ("sim1", "sim2", "custom"):
        raise ValueError(f"a TFR path applies to sim1, sim2 and custom, not to {scenario!r}")
    p = baseline.params
    if scenario == "pattern1":
        return p
    if scenario == "closed":
        return closed_params(p)
    if scenario == "sim1":
        return tfr_scenario_params(baseline, tfr_points, 1.0, floor=True).with_(method="ipss+tfr")
    if scenario == "sim2":
        return closed_params(tfr_scenario_params(baseline, tfr_points, 1.0, floor=True)).with_(method="ipss+tfr+closed")
    if scenario == "custom":
        return tfr_scenario_params(baseline, tfr_points, migration_scale).with_(method="ipss+custom")
    if scenario == "ccr":
        if inputs is None:
            raise ValueError("the ccr scenario needs the inputs")
        return ccr(inputs, baseline.base_year, baseline.years[-1])
    raise ValueError(f"unknown scenario {scenario!r}: pattern1, sim1, sim2, closed, ccr, custom")


STANDARD_SCENARIOS = ("pattern1", "sim1", "sim2", "closed", "ccr")


def run(baseline: Baseline, params: ProjectionParams) -> np.ndarray:
    return project(baseline.base, params)
