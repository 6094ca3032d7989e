"""パターン1 anchored to a published projection that gives, per unit and year, only the total and three age groups
(IPSS 2023: 0–14, 15–64, 65+). Pure numpy; docs/methods/projection.md ("Anchoring to IPSS 2023").

The engine's own parameters supply the sex × 5-year-age detail. Step by step, from the anchored population of the
step before, the engine projects one step; then every cell of a unit's age group is multiplied by one factor so
that the group adds up to the published figure. This is iterative proportional fitting seeded with the engine's
cells: with the three disjoint age groups as the only margin it converges in one pass. Since each step starts from
the anchored state of the step before, cohorts stay consistent from one period to the next (a cohort's cells in
2030 are its anchored 2025 cells carried by the engine's survival and migration, then rescaled).

The result is expressed as parameters, not as a table: the factors go into `ProjectionParams.adjustment` (on top
of the engine's own consistency factors) and the anchored 0–4 into the child–woman ratio and the share of boys, so
that `project(anchored base, anchored params)` reproduces the anchored path, and every scenario derived from these
parameters (a TFR path, a migration scale, the closed population) starts from the same assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sousei.domain.projection.engine import WOMEN_15_49, advance
from sousei.domain.projection.params import N_AGES, ProjectionParams

# The age groups IPSS 2023 publishes per unit: 0–14 (groups 0-4 … 10-14), 15–64 (15-19 … 60-64), 65+ (65-69 … 90+)
BROAD_GROUPS: tuple[slice, ...] = (slice(0, 3), slice(3, 13), slice(13, N_AGES))
BROAD_NAMES = ("0–14", "15–64", "65+")
GROUP_OF_AGE = np.repeat(np.arange(3), [3, 10, 6])


def broad_sums(pop: np.ndarray) -> np.ndarray:
    """(…, 2, 19) → (…, 3): persons 0–14, 15–64, 65+ (both sexes)."""
    pop = np.asarray(pop, dtype=np.float64)
    return np.stack([pop[..., g].sum(axis=(-2, -1)) for g in BROAD_GROUPS], axis=-1)


@dataclass(frozen=True, eq=False)
class AnchorTargets:
    """Published figures to anchor to: `values` (units, years, 3) persons 0–14, 15–64, 65+ of each unit and year
    (the total is their sum; NaN: not published)."""

    units: list[str]
    years: list[int]
    values: np.ndarray
    source: str

    def for_units(self, units: list[str], years: list[int]) -> np.ndarray:
        """(len(units), len(years), 3) in the given order; NaN for a unit or year not published."""
        out = np.full((len(units), len(years), 3), np.nan)
        pos = {u: i for i, u in enumerate(self.units)}
        cols = [self.years.index(y) if y in self.years else -1 for y in years]
        for i, u in enumerate(units):
            j = pos.get(u)
            if j is None:
                continue
            for k, c in enumerate(cols):
                if c >= 0:
                    out[i, k] = self.values[j, c]
        return out


def _group_factors(have: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Factors (units, 3) that scale each age group from `have` to `want`; 1 where `want` is NaN.

    Raises ValueError where a group the engine leaves empty must hold persons: no factor can scale 0 to them."""
    missing = np.isfinite(want) & (want > 0) & (have <= 0)
    if missing.any():
        u, g = np.argwhere(missing)[0]
        raise ValueError(
            f"unit #{u}: the engine projects no persons aged {BROAD_NAMES[g]} where the target has {want[u, g]:,.0f}"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(have > 0, want / have, 1.0)
    return np.where(np.isfinite(want), f, 1.0)


def anchor_base(base: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The base population (units, 2, 19) with each age group scaled to `targets` (units, 3) of the base year
    (the census with age 不詳 allocated proportionally differs slightly from IPSS's 不詳補完値 by age)."""
    f = _group_factors(broad_sums(base), targets)
    return base * f[:, GROUP_OF_AGE][:, None, :]


def anchor_params(base: np.ndarray, params: ProjectionParams, targets: np.ndarray) -> ProjectionParams:
    """`params` (with the engine's consistency factors) changed so that projecting `base` reproduces `targets`
    (units, steps, 3) at the end of every step where they are finite, and continues with the engine after them.

    For an anchored step k: the engine's step from the anchored population, its consistency factors applied, then
    the age-group factors (`adjustment` becomes engine factor × group factor, 1 on the 0–4, whose anchored value
    goes into the child–woman ratio and the share of boys instead, so that a TFR path in a scenario acts on the
    anchored fertility). After the last anchored step the engine's survival, migration and consistency factors
    are used as they are, and its child–woman ratios keep the unit's anchored level relative to the engine's path
    (× the ratio of the anchored to the engine's child–woman ratio in the last anchored step)."""
    base = np.asarray(base, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    n, steps = base.shape[0], params.steps
    if targets.shape != (n, steps, 3):
        raise ValueError(f"targets must be ({n}, {steps}, 3), got {targets.shape}")

    def per_unit(a: np.ndarray) -> np.ndarray:
        return np.array(np.broadcast_to(a, (n,) + a.shape[1:]))

    eng_adj = per_unit(params.adjustment) if params.adjustment is not None else np.ones((n, steps, 2, N_AGES))
    factors = eng_adj.copy()
    cwr = per_unit(params.cwr)
    boys = per_unit(params.male_share_0_4)
    plain = params.with_(adjustment=None)
    anchored = np.isfinite(targets).all(axis=2)  # (units, steps)
    level = np.ones(n)  # anchored ÷ engine child–woman ratio of the last anchored step
    pop = base
    for k in range(steps):
        raw = advance(pop, plain, k)[0]
        new = raw * eng_adj[:, k]
        f = _group_factors(broad_sums(new), np.where(anchored[:, k, None], targets[:, k], np.nan))
        cells = f[:, GROUP_OF_AGE][:, None, :]
        new = new * cells
        # the 0–4: the anchored persons become the child–woman ratio (÷ women 15–49 before any factor, as
        # `advance` computes births) and the share of boys; their factor is then 1
        women = raw[:, 1, WOMEN_15_49].sum(axis=-1)
        kids = new[:, :, 0]
        total = kids.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            new_cwr = np.where(women > 0, total / women, cwr[:, k])
            new_boys = np.where(total > 0, kids[:, 0] / total, boys[:, k])
            ratio = np.where(cwr[:, k] > 0, new_cwr / cwr[:, k], 1.0)
        on = anchored[:, k]
        level = np.where(on, ratio, level)
        cwr[:, k] = np.where(on, new_cwr, cwr[:, k] * level)
        boys[:, k] = np.where(on, new_boys, boys[:, k])
        factors[:, k] = eng_adj[:, k] * cells
        factors[:, k, :, 0] = np.where(on[:, None], 1.0, eng_adj[:, k, :, 0])
        if not on.all():
            # unanchored units: the engine's step with its child–woman ratio × level (level is 1 if never anchored)
            again = advance(pop, plain.with_(cwr=cwr, male_share_0_4=boys), k)[0] * factors[:, k]
            new = np.where(on[:, None, None], new, again)
        pop = new
    return params.with_(adjustment=factors, cwr=cwr, male_share_0_4=boys)
