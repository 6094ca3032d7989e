"""Which good practices to show a municipality, each with its reason in one line (pure: no database, no warehouse).

Two kinds, documented in docs/methods/cases.md:

1. **Its priority issues.** Every priority issue (out_diagnosis__priority_issues, most pressing first) names
   catalog themes through theme_map.toml; a case sharing a theme with an issue is recommended with the first
   (most pressing) such issue as its reason: 「優先課題『女性の就業率（15歳以上）』に関連」. Cases are ordered by
   Σ 1/rank over the issues they address, so a case that meets several pressing issues comes first.
2. **Similar municipalities.** A case located in a municipality of the same 類似団体 group (peer group) is
   recommended as 「類似団体（人口1〜5万人・町村Ⅳ-1）の事例」; failing enough of those, cases from municipalities of
   the same population band follow as 「人口規模が近い団体（人口1〜5万人）の事例」, nearer populations first.

The municipality's own cases are never recommended to itself, and a case appears once (its issue reason wins).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

THEME_MAP_FILE = Path(__file__).parent / "theme_map.toml"
MAX_ISSUE_CASES = 5
MAX_PEER_CASES = 4
ISSUES_CONSIDERED = 10  # the most pressing issues only: further down the list an issue is a weak signal

# Population bands (total population, 2020 census) for 「人口規模が近い団体」; the lower bound is inclusive.
SIZE_BANDS: tuple[tuple[float, str], ...] = (
    (0, "人口1万人未満"),
    (10_000, "人口1〜5万人"),
    (50_000, "人口5〜10万人"),
    (100_000, "人口10〜30万人"),
    (300_000, "人口30万人以上"),
)


def size_band(population: float | None) -> str | None:
    if population is None or math.isnan(population):
        return None
    label = None
    for lower, name in SIZE_BANDS:
        if population >= lower:
            label = name
    return label


@dataclass(frozen=True)
class CaseFacts:
    """What the recommender needs of a published case."""

    id: str
    name: str
    place: str
    themes: tuple[str, ...]
    muni_codes: tuple[str, ...]


@dataclass(frozen=True)
class MuniFacts:
    code: str
    peer_group: str | None
    population: float | None


@dataclass(frozen=True)
class Issue:
    rank: int
    indicator_id: str
    family: str
    name: str


@dataclass(frozen=True)
class Recommendation:
    case_id: str
    kind: str  # "issue" or "peer"
    reason: str


@cache
def theme_map() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(by family, by indicator id) from theme_map.toml, every theme checked against the policy fields."""
    from sousei.desk.policy_fields import BY_ID

    data = tomllib.loads(THEME_MAP_FILE.read_text(encoding="utf-8"))
    out = []
    for section in ("family", "indicator"):
        table = {k: tuple(v) for k, v in data[section].items()}
        for key, themes in table.items():
            unknown = [t for t in themes if t not in BY_ID]
            if unknown:
                raise ValueError(f"{THEME_MAP_FILE.name} [{section}] {key}: unknown theme(s) {unknown}")
        out.append(table)
    return out[0], out[1]


def issue_themes(issue: Issue) -> tuple[str, ...]:
    by_family, by_indicator = theme_map()
    return by_indicator.get(issue.indicator_id, by_family.get(issue.family, ()))


def recommend_one(
    muni: MuniFacts,
    issues: Sequence[Issue],
    cases: Sequence[CaseFacts],
    munis: Mapping[str, MuniFacts],
) -> list[Recommendation]:
    """The recommendations for one municipality: issue cases first, then similar-municipality cases."""
    foreign = [c for c in cases if muni.code not in c.muni_codes]
    out: list[Recommendation] = []
    scores: dict[str, float] = {}
    first_reason: dict[str, str] = {}
    for issue in sorted(issues, key=lambda i: i.rank)[:ISSUES_CONSIDERED]:
        themes = set(issue_themes(issue))
        for case in foreign:
            if themes.intersection(case.themes):
                scores[case.id] = scores.get(case.id, 0.0) + 1.0 / issue.rank
                first_reason.setdefault(case.id, f"優先課題『{issue.name}』に関連")
    for case_id in sorted(scores, key=lambda c: (-scores[c], c))[:MAX_ISSUE_CASES]:
        out.append(Recommendation(case_id, "issue", first_reason[case_id]))
    shown = {r.case_id for r in out}
    band = size_band(muni.population)
    same_group: list[tuple[float, str]] = []
    same_band: list[tuple[float, str]] = []
    for case in foreign:
        if case.id in shown:
            continue
        best_peer, best_band = math.inf, math.inf
        for code in case.muni_codes:
            other = munis.get(code)
            if other is None:
                continue
            distance = _size_distance(muni.population, other.population)
            if muni.peer_group and other.peer_group == muni.peer_group:
                best_peer = min(best_peer, distance)
            elif band is not None and size_band(other.population) == band:
                best_band = min(best_band, distance)
        if best_peer < math.inf:
            same_group.append((best_peer, case.id))
        elif best_band < math.inf:
            same_band.append((best_band, case.id))
    label_group = f"類似団体（{band + '・' if band else ''}{muni.peer_group}）の事例"
    for _, case_id in sorted(same_group)[:MAX_PEER_CASES]:
        out.append(Recommendation(case_id, "peer", label_group))
    room = MAX_PEER_CASES - min(len(same_group), MAX_PEER_CASES)
    for _, case_id in sorted(same_band)[:room]:
        out.append(Recommendation(case_id, "peer", f"人口規模が近い団体（{band}）の事例"))
    return out


def _size_distance(a: float | None, b: float | None) -> float:
    """|log a − log b|: how far two populations are apart (0 when either is unknown, so they sort by id)."""
    if not a or not b or math.isnan(a) or math.isnan(b):
        return 0.0
    return abs(math.log(a) - math.log(b))


def recommend_all(
    munis: Iterable[MuniFacts],
    issues: Mapping[str, Sequence[Issue]],
    cases: Sequence[CaseFacts],
) -> dict[str, list[Recommendation]]:
    """Recommendations for every municipality (precomputed once per warehouse and catalog state)."""
    index = {m.code: m for m in munis}
    return {code: recommend_one(m, issues.get(code, ()), cases, index) for code, m in index.items()}
