"""伴走支援チームの編成: officials × municipalities → teams, by column generation and mixed-integer programming.

The problem (docs/methods/banso_matching.md states it in words): every team has exactly `team_size` members and
every official is in at most one team (hard); conflicts, exclusions and unavailability forbid pairs; locks and
continuation fix pairs. A team is worth the coverage of its municipality's themes (priority × the strongest member's
strength), plus a ゆかり bonus, minus the soft-rule penalties (ministry duplicates, missing career stages).

Modules, one job each:
- `model`: the data (officials, applications, weights, solutions), a plan's score and its hard-rule violations.
- `feasibility`: what is short before solving.
- `teams`: every team of one municipality above a value, exactly — the pricing step and the Lagrangian bound.
- `compact`: the compact MILP (one 0/1 variable per official × municipality) for small sub-problems.
- `heuristic`: a quick plan (assignment and ejection rounds) and the large-neighbourhood search.
- `solver`: `solve` — column generation for the bound, rounding and sub-MILPs for the plan, the proven gap.
- `explanation`: per team, who covers what and which soft rules were bent and why.
"""

from sousei.domain.matching.explanation import MemberNote, TeamExplanation, explain
from sousei.domain.matching.feasibility import check_feasibility
from sousei.domain.matching.heuristic import heuristic_plan
from sousei.domain.matching.model import (
    PRIORITIES,
    STAGES,
    STRENGTHS,
    Municipality,
    Official,
    Problem,
    Shortage,
    Solution,
    Weights,
    score_parts,
    violations,
)
from sousei.domain.matching.solver import solve

__all__ = [
    "PRIORITIES",
    "STAGES",
    "STRENGTHS",
    "MemberNote",
    "Municipality",
    "Official",
    "Problem",
    "Shortage",
    "Solution",
    "TeamExplanation",
    "Weights",
    "check_feasibility",
    "explain",
    "heuristic_plan",
    "score_parts",
    "solve",
    "violations",
]
