"""The compact MILP: one 0/1 variable per allowed official × municipality, solved by scipy.optimize.milp (HiGHS).

Used on small problems and sub-problems (a residual after rounding, a dozen teams in the local search), where
HiGHS proves optimality in well under a second; on the full 180 × 60 problem its LP alone takes seconds, which is
why `solver` bounds the whole problem by column generation instead.

- x[i,j] ∈ {0,1}; Σ_i x[i,j] = k; Σ_j x[i,j] ≤ 1; fixed pairs have lower bound 1; forbidden pairs no column.
- Coverage by levels: u[j,f,s] ≤ Σ_{i: strength(i,f) ≥ s} x[i,j], 0 ≤ u ≤ 1, worth priority(j,f) per level.
- d[j,m] ≥ Σ_{i∈m} x[i,j] − 1 costs the ministry weight; p[j,s] ≤ Σ_{i∈s} x[i,j], p ≤ 1 earns the stage weight (a
  constant turns the rewards back into shortfall costs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from sousei.domain.matching.model import STAGES, STRENGTHS, Problem, allowed, fixed_pairs, is_yukari, stage_rule_size


@dataclass(frozen=True)
class CompactResult:
    teams: dict[str, tuple[str, ...]]
    bound: float  # HiGHS's dual bound in objective units (coverage + ゆかり − penalties)
    proven: bool  # HiGHS finished: the plan is optimal within its gap tolerance


class _Builder:
    """Columns and rows of the MILP, collected as triplets."""

    def __init__(self) -> None:
        self.c: list[float] = []
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.integer: list[int] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.rlo: list[float] = []
        self.rhi: list[float] = []

    def var(self, gain: float, lb: float, ub: float, integer: bool) -> int:
        self.c.append(-gain)  # HiGHS minimises
        self.lb.append(lb)
        self.ub.append(ub)
        self.integer.append(1 if integer else 0)
        return len(self.c) - 1

    def row(self, terms: Iterable[tuple[int, float]], lo: float, hi: float) -> None:
        r = len(self.rlo)
        for col, v in terms:
            self.rows.append(r)
            self.cols.append(col)
            self.vals.append(v)
        self.rlo.append(lo)
        self.rhi.append(hi)


def solve_compact(problem: Problem, time_limit: float, gap_target: float = 0.0) -> CompactResult | None:
    """The best plan HiGHS finds within the limit, or None when it finds none (infeasible or out of time)."""
    k, w = problem.team_size, problem.weights
    fixed = fixed_pairs(problem)
    b = _Builder()
    x: dict[tuple[int, int], int] = {}
    by_muni: dict[int, list[int]] = defaultdict(list)
    by_official: dict[int, list[int]] = defaultdict(list)
    for j, m in enumerate(problem.municipalities):
        for i, o in enumerate(problem.officials):
            if not allowed(o, m, problem):
                continue
            lb = 1.0 if (o.id, m.code) in fixed else 0.0
            x[i, j] = b.var(w.yukari if is_yukari(o, m) else 0.0, lb, 1.0, True)
            by_muni[j].append(i)
            by_official[i].append(j)
    for j in range(len(problem.municipalities)):
        b.row(((x[i, j], 1.0) for i in by_muni[j]), k, k)
    for i, js in by_official.items():
        b.row(((x[i, j], 1.0) for j in js), -np.inf, 1.0)
    n_stages = stage_rule_size(k)
    for j, m in enumerate(problem.municipalities):
        idx = by_muni[j]
        for f, priority in m.themes.items():
            for s in STRENGTHS:
                holders = [x[i, j] for i in idx if problem.officials[i].strengths.get(f, 0) >= s]
                if holders:
                    u = b.var(float(priority), 0.0, 1.0, False)
                    b.row([(u, 1.0)] + [(col, -1.0) for col in holders], -np.inf, 0.0)
        by_ministry: dict[str, list[int]] = defaultdict(list)
        by_stage: dict[str, list[int]] = defaultdict(list)
        for i in idx:
            by_ministry[problem.officials[i].ministry].append(x[i, j])
            by_stage[problem.officials[i].stage].append(x[i, j])
        for members in by_ministry.values():
            if len(members) > 1:
                d = b.var(-w.ministry_duplicate, 0.0, float(k - 1), False)
                b.row([(col, 1.0) for col in members] + [(d, -1.0)], -np.inf, 1.0)
        if n_stages > 1:
            for stage in STAGES:
                if by_stage[stage]:
                    p = b.var(w.missing_stage, 0.0, 1.0, False)
                    b.row([(p, 1.0)] + [(col, -1.0) for col in by_stage[stage]], -np.inf, 0.0)
    # Constant so that the objective = coverage + ゆかり − penalties (stage rewards become shortfall costs).
    stage_const = w.missing_stage * n_stages * len(problem.municipalities) if n_stages > 1 else 0.0
    a = coo_matrix((b.vals, (b.rows, b.cols)), shape=(len(b.rlo), len(b.c))).tocsr()
    res = milp(
        np.array(b.c),
        integrality=np.array(b.integer),
        bounds=Bounds(np.array(b.lb), np.array(b.ub)),
        constraints=LinearConstraint(a, np.array(b.rlo), np.array(b.rhi)),
        options={"time_limit": max(0.05, float(time_limit)), "mip_rel_gap": float(max(gap_target, 1e-6))},
    )
    if res.x is None:
        return None
    chosen = [key for key, col in x.items() if res.x[col] > 0.5]
    teams = {
        m.code: tuple(sorted(problem.officials[i].id for (i, jj) in chosen if jj == j))
        for j, m in enumerate(problem.municipalities)
    }
    dual = getattr(res, "mip_dual_bound", None)
    bound = -float(dual) - stage_const if dual is not None and np.isfinite(dual) else np.inf
    return CompactResult(teams, bound, res.status == 0)
