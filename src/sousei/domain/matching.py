"""伴走支援チームの編成: officials × municipalities → teams, by a mixed-integer programme (scipy.optimize.milp, HiGHS).

The model (docs/methods/banso_matching.md states it in words):

- x[i,j] ∈ {0,1}: official i joins municipality j's team. Pairs an official declared a conflict with, pairs the
  Secretariat excluded and unavailable officials get no variable at all, so they can never be chosen.
- Every team has exactly `team_size` members; every official is in at most one team (hard).
- Locks and continuation (members a continuing municipality asked to keep) fix x[i,j] = 1 (hard).
- Theme coverage: a theme f of municipality j is worth priority(j,f) × the strongest member's strength in f
  (strength 1–3). Linearised by levels: u[j,f,s] ≤ #members with strength ≥ s, u ≤ 1, worth priority per level;
  a second member in the same field adds nothing, so teams spread over the municipality's themes.
- Soft rules, each a stated weight in `Weights`: a second official of the same ministry in a team costs
  `ministry_duplicate` each; a career stage missing from a team (of three or more) costs `missing_stage` each;
  an official with ゆかり (home prefecture or a declared ゆかりのある地域) earns `yukari`.

Objective = coverage + ゆかり bonus − penalties; the solver's optimality gap is reported with it.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import maximum_flow

# 地方創生伴走支援制度: 各府省庁の公募職員（若手～シニア）. Order = seniority; used in messages and the mix rule.
STAGES: tuple[str, ...] = ("若手", "中堅", "シニア")
STRENGTHS = (1, 2, 3)  # 1 = 経験あり, 2 = 実務経験が豊富, 3 = 専門
PRIORITIES = (1, 2, 3)  # 1 = 希望, 2 = 重要, 3 = 最重要
HEURISTIC_EFFORT = 0.05
LNS_TEAMS = 12  # teams re-solved together in the local search: 12 solve in ~0.05 s, 20 take seconds
LNS_STALE = 40  # sub-problems in a row without improvement before the local search stops


@dataclass(frozen=True)
class Official:
    """A 地方創生支援官 as registered: strengths are policy-field id → 1..3."""

    id: str
    name: str
    ministry: str
    stage: str
    strengths: Mapping[str, int]
    home_pref: str | None = None  # 2-digit prefecture code
    yukari: frozenset[str] = frozenset()  # prefecture codes (2) or municipality codes (5)
    conflicts: frozenset[str] = frozenset()  # municipality codes the official must not support
    available: bool = True


@dataclass(frozen=True)
class Municipality:
    """A municipality's application: themes are policy-field id → priority 1..3; keep = members to continue with."""

    code: str
    name: str
    themes: Mapping[str, int]
    keep: tuple[str, ...] = ()

    @property
    def pref_code(self) -> str:
        return self.code[:2]


@dataclass(frozen=True)
class Weights:
    """Weights of the soft rules, in the unit of coverage (one theme of priority 1 covered at strength 1 = 1)."""

    ministry_duplicate: float = 4.0
    missing_stage: float = 3.0
    yukari: float = 1.0


@dataclass(frozen=True)
class Problem:
    officials: Sequence[Official]
    municipalities: Sequence[Municipality]
    team_size: int = 3
    weights: Weights = Weights()
    locks: frozenset[tuple[str, str]] = frozenset()  # (official id, municipality code) fixed in
    exclusions: frozenset[tuple[str, str]] = frozenset()  # (official id, municipality code) fixed out
    field_names: Mapping[str, str] = field(default_factory=dict)  # policy-field id → 日本語名, for messages


@dataclass(frozen=True)
class Shortage:
    """One finding of the feasibility check; blocking ones make a solution impossible."""

    message: str
    blocking: bool


@dataclass(frozen=True)
class MemberNote:
    official_id: str
    name: str
    ministry: str
    stage: str
    covers: tuple[tuple[str, int, bool], ...]  # (field id, strength, is the team's strongest in it)
    yukari: bool
    fixed_by: str | None  # "ロック" | "継続" | None


@dataclass(frozen=True)
class TeamExplanation:
    code: str
    name: str
    members: tuple[MemberNote, ...]
    coverage: float
    uncovered: tuple[str, ...]  # theme ids nobody in the team has
    bent: tuple[str, ...]  # soft rules bent, each with its reason, in Japanese


