"""`solve`: the teams, their objective and a proven optimality gap.

1. Feasibility first (`feasibility`): what is short comes back as status "infeasible", never as an exception.
2. Small problems (up to COMPACT_TEAMS teams) go to the compact MILP whole: HiGHS proves optimality itself.
3. Larger ones: a quick plan (`heuristic`), then column generation on the set-partitioning master (choose one team
   per municipality, each official at most once) with exact pricing (`teams.TeamTables.teams_above`). Every
   round's prices give a Lagrangian bound, valid whatever the prices are; the best one is the reported bound.
4. The plan: the master LP's teams chosen at more than one half are fixed, the rest re-solved the same way (or by
   the compact MILP once small), then a large-neighbourhood search mends it while time and gap allow.

The gap = (bound − objective) / objective is proven: the bound comes from a relaxation, not from the search.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csc_matrix

from sousei.domain.matching.compact import solve_compact
from sousei.domain.matching.feasibility import check_feasibility
from sousei.domain.matching.heuristic import heuristic_plan, improve_by_subproblems
from sousei.domain.matching.model import PARTS, Problem, Solution, score_parts, total
from sousei.domain.matching.teams import SearchTooLarge, TeamTables

COMPACT_TEAMS = 12  # up to this many teams the compact MILP proves optimality in well under a second
COLUMNS_PER_ROUND = 8  # teams added per municipality and pricing round
DUMMY_VALUE = -1e4  # an empty "team" that keeps the master LP feasible before real teams cover a municipality
EXACT_RESERVE = 0.25  # the last quarter of column generation prices exactly, so that a bound is ready
EXACT_OVERRUN = 0.25  # an exact round may run past the deadline by this share of the time given, no more
CHEAP_STALL = 0.25  # cheap rounds end once they find fewer teams than this share of municipalities
START_BUDGET = 0.5  # seconds for the quick plan at most: it seeds the master, the rounding does better
CG_SHARE = 0.7  # share of the time limit column generation may use before the plan is built


@dataclass
class _Columns:
    """The master's columns: municipality, members (official indices, sorted) and value."""

    muni: list[int] = field(default_factory=list)
    members: list[tuple[int, ...]] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    seen: set[tuple[int, tuple[int, ...]]] = field(default_factory=set)

    def add(self, j: int, members: tuple[int, ...], value: float) -> bool:
        key = (j, tuple(sorted(members)))
        if key in self.seen:
            return False
        self.seen.add(key)
        self.muni.append(j)
        self.members.append(key[1])
        self.value.append(value)
        return True


@dataclass(frozen=True)
class _Relaxation:
    bound: float  # best Lagrangian bound found (inf when none; −inf when a municipality can form no team)
    z: np.ndarray  # the last master LP's column values
    finished: bool  # the master LP is optimal over all teams (no team prices out)


