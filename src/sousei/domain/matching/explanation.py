"""Per team, the reasons the Secretariat can defend: who covers which theme, and each soft rule bent with why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sousei.domain.matching.model import (
    STAGES,
    Problem,
    Solution,
    coverage,
    field_name,
    fixed_pairs,
    is_yukari,
    stage_rule_size,
)


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


def explain(problem: Problem, solution: Solution) -> list[TeamExplanation]:
    """Per team: which themes each member covers, ゆかり, fixed members, and the soft rules bent with their reason."""
    officials = {o.id: o for o in problem.officials}
    fixed = fixed_pairs(problem)
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
                MemberNote(o.id, o.name, o.ministry, o.stage, covers, is_yukari(o, m), fixed.get((o.id, m.code)))
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
                    "・".join(sorted({field_name(problem, f) for o in same for f in m.themes if f in o.strengths}))
                    or "なし"
                )
                why = (
                    f"両者が担うテーマ（{themes}）を他府省庁の候補で置き換えると、全体の得点が"
                    f"罰則{w.ministry_duplicate:g}点より大きく下がるため"
                )
            bent.append(f"同じ府省庁（{ministry}）から{c}人: {why}")
        if stage_rule_size(problem.team_size) == len(STAGES):
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
        out.append(TeamExplanation(m.code, m.name, tuple(notes), coverage(m, members), uncovered, tuple(bent)))
    return out
