"""パターン1 as the product shows it: the engine's run anchored to IPSS 2023 to 2050 and continued by the engine
after, with the consistency of the continuation computed afresh. No I/O.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sousei.domain.projection.anchor import (
    anchor_base,
    anchor_params,
)
from sousei.domain.projection.baseline import HORIZON, Baseline, Controls, held_to, ipss_baseline
from sousei.domain.projection.engine import as_rates, project
from sousei.domain.projection.inputs import (
    Inputs,
    aggregate,
)
from sousei.domain.projection.methods import (
    residual_migration_rates,
)
from sousei.domain.projection.params import N_AGES, ProjectionParams


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
    # one rate per cell instead of rates and factors: the same path, and a scenario's migration scale then acts on
    # all of パターン1's migration (× 0 is the closed population), not on the engine's rates beneath the anchoring
    factored = params
    params = as_rates(base, factored)
    notes = dict(engine.notes)
    notes["fertility"] = (
        f"to {until}: the child–woman ratio of the anchored path (its 0–4 ÷ its women 15–49; IPSS 2023's 0–14 as "
        "the engine distributes it); "
        f"after: the unit's {until} level relative to the engine's, held (" + engine.notes["fertility"] + ")"
    )
    notes["migration"] = (
        f"the net migration rates that reproduce the path, one per sex × age and step (the population at the end "
        f"÷ the survivors of the start): to {until} the engine's rates ({engine.notes['migration']}) with the "
        f"anchoring factors, which carry the difference to IPSS 2023, folded in; after: the residual rates of the "
        f"anchored {until - 5}→{until}, held, with the consistency factors folded in"
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
        factored=factored,
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
    alike; the units' child–woman ratios are `params`' (the anchored level held). The young's gains are balanced to
    the national targets as they are: from the anchored state there is no path of the 2017 projection's vintage to
    balance them to (`MigrationRule.national_excess` applies to the engine's run from the census)."""
    path = project(base, params)
    prev, state = path[:, k - 1], path[:, k]
    n_pref = int(controls.group.max()) + 1
    pref_prev, pref_state = (aggregate(x, controls.group, n_pref) for x in (prev, state))
    pref_params = controls.prefecture_params
    pref_rates = residual_migration_rates([(pref_prev, pref_state, _step_survival(pref_params, k - 1, n_pref))])
    pref_tail = _steps_from(pref_params, k)
    pref_tail = pref_tail.with_(migration=_held(pref_rates, pref_tail.steps))
    pref_tail = held_to(pref_state, pref_tail, controls.national[None, k:], None, controls)
    pref_path = project(pref_state, pref_tail)
    unit_rates = residual_migration_rates([(prev, state, _step_survival(controls.unit_params, k - 1, len(state)))])
    unit_tail = _steps_from(controls.unit_params, k)
    unit_tail = unit_tail.with_(
        migration=_held(unit_rates, unit_tail.steps),
        cwr=np.asarray(params.cwr)[:, k:],
        male_share_0_4=np.asarray(params.male_share_0_4)[:, k:],
    )
    unit_tail = held_to(state, unit_tail, pref_path[:, 1:], controls.group, controls)
    n = state.shape[0]

    def full(head: np.ndarray, tail: np.ndarray) -> np.ndarray:
        head = np.broadcast_to(head, (n,) + head.shape[1:])[:, :k]
        return np.concatenate([head, np.broadcast_to(tail, (n,) + tail.shape[1:])], axis=1)

    assert params.adjustment is not None and unit_tail.adjustment is not None
    return params.with_(
        migration=full(np.asarray(params.migration), np.asarray(unit_tail.migration)),
        adjustment=full(np.asarray(params.adjustment), np.asarray(unit_tail.adjustment)),
    )
