"""A good plan fast: officials assigned to seats, ejection rounds, and a large-neighbourhood search by sub-MILPs.

Column generation (`solver`) bounds the problem; these make and mend the plans whose gap to that bound is reported.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import linear_sum_assignment

from sousei.domain.matching.compact import solve_compact
from sousei.domain.matching.model import (
    STAGES,
    Problem,
    allowed,
    fixed_pairs,
    is_yukari,
    score_parts,
    stage_rule_size,
    total,
)

LNS_TEAMS = 12  # teams re-solved together in the local search: 12 solve in ~0.05 s, 20 take seconds
LNS_STALE = 40  # sub-problems in a row without improvement before the local search stops


def heuristic_plan(problem: Problem, time_budget: float = 5.0, seed: int = 0) -> dict[str, tuple[str, ...]] | None:
    """A good plan fast, to start column generation with: an assignment of officials to seats (scipy's
    linear_sum_assignment on each official's own value for the municipality, with seats asking for the missing
    career stages), then swaps between teams and with unassigned officials while they raise the objective.
    None when no plan respects the hard rules (the caller has already checked feasibility, so this is rare)."""
    t0 = time.perf_counter()
    officials, munis = list(problem.officials), list(problem.municipalities)
    k, w = problem.team_size, problem.weights
    n_o, n_m = len(officials), len(munis)
    fields = sorted({f for o in officials for f in o.strengths} | {f for m in munis for f in m.themes})
    fidx = {f: c for c, f in enumerate(fields)}
    strength = np.zeros((n_o, len(fields)))
    for i, o in enumerate(officials):
        for f, s in o.strengths.items():
            strength[i, fidx[f]] = s
    priority = np.zeros((n_m, len(fields)))
    for j, m in enumerate(munis):
        for f, p in m.themes.items():
            priority[j, fidx[f]] = p
    may_support = np.array([[allowed(o, m, problem) for o in officials] for m in munis], dtype=bool)
    yukari = np.array([[is_yukari(o, m) for o in officials] for m in munis], dtype=float)
    own_value = priority @ strength.T + w.yukari * yukari  # (municipality, official)
    index_of = {o.id: i for i, o in enumerate(officials)}
    team: list[list[int]] = [[] for _ in range(n_m)]
    pinned: set[int] = set()
    for (oid, code), _why in fixed_pairs(problem).items():
        j = next(jj for jj, m in enumerate(munis) if m.code == code)
        team[j].append(index_of[oid])
        pinned.add(index_of[oid])
    free = [i for i in range(n_o) if i not in pinned and officials[i].available]
    seats: list[tuple[int, str | None]] = []
    n_stages = stage_rule_size(k)
    for j in range(n_m):
        missing = [s for s in STAGES if s not in {officials[i].stage for i in team[j]}] if n_stages > 1 else []
        for r in range(k - len(team[j])):
            seats.append((j, missing[r] if r < len(missing) else None))
    if len(seats) > len(free):
        return None
    forbidden = -1e6
    gain = np.full((len(seats), len(free)), forbidden)
    stage_of_free = np.array([officials[i].stage for i in free])
    for r, (j, stage) in enumerate(seats):
        ok = may_support[j, free]
        row = own_value[j, free] + (w.missing_stage * (stage_of_free == stage) if stage else 0.0)
        gain[r] = np.where(ok, row, forbidden)
    rows, cols = linear_sum_assignment(gain, maximize=True)
    if (gain[rows, cols] <= forbidden / 2).any():
        return None
    for r, c in zip(rows, cols, strict=True):
        team[seats[r][0]].append(free[c])
    where = np.full(n_o, -1)
    for j, members in enumerate(team):
        where[members] = j
    themes = [[(fidx[f], float(p)) for f, p in m.themes.items()] for m in munis]
    ministry = [o.ministry for o in officials]
    stage_name = [o.stage for o in officials]

    def value(j: int, members: list[int]) -> float:
        v = sum(p * max(strength[i, f] for i in members) for f, p in themes[j])
        v += w.yukari * sum(yukari[j, i] for i in members)
        v -= w.ministry_duplicate * (len(members) - len({ministry[i] for i in members}))
        if n_stages > 1:
            v -= w.missing_stage * (n_stages - len({stage_name[i] for i in members}))
        return float(v)

    total = sum(value(j, team[j]) for j in range(n_m))
    ministry_id = {name: c for c, name in enumerate(sorted(set(ministry)))}
    ministry_of = np.array([ministry_id[x] for x in ministry])
    stage_id = {name: c for c, name in enumerate(STAGES)}
    stage_of = np.array([stage_id.get(x, -1) for x in stage_name])
    rng = np.random.default_rng(seed)
    stale, rounds = 0, 0
    # Ejection rounds: take one non-pinned member out of every team, then put the ejected and the unassigned
    # officials back into the open seats by an exact assignment on their marginal value to the rest of the team.
    # The current plan is one of the assignments considered, so a round never makes the plan worse.
    while stale < 60 and time.perf_counter() - t0 < time_budget:
        rounds += 1
        target_stage = STAGES[rounds % len(STAGES)]
        ejected: list[tuple[int, int]] = []  # (team, official)
        for j in range(n_m):
            movable = [i for i in team[j] if i not in pinned]
            if not movable:
                continue
            same = [i for i in movable if stage_name[i] == target_stage] if rounds % 2 == 0 else []
            ejected.append((j, int(rng.choice(same or movable))))
        if not ejected:
            break
        open_teams = np.array([j for j, _ in ejected])
        pool = np.array([i for _, i in ejected] + [i for i in free if where[i] < 0])
        rest = [[i for i in team[j] if i != out] for j, out in ejected]
        base = np.array([strength[r].max(axis=0) if r else np.zeros(len(fields)) for r in rest])  # (open, F)
        gain_cov = np.einsum(
            "jf,jcf->jc", priority[open_teams], np.maximum(strength[pool][None, :, :] - base[:, None, :], 0.0)
        )
        gain = gain_cov + w.yukari * yukari[open_teams][:, pool]
        for r, members in enumerate(rest):
            gain[r] -= w.ministry_duplicate * np.isin(ministry_of[pool], ministry_of[members])
            if n_stages > 1 and len({stage_name[i] for i in members}) < n_stages:
                gain[r] += w.missing_stage * ~np.isin(stage_of[pool], stage_of[members])
        gain = np.where(may_support[open_teams][:, pool], gain, forbidden)
        rows, cols = linear_sum_assignment(gain, maximize=True)
        for r, c in zip(rows, cols, strict=True):
            j = int(open_teams[r])
            team[j] = rest[r] + [int(pool[c])]
        where[:] = -1
        for j, members in enumerate(team):
            where[members] = j
        new_total = sum(value(j, team[j]) for j in range(n_m))
        stale = 0 if new_total > total + 1e-9 else stale + 1
        total = new_total
    return {m.code: tuple(sorted(officials[i].id for i in team[j])) for j, m in enumerate(munis)}


def improve_by_subproblems(
    problem: Problem, plan: dict[str, tuple[str, ...]], deadline: float, rng: np.random.Generator
) -> dict[str, tuple[str, ...]]:
    """Large-neighbourhood search: re-solve a few teams at a time exactly (their members and the unassigned
    officials, other teams untouched), keeping each sub-plan only if it scores higher."""
    officials = {o.id: o for o in problem.officials}
    munis = list(problem.municipalities)
    fixed = fixed_pairs(problem)
    assigned = {i for ids in plan.values() for i in ids}
    spare = [o for o in problem.officials if o.available and o.id not in assigned]
    size = min(LNS_TEAMS, len(munis))
    stale = 0
    while stale < LNS_STALE and time.perf_counter() < deadline - 0.2:
        # Teams that share themes trade members usefully: grow the subset around a random team by theme overlap.
        seed_team = munis[int(rng.integers(len(munis)))]
        overlap = np.array([len(set(m.themes) & set(seed_team.themes)) + rng.random() for m in munis])
        chosen = [munis[j] for j in np.argsort(-overlap)[:size]]
        members = [officials[i] for m in chosen for i in plan[m.code]]
        sub = Problem(
            officials=members + spare,
            municipalities=chosen,
            team_size=problem.team_size,
            weights=problem.weights,
            locks=frozenset(p for p in fixed if p[1] in {m.code for m in chosen}),
            exclusions=problem.exclusions,
        )
        old = total(score_parts(sub, {m.code: plan[m.code] for m in chosen}))
        result = solve_compact(sub, time_limit=min(2.0, max(0.2, deadline - time.perf_counter())))
        stale += 1
        if result is not None and total(score_parts(sub, result.teams)) > old + 1e-9:
            stale = 0
            plan.update(result.teams)
            assigned = {i for ids in plan.values() for i in ids}
            spare = [o for o in problem.officials if o.available and o.id not in assigned]
    return plan
