"""The data of 伴走支援 team forming — officials, applications, weights, solutions — and a plan's score and the
hard rules it breaks. Every other module of the package reads these definitions; none is repeated there."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# 地方創生伴走支援制度: 各府省庁の公募職員（若手～シニア）. Order = seniority; used in messages and the mix rule.
STAGES: tuple[str, ...] = ("若手", "中堅", "シニア")
STRENGTHS = (1, 2, 3)  # 1 = 経験あり, 2 = 実務経験が豊富, 3 = 専門
PRIORITIES = (1, 2, 3)  # 1 = 希望, 2 = 重要, 3 = 最重要
PARTS = ("coverage", "yukari", "ministry_duplicate", "missing_stage")


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
class Solution:
    status: str  # "optimal" | "feasible" (time limit, gap reported) | "infeasible"
    teams: Mapping[str, tuple[str, ...]]  # municipality code → official ids
    objective: float
    bound: float  # a proven upper bound on the objective (a valid relaxation's value; docs/methods/banso_matching.md)
    gap: float  # (bound − objective) / max(|objective|, 1e-9); 0 when proven optimal
    seconds: float
    parts: Mapping[str, float]  # coverage, yukari, ministry_duplicate, missing_stage
    shortages: tuple[Shortage, ...]
    message: str


def field_name(problem: Problem, field_id: str) -> str:
    return problem.field_names.get(field_id, field_id)


def stage_rule_size(team_size: int) -> int:
    """How many distinct career stages a team should hold: all three from three members, else one per member."""
    return min(team_size, len(STAGES))


def is_yukari(o: Official, m: Municipality) -> bool:
    return o.home_pref == m.pref_code or m.pref_code in o.yukari or m.code in o.yukari


def fixed_pairs(problem: Problem) -> dict[tuple[str, str], str]:
    """Pairs fixed in, with why: a Secretariat lock or a continuing municipality's request."""
    fixed = {(o, m): "ロック" for o, m in problem.locks}
    for m in problem.municipalities:
        for o in m.keep:
            fixed.setdefault((o, m.code), "継続")
    return fixed


def allowed(o: Official, m: Municipality, problem: Problem) -> bool:
    return o.available and m.code not in o.conflicts and (o.id, m.code) not in problem.exclusions


def score_parts(problem: Problem, teams: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """Score a team plan by the model's own terms: a check on the solver and the scale for brute force."""
    officials = {o.id: o for o in problem.officials}
    w = problem.weights
    n_stages = stage_rule_size(problem.team_size)
    parts = {"coverage": 0.0, "yukari": 0.0, "ministry_duplicate": 0.0, "missing_stage": 0.0}
    for m in problem.municipalities:
        members = [officials[i] for i in teams.get(m.code, ())]
        parts["coverage"] += coverage(m, members)
        parts["yukari"] += w.yukari * sum(is_yukari(o, m) for o in members)
        dup = sum(c - 1 for c in Counter(o.ministry for o in members).values())
        parts["ministry_duplicate"] += w.ministry_duplicate * dup
        if n_stages > 1:
            parts["missing_stage"] += w.missing_stage * (n_stages - len({o.stage for o in members}))
    return parts


def coverage(m: Municipality, members: Sequence[Official]) -> float:
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
            if o is None or not allowed(o, m, problem):
                out.append(f"{i} may not support {m.code}")
    for (i, code), _why in fixed_pairs(problem).items():
        if i not in teams.get(code, ()):
            out.append(f"fixed {i} → {code} not honoured")
    return out


def total(parts: Mapping[str, float]) -> float:
    """The objective from its parts: coverage + ゆかり − penalties."""
    return parts["coverage"] + parts["yukari"] - parts["ministry_duplicate"] - parts["missing_stage"]
