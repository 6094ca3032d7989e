"""The feasibility check before solving: what is short, in words the Secretariat can act on."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from sousei.domain.matching.model import (
    STAGES,
    Official,
    Problem,
    Shortage,
    allowed,
    field_name,
    fixed_pairs,
    stage_rule_size,
)


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
    fixed = fixed_pairs(problem)
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
    candidates = {m.code: [o for o in available if allowed(o, m, problem)] for m in problem.municipalities}
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
            if stage_rule_size(k) == len(STAGES) and by_stage[stage] < n:
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
                Shortage(f"テーマ「{field_name(problem, f)}」を担える支援官がいません（{c}市町村が希望）", False)
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