@dataclass(frozen=True)
class Solution:
    status: str  # "optimal" | "feasible" (time limit, gap reported) | "infeasible"
    teams: Mapping[str, tuple[str, ...]]  # municipality code → official ids
    objective: float
    bound: float  # the solver's proven upper bound on the objective
    gap: float  # (bound − objective) / max(|objective|, 1e-9); 0 when proven optimal
    seconds: float
    parts: Mapping[str, float]  # coverage, yukari, ministry_duplicate, missing_stage
    shortages: tuple[Shortage, ...]
    message: str


def _field_name(problem: Problem, field_id: str) -> str:
    return problem.field_names.get(field_id, field_id)


def _stage_rule_size(team_size: int) -> int:
    """How many distinct career stages a team should hold: all three from three members, else one per member."""
    return min(team_size, len(STAGES))


def _is_yukari(o: Official, m: Municipality) -> bool:
    return o.home_pref == m.pref_code or m.pref_code in o.yukari or m.code in o.yukari


def _fixed_pairs(problem: Problem) -> dict[tuple[str, str], str]:
    """Pairs fixed in, with why: a Secretariat lock or a continuing municipality's request."""
    fixed = {(o, m): "ロック" for o, m in problem.locks}
    for m in problem.municipalities:
        for o in m.keep:
            fixed.setdefault((o, m.code), "継続")
    return fixed


def _allowed(o: Official, m: Municipality, problem: Problem) -> bool:
    return o.available and m.code not in o.conflicts and (o.id, m.code) not in problem.exclusions


def check_feasibility(problem: Problem) -> tuple[Shortage, ...]:
    """Say what is short before solving: blocking findings make any team plan impossible, others bend soft rules."""
    out: list[Shortage] = []
    k, n = problem.team_size, len(problem.municipalities)
    if k < 1:
        return (Shortage(f"チームの人数は1人以上にしてください（指定: {k}人）", True),)
    officials = {o.id: o for o in problem.officials}
    munis = {m.code: m for m in problem.municipalities}
    for label, ids in (
        ("支援官", [o.id for o in problem.officials]),
        ("市町村", [m.code for m in problem.municipalities]),
    ):
        dup = sorted(x for x, c in Counter(ids).items() if c > 1)
        if dup:
            out.append(Shortage(f"{label}のIDが重複しています: {', '.join(dup[:5])}", True))
    available = [o for o in problem.officials if o.available]
    if len(available) < k * n:
        out.append(
            Shortage(f"参加可能な支援官が{len(available)}人しかいません（{n}チーム×{k}人＝{k * n}人に対して）", True)
        )
    # Fixed pairs must name known people, be allowed, and not overfill a team or use an official twice.
    fixed = _fixed_pairs(problem)
    per_official: dict[str, list[str]] = defaultdict(list)
    per_team: Counter[str] = Counter()
    for (oid, code), why in sorted(fixed.items()):
        o, m = officials.get(oid), munis.get(code)
        if o is None or m is None:
            what = f"支援官 {oid}" if o is None else f"市町村 {code}"
            out.append(Shortage(f"{why}の指定にある{what}が登録されていません", True))
            continue
        if not o.available:
            out.append(Shortage(f"{why}の指定にある{o.name}（{o.ministry}）は今年度参加できません", True))
        elif code in o.conflicts:
            out.append(
                Shortage(f"{o.name}は{m.name}を支援できない（利益相反）と申告していますが、{why}されています", True)
            )
        elif (oid, code) in problem.exclusions:
            out.append(Shortage(f"{o.name}は{m.name}から除外されていますが、{why}されています", True))
        per_official[oid].append(code)
        per_team[code] += 1
    for oid, codes in per_official.items():
        if len(codes) > 1:
            names = "・".join(munis[c].name for c in codes)
            out.append(Shortage(f"{officials[oid].name}が複数のチーム（{names}）に固定されています", True))
    for code, c in per_team.items():
        if c > k:
            out.append(Shortage(f"{munis[code].name}に{c}人が固定されています（チームは{k}人）", True))
    # Each municipality needs k candidates; then the whole plan needs a matching (max flow) of k·n.
    candidates = {m.code: [o for o in available if _allowed(o, m, problem)] for m in problem.municipalities}
    for m in problem.municipalities:
        if len(candidates[m.code]) < k:
            out.append(
                Shortage(
                    f"{m.name}（{m.code}）を支援できる支援官が{len(candidates[m.code])}人しかいません（{k}人必要）",
                    True,
                )
            )
    if not any(s.blocking for s in out) and n:
        flow = _max_assignable(problem, candidates)
        if flow < k * n:
            out.append(
                Shortage(f"利益相反・除外の組合せにより、同時に配置できるのは最大{flow}人です（{k * n}人必要）", True)
            )
    # Soft shortages: career stages, and themes no available official can cover.
    if n and k >= 1:
        by_stage = Counter(o.stage for o in available)
        for stage in STAGES:
            if _stage_rule_size(k) == len(STAGES) and by_stage[stage] < n:
                out.append(
                    Shortage(
                        f"{stage}が{by_stage[stage]}人しかいません（{n}チームに対して）。"
                        f"少なくとも{n - by_stage[stage]}チームは{stage}なしになります",
                        False,
                    )
                )
    wanted: Counter[str] = Counter(f for m in problem.municipalities for f in m.themes)
    have = {f for o in available for f in o.strengths}
    for f, c in sorted(wanted.items()):
        if f not in have:
            out.append(
                Shortage(f"テーマ「{_field_name(problem, f)}」を担える支援官がいません（{c}市町村が希望）", False)
            )
    return tuple(out)