def solve(
    problem: Problem, time_limit: float = 60.0, gap_target: float = 0.0, compact_up_to: int = COMPACT_TEAMS
) -> Solution:
    """Form the teams within about `time_limit` seconds, stopping early once the proven gap ≤ `gap_target`."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    shortages = check_feasibility(problem)
    if any(s.blocking for s in shortages):
        msg = "編成できません: " + " / ".join(s.message for s in shortages if s.blocking)
        return _infeasible(shortages, msg, t0)
    if len(problem.municipalities) <= compact_up_to:
        result = solve_compact(problem, time_limit, gap_target)
        if result is None:
            return _infeasible(shortages, "制約を満たす編成が見つかりませんでした", t0)
        return _solution(problem, result.teams, result.bound, shortages, t0, gap_target, "HiGHS（全体のMILP）")
    tables = TeamTables.of(problem)
    start = heuristic_plan(problem, time_budget=min(START_BUDGET, 0.05 * time_limit))
    columns = _Columns()
    index = {o.id: i for i, o in enumerate(problem.officials)}
    if start is not None:
        for j, m in enumerate(problem.municipalities):
            members = tuple(index[o] for o in start[m.code])
            columns.add(j, members, tables.value(j, np.array(members)))
    relaxation = _generate_columns(tables, columns, t0 + CG_SHARE * time_limit)
    if relaxation.bound == -math.inf:
        return _infeasible(shortages, "制約を満たす編成がありません（チームを組めない市町村があります）", t0)
    plan = _round(problem, tables, columns, relaxation.z, deadline)
    candidates = [p for p in (plan, start) if p is not None]
    if not candidates:
        return _infeasible(shortages, "制約を満たす編成が見つかりませんでした", t0)
    best = max(candidates, key=lambda p: total(score_parts(problem, p)))
    bound = _integral(problem, relaxation.bound)
    if (bound - total(score_parts(problem, best))) > gap_target * abs(total(score_parts(problem, best))):
        best = improve_by_subproblems(problem, dict(best), deadline, np.random.default_rng(0))
    how = "上界は列生成（ラグランジュ緩和）、解はLPの丸めと部分MILP"
    return _solution(problem, best, bound, shortages, t0, gap_target, how)


def _generate_columns(tables: TeamTables, columns: _Columns, deadline: float) -> _Relaxation:
    """Column generation until no team prices out or the deadline; returns the best bound and the last LP.

    The first master LPs hold about one team per municipality and their prices are degenerate (mostly 0): every
    municipality then asks for the same strong officials, and an exact search over all teams at such prices is
    huge. So rounds start cheap (`TeamTables.best_teams` without `exact`: only the most promising candidates) until
    they run dry or time runs short; then every round searches all teams exactly, which gives the bound (valid at
    any prices) and proves the LP optimal when nothing prices out.
    """
    start = time.perf_counter()
    n_m, n_o = len(tables.municipal), len(tables.ministry)
    for j in range(n_m):  # keeps the master feasible; never part of a plan (DUMMY_VALUE is far below any team)
        columns.add(j, (), DUMMY_VALUE)
    best = math.inf
    exact = False
    while True:
        z, price, mu = _master_lp(columns, n_m, n_o)
        exact = exact or time.perf_counter() > deadline - EXACT_RESERVE * (deadline - start)
        bound = float(price.sum())  # + each municipality's best net team value: TeamTables.lagrangian_bound
        added = 0
        partial = False  # some municipality's maximum was bounded, not found: the round proves no LP optimum
        for j in range(n_m):
            if exact and time.perf_counter() > deadline + EXACT_OVERRUN * (deadline - start):
                bound += tables.optimistic(j, price)  # out of time: a quick upper bound keeps the bound valid
                partial = True
                continue
            try:
                members, values = tables.best_teams(j, price, mu[j], COLUMNS_PER_ROUND, exact=exact)
            except SearchTooLarge as too_large:  # prices still too flat for an exact search
                bound += too_large.upper
                partial = True
                continue
            if exact and not len(values):  # no allowed team at all for this municipality
                return _Relaxation(-math.inf, z, True)
            bound += float(values[0]) if exact else 0.0
            for team, net in zip(members, values, strict=True):
                if net > mu[j] + 1e-7:
                    added += columns.add(j, tuple(int(i) for i in team), float(net + price[team].sum()))
        if exact:
            best = min(best, bound)
            if (added == 0 and not partial) or time.perf_counter() > deadline:
                return _Relaxation(best, z, added == 0 and not partial)
        exact = added < CHEAP_STALL * n_m  # cheap rounds have run dry


def _master_lp(columns: _Columns, n_m: int, n_o: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The master LP over the columns so far: (column values, official prices π ≥ 0, municipality duals μ).

    Solved by HiGHS's interior-point method: its prices are central rather than a degenerate vertex's, which took
    fewer rounds than the simplex method's on the benchmark (docs/benchmarks.md).
    """
    n_c = len(columns.value)
    rows = [i for members in columns.members for i in members]
    cols = [c for c, members in enumerate(columns.members) for _ in members]
    res = linprog(
        -np.array(columns.value),
        A_ub=csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_o, n_c)),
        b_ub=np.ones(n_o),
        A_eq=csc_matrix((np.ones(n_c), (columns.muni, np.arange(n_c))), shape=(n_m, n_c)),
        b_eq=np.ones(n_m),
        bounds=(0, None),
        method="highs-ipm",
    )
    if res.status != 0:
        raise RuntimeError(f"master LP failed: {res.message}")
    # linprog minimises −value: its marginals are ∂(−value)/∂b, so the prices are their negatives (π ≥ 0 by sign).
    return np.asarray(res.x), np.maximum(0.0, -np.asarray(res.ineqlin.marginals)), -np.asarray(res.eqlin.marginals)


