"""The mortality level of each unit (standardized mortality ratio, shrunk toward its prefecture's): what the IPSS
method scales the national survival by (docs/methods/projection.md, "Survival"). No I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sousei.domain.projection.inputs import Inputs, aggregate, group_units, prefecture_groups
from sousei.domain.projection.methods import (
    death_rates_from_qx,
    expected_deaths,
    shrink_smr,
)

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
    pref_smr = aggregate(observed, group, n_groups) / aggregate(expected, group, n_groups)
    prior = pref_smr[group]
    shrunk, weight, tau2 = shrink_smr(observed, expected, prior)
    smr = np.divide(observed, expected, out=np.ones_like(expected), where=expected > 0)
    return MortalityLevel(
        (years[0], years[-1]),
        census_year,
        table_year,
        units,
        observed,
        expected,
        smr,
        pref_smr,
        prior,
        shrunk,
        weight,
        tau2,
        scale,
    )