def _max_assignable(problem: Problem, candidates: Mapping[str, list[Official]]) -> int:
    """Largest number of seats fillable at once: source → team (cap k) → official (cap 1) → sink."""
    k = problem.team_size
    oidx = {o.id: i for i, o in enumerate(problem.officials)}
    n_m, n_o = len(problem.municipalities), len(problem.officials)
    src, sink = 0, 1 + n_m + n_o
    rows, cols, caps = [], [], []
    for j, m in enumerate(problem.municipalities):
        rows.append(src)
        cols.append(1 + j)
        caps.append(k)
        for o in candidates[m.code]:
            rows.append(1 + j)
            cols.append(1 + n_m + oidx[o.id])
            caps.append(1)
    for i in range(n_o):
        rows.append(1 + n_m + i)
        cols.append(sink)
        caps.append(1)
    g = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(sink + 1, sink + 1))
    return int(maximum_flow(g, src, sink).flow_value)


class _Builder:
    """Columns and rows of the MILP, collected as triplets; auxiliary columns remember how to derive their value."""

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
        self.capped: list[tuple[int, list[int]]] = []  # aux = min(1, Σ x)
        self.excess: list[tuple[int, list[int]]] = []  # aux = max(0, Σ x − 1)

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

    def start(self, x_cols: Iterable[int]) -> np.ndarray:
        """A full column vector from the chosen x columns (the heuristic plan), for HiGHS as its first incumbent."""
        v = np.zeros(len(self.c))
        v[list(x_cols)] = 1.0
        for col, xs in self.capped:
            v[col] = min(1.0, float(v[xs].sum()))
        for col, xs in self.excess:
            v[col] = max(0.0, float(v[xs].sum()) - 1.0)
        return v


