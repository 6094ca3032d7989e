"""The engine's IPSS-method run of one base year (`ipss_baseline`) for every unit, consistent with its prefecture and
the nation, and the コーホート変化率法 alternative. No I/O.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from sousei.domain.projection.engine import group_adjustment, project
from sousei.domain.projection.gross import GrossFlows, pool_params, unit_out_migrants
from sousei.domain.projection.inputs import (
    Inputs,
    aggregate,
    prefecture_groups,
)
from sousei.domain.projection.methods import (
    adjust_survival,
    ccr_params,
    child_woman_ratio,
    ipss_params,
    survival_path_from_national,
)
from sousei.domain.projection.migration import DEFAULT_RULE, MigrationRule, migration_rates
from sousei.domain.projection.mortality import MortalityLevel, mortality_level
from sousei.domain.projection.national import (
    has_national_2023,
    national_step_ratios,
    national_targets,
    national_to_ipss2023,
)
from sousei.domain.projection.params import ProjectionParams

HORIZON = 2070


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
    # anchored パターン1: how it was made, the engine's rates with the anchoring and consistency factors (`params` is
    # the same path as one rate per cell, `engine.as_rates`)
    factored: ProjectionParams | None = None
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


def held_to(
    base: np.ndarray,
    params: ProjectionParams,
    targets: np.ndarray,
    group: np.ndarray | None,
    controls: Controls,
    balanced: ProjectionParams | None = None,
) -> ProjectionParams:
    """`params` held to the group `targets` (`engine.group_adjustment`): the young cohorts' gains balanced to the
    targets' net migrants, then every sex × age cell prorated; the prefectures (`group` None) with the prefecture
    allocation, the units with the units'. `balanced`: parameters whose young gains were already balanced to
    another control (the national path of the base's own vintage, `MigrationRule.national_excess`); only the
    prorating to `targets` is then added (IPSS: 男女・年齢別に一律補正)."""
    if balanced is not None:
        return group_adjustment(base, balanced.with_(adjustment=None), targets, group, 0)
    allocation = controls.prefecture_allocation if group is None else controls.allocation
    return group_adjustment(base, params, targets, group, controls.balance_ages, allocation)


def ipss_baseline(
    inputs: Inputs,
    base_year: int = 2020,
    horizon: int = HORIZON,
    consistent: bool = True,
    rule: MigrationRule = DEFAULT_RULE,
    mortality: bool = True,
    national_2023: bool = True,
    gross: GrossFlows | None = None,
) -> Baseline:
    """パターン1 (社人研準拠) from census `base_year` with the inputs of the intercensal period(s) before it.

    Consistency as IPSS: the prefectures are projected with the same method (their own rates and child–woman
    ratios) and held to the national projection, then each municipality is held to its prefecture, both by
    sex × age. The controls are our own projections (IPSS's regional results are never used as input).

    `mortality`: survival ratios (of the projection and of the residual migration estimates alike) adjusted to
    each unit's mortality level (`mortality_level`, `methods.adjust_survival`), the prefectures' to theirs.
    `national_2023`: the national control of the 2020 base follows IPSS 2023 (`national_to_ipss2023`).
    `gross`: the municipalities' net rates become a pool model's (`gross.pool_params`, IPSS 2023's 転出率・配分率)
    with these out-migrants; a variant of the validation, not the default.

    This is the engine's own run; the パターン1 the product shows is `pattern1` (anchored to IPSS 2023).
    """
    if rule.national_excess not in ("prorated", "balanced"):
        raise ValueError(f"unknown national_excess {rule.national_excess!r}: 'prorated' or 'balanced'")
    steps = (horizon - base_year) // 5
    rule = dataclasses.replace(rule, pooled_periods=dict(rule.long_term).get(base_year, rule.pooled_periods))
    units, base = inputs.units(base_year)
    prefs, group = prefecture_groups(units)
    level = mortality_level(inputs, base_year, group, len(prefs)) if mortality else None
    unit_smr = level.smr_shrunk if level is not None else np.ones(len(units))
    pref_smr = level.prefecture_smr if level is not None else np.ones(len(prefs))
    starts = [y - 5 for y in range(base_year, base_year - 5 * max(rule.trend_periods, 1), -5) if y - 5 in inputs.census]
    pops = [(inputs.units(t)[1], inputs.units(t + 5)[1]) for t in starts]
    ys = inputs.national_years
    first = ys.index(base_year) if base_year in ys else 0
    spath = survival_path_from_national(inputs.survival(base_year), inputs.national, first, steps)
    nat_cwr = [national_step_ratios(inputs, base_year + 5 * k)[1] for k in range(steps)]
    base_nat_cwr = float(child_woman_ratio(inputs.national[[first]])[0])
    cwr_index = np.array(nat_cwr) / base_nat_cwr
    boys = np.array([national_step_ratios(inputs, base_year + 5 * k)[2] for k in range(steps)])
    path = np.ones(steps)
    if rule.path:
        path[: len(rule.path)] = rule.path
        path[len(rule.path) :] = rule.path[-1]
    bad = {p for y, ps in rule.disrupted if y == base_year for p in ps}

    def level_params(
        codes: list[str], level_pops: list[tuple[np.ndarray, np.ndarray]], smr: np.ndarray, by: np.ndarray | None
    ) -> tuple[ProjectionParams, np.ndarray]:
        """The one recipe of the municipalities and the prefectures: each unit's rates from its own periods
        (survival at its mortality level), the period before for the units of a disrupted prefecture."""
        periods = [
            (p, q, adjust_survival(inputs.period_survival(t), smr[:, None, None]))
            for (p, q), t in zip(level_pops, starts, strict=True)
        ]
        rates, basis = migration_rates(periods, rule, by)
        if bad and len(periods) > 1:
            hit = np.array([c[:2] in bad for c in codes])
            rates = np.where(hit[:, None, None], migration_rates(periods[1:], rule, by)[0], rates)
            basis[hit] = "previous:disrupted"
        level_spath = adjust_survival(spath[None], smr[:, None, None, None])
        params = ipss_params(
            periods[0][1], base_year, periods[:1], level_spath, cwr_index, boys, migration_path=path, rates=rates
        )
        if gross is not None and by is not None:
            out = unit_out_migrants(codes, gross.out_movers, inputs.joint) * gross.scale
            params = pool_params(periods[0][1], params, out)
        return params, basis

    params, basis = level_params(units, pops, unit_smr, group)
    controls = None
    balance = None
    if consistent:
        n = len(prefs)
        pref_pops = [(aggregate(p, group, n), aggregate(q, group, n)) for p, q in pops]
        pref_base = pref_pops[0][1]
        pref_params = level_params(prefs, pref_pops, pref_smr, None)[0]
        own = national_targets(inputs, base_year, base.sum(axis=0), steps)
        targets = national_to_ipss2023(inputs, base_year, own) if national_2023 else own
        # the persons IPSS 2023's nation adds to the national projection of the base's own vintage (mostly its larger
        # foreign inflow) are prorated, not balanced into the young's gains (MigrationRule.national_excess)
        balance = own if rule.national_excess == "prorated" and targets is not own else None
        pref_allocation = rule.prefecture_allocation or rule.allocation
        controls = Controls(params, pref_params, group, targets, rule.balance_ages, rule.allocation, pref_allocation)
        pref_balanced = None if balance is None else held_to(pref_base, pref_params, balance[None], None, controls)
        pref_params = held_to(pref_base, pref_params, targets[None], None, controls, pref_balanced)
        pref_result = project(pref_base, pref_params)
        unit_balanced = None
        if pref_balanced is not None:
            pref_balance_path = project(pref_base, pref_balanced)[:, 1:]
            unit_balanced = held_to(base, params, pref_balance_path, group, controls)
        params = held_to(base, params, pref_result[:, 1:], group, controls, unit_balanced)
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
        + (f"; rates capped at ±{rule.cap:g}" if rule.cap is not None else "")
        + (
            f"; municipalities as a pool model (転出率・配分率) with 住民基本台帳 out-migrants × {gross.scale:g}"
            if gross is not None
            else ""
        ),
        "fertility": f"child–woman ratio of {base_year} held relative to the national path (IPSS 2017 medium)",
        "consistency": "municipalities prorated (sex × age) to their prefecture's projection by the same method, "
        "prefectures to the IPSS 2017 national projection rebased on the census"
        + (
            ", its 0–14, 15–64 and 65+ scaled to IPSS 2023 (the sum of its 47 prefectures) to 2050 and the 2050 "
            "ratios held after"
            + (
                "; the persons IPSS 2023 adds prorated by sex × age at every level (the young's gains balanced to "
                "the 2017 path)"
                if balance is not None
                else ""
            )
            if national_2023 and has_national_2023(inputs, base_year)
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


def ccr(inputs: Inputs, base_year: int = 2020, horizon: int = HORIZON) -> ProjectionParams:
    units, base = inputs.units(base_year)
    prev = inputs.units(base_year - 5)[1]
    return ccr_params(base, prev, base_year, (horizon - base_year) // 5, inputs.period_survival(base_year - 5))
