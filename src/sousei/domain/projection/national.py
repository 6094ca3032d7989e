"""The national control of the IPSS method: the national projection rebased on the census, and for the 2020 base
scaled to IPSS 2023's national figures. No I/O.
"""

from __future__ import annotations

import numpy as np

from sousei.domain.projection.anchor import (
    GROUP_OF_AGE,
    broad_sums,
)
from sousei.domain.projection.engine import FEMALE, WOMEN_15_49
from sousei.domain.projection.inputs import Inputs
from sousei.domain.projection.methods import (
    child_woman_ratio,
)
from sousei.domain.projection.params import N_AGES


def national_step_ratios(inputs: Inputs, start: int) -> tuple[np.ndarray, float, float]:
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
        ratios, cwr, boys = national_step_ratios(inputs, base_year + 5 * k)
        moved = pop * ratios
        new = np.zeros_like(pop)
        new[:, 1:] = moved[:, :-1]
        new[:, -1] += moved[:, -1]
        kids = cwr * new[FEMALE, WOMEN_15_49].sum()
        new[0, 0], new[1, 0] = kids * boys, kids * (1 - boys)
        out[k] = pop = new
    return out


def has_national_2023(inputs: Inputs, base_year: int) -> bool:
    return inputs.national_anchor is not None and inputs.national_anchor.years[0] == base_year


def national_to_ipss2023(inputs: Inputs, base_year: int, targets: np.ndarray) -> np.ndarray:
    """The national control (steps, 2, 19) with its 0–14, 15–64 and 65+ scaled, cell by cell within each group, to
    IPSS 2023's national figures (the sum of its 47 prefectures, which IPSS makes add up to its 2023 national
    projection) in every year IPSS 2023 publishes, and the factors of its last year held after it. Only for the
    base year IPSS 2023 starts from (2020); other bases keep the national projection of their own vintage."""
    if not has_national_2023(inputs, base_year):
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