def solve(
    problem: Problem, time_limit: float = 60.0, gap_target: float = 0.0, start_budget: float | None = None
) -> Solution:
    """Form the teams. Infeasible supply comes back as status "infeasible" with the shortages, never an exception.

    A local-search plan (`heuristic_plan`) is handed to HiGHS as its first incumbent: HiGHS's own heuristics find
    good plans slowly on this model, while its root bound is tight, so the start is what lets it close the gap.
    """
    t0 = time.perf_counter()
    shortages = check_feasibility(problem)
    empty = {"coverage": 0.0, "yukari": 0.0, "ministry_duplicate": 0.0, "missing_stage": 0.0}
    if any(s.blocking for s in shortages):
        msg = "編成できません: " + " / ".join(s.message for s in shortages if s.blocking)
        return Solution("infeasible", {}, math.nan, math.nan, math.nan, time.perf_counter() - t0, empty, shortages, msg)
    k, w = problem.team_size, problem.weights
    fixed = _fixed_pairs(problem)
    b = _Builder()
    x: dict[tuple[int, int], int] = {}
    by_muni: dict[int, list[int]] = defaultdict(list)
    by_official: dict[int, list[int]] = defaultdict(list)
    for j, m in enumerate(problem.municipalities):
        for i, o in enumerate(problem.officials):
            if not _allowed(o, m, problem):
                continue
            lb = 1.0 if (o.id, m.code) in fixed else 0.0
            x[i, j] = b.var(w.yukari if _is_yukari(o, m) else 0.0, lb, 1.0, True)
            by_muni[j].append(i)
            by_official[i].append(j)
    for j in range(len(problem.municipalities)):
        b.row(((x[i, j], 1.0) for i in by_muni[j]), k, k)
    for i, js in by_official.items():
        b.row(((x[i, j], 1.0) for j in js), -np.inf, 1.0)
    n_stages = _stage_rule_size(k)
    for j, m in enumerate(problem.municipalities):
        idx = by_muni[j]
        for f, priority in m.themes.items():
            for s in STRENGTHS:
                holders = [x[i, j] for i in idx if problem.officials[i].strengths.get(f, 0) >= s]
                if holders:
                    u = b.var(float(priority), 0.0, 1.0, False)
                    b.row([(u, 1.0)] + [(col, -1.0) for col in holders], -np.inf, 0.0)
                    b.capped.append((u, holders))
        by_ministry: dict[str, list[int]] = defaultdict(list)
        by_stage: dict[str, list[int]] = defaultdict(list)
        for i in idx:
            by_ministry[problem.officials[i].ministry].append(x[i, j])
            by_stage[problem.officials[i].stage].append(x[i, j])
        for members in by_ministry.values():
            if len(members) > 1:
                d = b.var(-w.ministry_duplicate, 0.0, float(k - 1), False)
                b.row([(col, 1.0) for col in members] + [(d, -1.0)], -np.inf, 1.0)
                b.excess.append((d, members))
        if n_stages > 1:
            for stage in STAGES:
                if by_stage[stage]:
                    p = b.var(w.missing_stage, 0.0, 1.0, False)
                    b.row([(p, 1.0)] + [(col, -1.0) for col in by_stage[stage]], -np.inf, 0.0)
                    b.capped.append((p, by_stage[stage]))
    # Constant so that the reported objective = coverage + ゆかり − penalties (stage rewards become shortfall costs).
    stage_const = w.missing_stage * n_stages * len(problem.municipalities) if n_stages > 1 else 0.0
    budget = min(0.4 * time_limit, 20.0) if start_budget is None else start_budget
    plan = heuristic_plan(problem, time_budget=budget) if budget > 0 else None
    start = None
    if plan is not None:
        code_index = {m.code: j for j, m in enumerate(problem.municipalities)}
        official_index = {o.id: i for i, o in enumerate(problem.officials)}
        start = b.start(x[official_index[o], code_index[c]] for c, ids in plan.items() for o in ids)
    remaining = max(1.0, time_limit - (time.perf_counter() - t0))
    col_value, status_ok, bound_raw, message = _run_highs(b, start, remaining, gap_target)
    seconds = time.perf_counter() - t0
    if col_value is None:
        return Solution("infeasible", {}, math.nan, math.nan, math.nan, seconds, empty, shortages, message)
    chosen = {key for key, col in x.items() if col_value[col] > 0.5}
    teams = {
        m.code: tuple(sorted(problem.officials[i].id for (i, jj) in chosen if jj == j))
        for j, m in enumerate(problem.municipalities)
    }
    parts = score_parts(problem, teams)
    objective = parts["coverage"] + parts["yukari"] - parts["ministry_duplicate"] - parts["missing_stage"]
    # No finite dual bound (the root LP did not finish in time): the gap is unknown, reported as infinite.
    bound = max(-bound_raw - stage_const, objective) if np.isfinite(bound_raw) else math.inf
    gap = (bound - objective) / max(abs(objective), 1e-9) if np.isfinite(bound) else math.inf
    status = "optimal" if status_ok and gap <= max(gap_target, 1e-4) else "feasible"
    return Solution(status, teams, objective, bound, gap, seconds, parts, shortages, message)