def _round(
    problem: Problem, tables: TeamTables, columns: _Columns, z: np.ndarray, deadline: float
) -> dict[str, tuple[str, ...]] | None:
    """A plan from the master LP: fix the teams it chose at more than one half (at least its most chosen one), and
    solve the rest again — by the compact MILP once small, else by column generation and rounding on the rest."""
    munis, officials = list(problem.municipalities), list(problem.officials)
    chosen: dict[int, tuple[int, ...]] = {}
    used: set[int] = set()
    for c in np.argsort(-z, kind="stable"):
        j, members = columns.muni[c], columns.members[c]
        if chosen and z[c] <= 0.5:
            break
        if members and j not in chosen and not used & set(members):
            chosen[j] = members
            used |= set(members)
    plan = {munis[j].code: tuple(sorted(officials[i].id for i in members)) for j, members in chosen.items()}
    rest = [j for j in range(len(munis)) if j not in chosen]
    if not rest:
        return plan
    kept = [i for i in range(len(officials)) if i not in used]
    codes = {munis[j].code for j in rest}
    sub = Problem(
        officials=[officials[i] for i in kept],
        municipalities=[munis[j] for j in rest],
        team_size=problem.team_size,
        weights=problem.weights,
        locks=frozenset(p for p in problem.locks if p[1] in codes),
        exclusions=problem.exclusions,
        field_names=problem.field_names,
    )
    if len(rest) <= COMPACT_TEAMS:
        result = solve_compact(sub, max(0.1, deadline - time.perf_counter()))
        return None if result is None else plan | result.teams
    sub_tables = TeamTables.of(sub)
    new_index = {old: new for new, old in enumerate(kept)}
    new_muni = {old: new for new, old in enumerate(rest)}
    sub_columns = _Columns()
    for j, members, value in zip(columns.muni, columns.members, columns.value, strict=True):
        if members and j in new_muni and all(i in new_index for i in members):
            sub_columns.add(new_muni[j], tuple(new_index[i] for i in members), value)
    now = time.perf_counter()
    relaxation = _generate_columns(sub_tables, sub_columns, now + 0.5 * (deadline - now))
    if relaxation.bound == -math.inf:
        return None
    rest_plan = _round(sub, sub_tables, sub_columns, relaxation.z, deadline)
    return None if rest_plan is None else plan | rest_plan


def _integral(problem: Problem, bound: float) -> float:
    """With whole-number weights every plan scores a whole number (priorities and strengths are integers), so the
    bound may be rounded down to one: a valid bound stays valid."""
    w = problem.weights
    whole = all(float(v).is_integer() for v in (w.ministry_duplicate, w.missing_stage, w.yukari))
    return math.floor(bound + 1e-6) if whole and np.isfinite(bound) else bound


def _solution(
    problem: Problem,
    teams: dict[str, tuple[str, ...]],
    bound: float,
    shortages: tuple,
    t0: float,
    gap_target: float,
    how: str,
) -> Solution:
    parts = score_parts(problem, teams)
    objective = total(parts)
    bound = max(bound, objective) if np.isfinite(bound) else math.inf
    gap = (bound - objective) / max(abs(objective), 1e-9) if np.isfinite(bound) else math.inf
    status = "optimal" if gap <= 1e-4 else "feasible"
    verdict = "最適性を証明" if status == "optimal" else f"ギャップ{gap * 100:.2f}%（目標{gap_target * 100:g}%）"
    return Solution(
        status, teams, objective, bound, gap, time.perf_counter() - t0, parts, shortages, f"{how}: {verdict}"
    )


def _infeasible(shortages: tuple, message: str, t0: float) -> Solution:
    empty = dict.fromkeys(PARTS, 0.0)
    return Solution("infeasible", {}, math.nan, math.nan, math.nan, time.perf_counter() - t0, empty, shortages, message)
