"""IPSS 2023's pool model (転出率・配分率) as far as the bundle's gross flows allow: a variant of the municipal
net migration rates, validated in docs/validation/projection.md ("Gross flows"), not the default. No I/O.

IPSS 2023 projects out-migrants as a rate of each area's own population (転出率) and in-migrants as a share of the
pool of all movers (配分率), so a shrinking area keeps drawing in-migrants while its out-migrants shrink with it;
a net rate held makes both shrink with the area. The published model needs out- and in-migrants by area × sex ×
age. The bundle has them by area only (住民基本台帳 転出者数, all ages), so here each unit's out-migrants are
spread over sex × age by one national profile, its in-migrants are what the observed net rate then requires, and
from the first step on the in-migrants follow the pool. When out-migrants by sex × age are at hand (住民基本台帳
人口移動報告, 詳細集計; e-Stat) they replace the profile (`out_migrants` (units, 2, 19)).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sousei.domain.projection.engine import advance
from sousei.domain.projection.params import ProjectionParams


@dataclass(frozen=True)
class GrossFlows:
    """Out-migrants of the five years before the base year by unit code (住民基本台帳 転出者数, every age, 国内 and
    国外) and a factor on them: the sum of five years of moves counts a person who moves twice twice, so it is an
    upper bound of the movers a census sees over the period; `scale` shows how much the result depends on it."""

    out_movers: Mapping[str, float]
    scale: float = 1.0


def dispersion_profile(net_rates: np.ndarray, survivors: np.ndarray) -> np.ndarray:
    """A national age profile of gross migration (2, 19) from net rates alone: the survivor-weighted mean absolute
    deviation of the units' net rates from the national rate at each sex × age. Where people move much, areas
    differ much in their net rates; where few move (the middle-aged), they differ little. A proxy, used because
    the bundle has no gross flows by age; only its shape matters (the level is each unit's out-migrants)."""
    w = np.asarray(survivors, dtype=np.float64)
    total = np.maximum(w.sum(axis=0), 1e-12)
    national = (net_rates * w).sum(axis=0) / total
    return (np.abs(net_rates - national) * w).sum(axis=0) / total


def unit_out_migrants(
    codes: Sequence[str], out_movers: Mapping[str, float], joint: Mapping[str, Sequence[str]]
) -> np.ndarray:
    """Out-migrants over the period (units,) in the order of `codes`; a joint unit is the sum of its members. A unit
    with no figure gets NaN (the caller keeps its net rates)."""
    values = []
    for code in codes:
        members = joint.get(code, (code,))
        known = [out_movers[m] for m in members if m in out_movers]
        values.append(float(sum(known)) if known else np.nan)
    return np.array(values)


def gross_rates(
    net_rates: np.ndarray, survivors: np.ndarray, out_migrants: np.ndarray, profile: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(out-rate, in-rate) per survivor (units, 2, 19) with in − out = the net rate in every cell.

    `out_migrants`: (units,) totals spread by `profile` (2, 19; default `dispersion_profile`) in proportion to
    profile × survivors, or (units, 2, 19) by sex × age as published. A cell whose net loss exceeds its
    out-rate gets out-rate = −net and no in-migrants (in-migrants cannot be negative). A unit whose total is
    NaN has its net rate as an out-rate alone where it loses and as an in-rate alone where it gains."""
    net_rates = np.asarray(net_rates, dtype=np.float64)
    survivors = np.asarray(survivors, dtype=np.float64)
    out_migrants = np.asarray(out_migrants, dtype=np.float64)
    if out_migrants.ndim == 1:
        shape = dispersion_profile(net_rates, survivors) if profile is None else np.asarray(profile, dtype=np.float64)
        at_risk = (shape[None] * survivors).sum(axis=(1, 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            level = np.where(at_risk > 0, out_migrants / at_risk, np.nan)
        out_rate = level[:, None, None] * shape[None]
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            out_rate = np.where(survivors > 0, out_migrants / survivors, 0.0)
    out_rate = np.where(np.isfinite(out_rate), out_rate, np.maximum(-net_rates, 0.0))
    out_rate = np.maximum(out_rate, -net_rates)
    return out_rate, net_rates + out_rate


def pool_params(base: np.ndarray, params: ProjectionParams, out_migrants: np.ndarray) -> ProjectionParams:
    """`params` with net rates that change step by step as in a pool model: out-migrants are the out-rate times
    the cohort's survivors; in-migrants are each unit's share (配分率, from the first step) of the pool, the sum of
    all units' out-migrants of the same sex × age. The first step's rates are the held net rates exactly; after
    it, a unit that shrinks faster than the pool gains relative to its net rate.

    The path is the units' own run (no consistency factors): the consistency step then holds them to their
    controls as it holds net rates (`engine.group_adjustment`)."""
    base = np.asarray(base, dtype=np.float64)
    plain = params.with_(adjustment=None)
    survival = np.broadcast_to(params.survival, (base.shape[0],) + params.survival.shape[1:])
    net = np.broadcast_to(params.migration[:, 0], base.shape)
    out_rate, in_rate = gross_rates(net, base * survival[:, 0], out_migrants)
    migration = np.array(np.broadcast_to(params.migration, (base.shape[0],) + params.migration.shape[1:]))
    shares: np.ndarray | None = None
    pop = base
    for k in range(params.steps):
        survivors = pop * survival[:, k]
        out = out_rate * survivors
        pool = out.sum(axis=0)
        if shares is None:
            with np.errstate(divide="ignore", invalid="ignore"):
                shares = np.where(pool > 0, in_rate * survivors / pool, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(survivors > 1e-9, (shares * pool - out) / survivors, migration[:, k])
        migration[:, k] = np.maximum(rate, -1.0)
        pop = advance(pop, plain.with_(migration=migration), k)[0]
    return params.with_(migration=migration)