def _run_highs(
    b: _Builder, start: np.ndarray | None, time_limit: float, gap_target: float
) -> tuple[np.ndarray | None, bool, float, str]:
    """Solve with HiGHS: (column values or None, finished by its own criteria, dual bound, message).

    scipy.optimize.milp cannot take a starting solution, so the model goes to the HiGHS build that scipy ships
    (`scipy.optimize._highspy._core`, the object milp itself drives); docs/decisions.md says why.
    """
    from scipy.optimize._highspy import _core as highs

    n_vars, n_rows = len(b.c), len(b.rlo)
    a = coo_matrix((b.vals, (b.rows, b.cols)), shape=(n_rows, n_vars)).tocsc()
    lp = highs.HighsLp()
    lp.num_col_, lp.num_row_ = n_vars, n_rows
    lp.col_cost_ = np.array(b.c)
    lp.col_lower_, lp.col_upper_ = np.array(b.lb), np.array(b.ub)
    lp.row_lower_ = np.where(np.isfinite(b.rlo), b.rlo, -highs.kHighsInf)
    lp.row_upper_ = np.where(np.isfinite(b.rhi), b.rhi, highs.kHighsInf)
    lp.a_matrix_.format_ = highs.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_vars, n_rows
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    lp.integrality_ = [highs.HighsVarType.kInteger if v else highs.HighsVarType.kContinuous for v in b.integer]
    h = highs._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(max(gap_target, 1e-4)))
    h.setOptionValue("mip_heuristic_effort", HEURISTIC_EFFORT)
    h.passModel(lp)
    if start is not None:
        sol = highs.HighsSolution()
        sol.col_value = start
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    model_status = h.getModelStatus()
    message = h.modelStatusToString(model_status)
    info = h.getInfo()
    # Stop HiGHS's worker threads after each solve, so none is alive at interpreter exit: the full test suite once
    # aborted at exit ("terminate called after throwing an instance of ''"), a known way worker threads that are
    # cancelled at exit fail; whether HiGHS's were the cause is not proven.
    highs._Highs.resetGlobalScheduler(True)
    if info.primal_solution_status == 0:  # no feasible solution
        why = "制約を満たす編成がありません" if model_status == highs.HighsModelStatus.kInfeasible else message
        return None, False, math.nan, why
    values = np.array(h.getSolution().col_value)
    return values, model_status == highs.HighsModelStatus.kOptimal, float(info.mip_dual_bound), message


def score_parts(problem: Problem, teams: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """Score a team plan by the model's own terms: a check on the solver and the scale for brute force."""
    officials = {o.id: o for o in problem.officials}
    w = problem.weights
    n_stages = _stage_rule_size(problem.team_size)
    parts = {"coverage": 0.0, "yukari": 0.0, "ministry_duplicate": 0.0, "missing_stage": 0.0}
    for m in problem.municipalities:
        members = [officials[i] for i in teams.get(m.code, ())]
        parts["coverage"] += _coverage(m, members)
        parts["yukari"] += w.yukari * sum(_is_yukari(o, m) for o in members)
        dup = sum(c - 1 for c in Counter(o.ministry for o in members).values())
        parts["ministry_duplicate"] += w.ministry_duplicate * dup
        if n_stages > 1:
            parts["missing_stage"] += w.missing_stage * (n_stages - len({o.stage for o in members}))
    return parts


def _coverage(m: Municipality, members: Sequence[Official]) -> float:
    return float(sum(p * max((o.strengths.get(f, 0) for o in members), default=0) for f, p in m.themes.items()))


def violations(problem: Problem, teams: Mapping[str, Sequence[str]]) -> list[str]:
    """Hard rules a plan breaks (empty = valid): team size, one team per official, conflicts, exclusions, locks."""
    officials = {o.id: o for o in problem.officials}
    out: list[str] = []
    seen: Counter[str] = Counter(i for ids in teams.values() for i in ids)
    out += [f"{i} is in {c} teams" for i, c in seen.items() if c > 1]
    for m in problem.municipalities:
        ids = teams.get(m.code, ())
        if len(ids) != problem.team_size:
            out.append(f"{m.code} has {len(ids)} members")
        for i in ids:
            o = officials.get(i)
            if o is None or not _allowed(o, m, problem):
                out.append(f"{i} may not support {m.code}")
    for (i, code), _why in _fixed_pairs(problem).items():
        if i not in teams.get(code, ()):
            out.append(f"fixed {i} → {code} not honoured")
    return out


def explain(problem: Problem, solution: Solution) -> list[TeamExplanation]:
    """Per team: which themes each member covers, ゆかり, fixed members, and the soft rules bent with their reason."""
    officials = {o.id: o for o in problem.officials}
    fixed = _fixed_pairs(problem)
    available = [o for o in problem.officials if o.available]
    stage_supply = Counter(o.stage for o in available)
    n_teams = len(problem.municipalities)
    w = problem.weights
    out: list[TeamExplanation] = []
    for m in problem.municipalities:
        members = [officials[i] for i in solution.teams.get(m.code, ())]
        notes = []
        for o in members:
            covers = tuple(
                (f, o.strengths[f], o.strengths[f] == max(x.strengths.get(f, 0) for x in members))
                for f in m.themes
                if f in o.strengths
            )
            notes.append(
                MemberNote(o.id, o.name, o.ministry, o.stage, covers, _is_yukari(o, m), fixed.get((o.id, m.code)))
            )
        uncovered = tuple(f for f in m.themes if not any(f in o.strengths for o in members))
        bent: list[str] = []
        for ministry, c in Counter(o.ministry for o in members).items():
            if c < 2:
                continue
            same = [o for o in members if o.ministry == ministry]
            pinned = [o for o in same if (o.id, m.code) in fixed]
            if len(pinned) >= 2:
                why = "、".join(f"{o.name}（{fixed[o.id, m.code]}）" for o in pinned) + "が固定されているため"
            else:
                themes = (
                    "・".join(sorted({_field_name(problem, f) for o in same for f in m.themes if f in o.strengths}))
                    or "なし"
                )
                why = (
                    f"両者が担うテーマ（{themes}）を他府省庁の候補で置き換えると、全体の得点が"
                    f"罰則{w.ministry_duplicate:g}点より大きく下がるため"
                )
            bent.append(f"同じ府省庁（{ministry}）から{c}人: {why}")
        if _stage_rule_size(problem.team_size) == len(STAGES):
            for stage in STAGES:
                if any(o.stage == stage for o in members):
                    continue
                if stage_supply[stage] < n_teams:
                    why = f"{stage}が全体で{stage_supply[stage]}人しかいないため（{n_teams}チーム）"
                elif any(
                    o.stage == stage and (o.id, m.code) not in problem.exclusions and m.code not in o.conflicts
                    for o in available
                ):
                    why = (
                        f"{stage}の候補は他のチームでより多くのテーマを担っており、ここに移すと全体の得点が"
                        f"罰則{w.missing_stage:g}点より大きく下がるため"
                    )
                else:
                    why = f"この市町村を支援できる{stage}がいないため（利益相反・除外）"
                bent.append(f"{stage}がいません: {why}")
        out.append(TeamExplanation(m.code, m.name, tuple(notes), _coverage(m, members), uncovered, tuple(bent)))
    return out


def heuristic_plan(problem: Problem, time_budget: float = 5.0, seed: int = 0) -> dict[str, tuple[str, ...]] | None:
    """A good plan fast, as HiGHS's first incumbent: an assignment of officials to seats (scipy's
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
    allowed = np.array([[_allowed(o, m, problem) for o in officials] for m in munis], dtype=bool)
    yukari = np.array([[_is_yukari(o, m) for o in officials] for m in munis], dtype=float)
    own_value = priority @ strength.T + w.yukari * yukari  # (municipality, official)
    index_of = {o.id: i for i, o in enumerate(officials)}
    team: list[list[int]] = [[] for _ in range(n_m)]
    pinned: set[int] = set()
    for (oid, code), _why in _fixed_pairs(problem).items():
        j = next(jj for jj, m in enumerate(munis) if m.code == code)
        team[j].append(index_of[oid])
        pinned.add(index_of[oid])
    free = [i for i in range(n_o) if i not in pinned and officials[i].available]
    seats: list[tuple[int, str | None]] = []
    n_stages = _stage_rule_size(k)
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
        ok = allowed[j, free]
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
        gain = np.where(allowed[open_teams][:, pool], gain, forbidden)
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
    plan = {m.code: tuple(sorted(officials[i].id for i in team[j])) for j, m in enumerate(munis)}
    return _improve_by_subproblems(problem, plan, t0 + time_budget, rng) if n_m > 4 else plan


def _improve_by_subproblems(
    problem: Problem, plan: dict[str, tuple[str, ...]], deadline: float, rng: np.random.Generator
) -> dict[str, tuple[str, ...]]:
    """Large-neighbourhood search: re-solve a few teams at a time exactly (their members and the unassigned
    officials, other teams untouched), keeping each sub-plan only if it scores higher."""
    officials = {o.id: o for o in problem.officials}
    munis = list(problem.municipalities)
    fixed = _fixed_pairs(problem)
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
        old = score_parts(sub, {m.code: plan[m.code] for m in chosen})
        result = solve(sub, time_limit=min(2.0, max(0.2, deadline - time.perf_counter())), start_budget=0.0)
        stale += 1
        if result.teams and result.objective > _total(old) + 1e-9:
            stale = 0
            plan.update(result.teams)
            assigned = {i for ids in plan.values() for i in ids}
            spare = [o for o in problem.officials if o.available and o.id not in assigned]
    return plan


def _total(parts: Mapping[str, float]) -> float:
    return parts["coverage"] + parts["yukari"] - parts["ministry_duplicate"] - parts["missing_stage"]
