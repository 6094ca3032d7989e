"""伴走支援 evaluations: survey answers → the deck's aggregated views (averages, distributions, reasons table).

The questions and the 12 reasons are defined once, in banso_reference.toml (the deck's wording); the same file holds
the first year's published results, shown beside the answers collected in the app.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

RATINGS = (5, 4, 3, 2, 1)  # 5（良い）～1（悪い）
# 後方支援の活用: the deck reports the share answering 「わからない、活用したことがない」.
BACK_OFFICE_OPTIONS = {
    "used": "活用した",
    "known_unused": "知っているが活用していない",
    "unknown": "わからない、活用したことがない",
}
CONTINUATION_YEARS = (1, 2, 3, 4, 5)  # 「何年程度必要」: 5 = 5年以上


@cache
def load_reference() -> dict[str, Any]:
    """The deck's first-year figures (see the file's header for what is and is not printed in the deck)."""
    text = files("sousei.domain").joinpath("banso_reference.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def reasons() -> list[tuple[str, str]]:
    """The 12 reasons of the officials' survey as (id, text), in the deck's order."""
    return [(r["id"], r["text"]) for r in load_reference()["official_survey"]["reasons"]]


@dataclass(frozen=True)
class RatingSummary:
    answers: int
    mean: float | None  # None when there are no answers: shown as 「データなし」
    distribution: Mapping[int, int]  # rating → count, 5..1


@dataclass(frozen=True)
class ReasonRow:
    id: str
    text: str
    count: int
    share_pct: float  # count / answers × 100, one decimal (the deck's 割合)


def summarise_ratings(ratings: Iterable[int]) -> RatingSummary:
    values = list(ratings)
    bad = [v for v in values if v not in RATINGS]
    if bad:
        raise ValueError(f"評価は1〜5の整数です（不正な値: {bad[:5]}）")
    counts = Counter(values)
    mean = round(sum(values) / len(values), 1) if values else None
    return RatingSummary(len(values), mean, {r: counts.get(r, 0) for r in RATINGS})


def reasons_table(selections: Sequence[Iterable[str]]) -> list[ReasonRow]:
    """Counts and shares of each reason among the officials who answered (multiple choice), in the deck's order."""
    known = dict(reasons())
    counts: Counter[str] = Counter()
    for chosen in selections:
        picked = set(chosen)
        unknown = picked - known.keys()
        if unknown:
            raise ValueError(f"理由の選択肢にないIDです: {sorted(unknown)}")
        counts.update(picked)
    n = len(selections)
    rows = [
        ReasonRow(rid, text, counts[rid], round(100 * counts[rid] / n, 1) if n else 0.0) for rid, text in known.items()
    ]
    return sorted(rows, key=lambda r: -r.count) if n else rows


def continuation_summary(answers: Iterable[tuple[bool, int | None]]) -> dict[str, Any]:
    """(継続が必要か, 何年程度) → counts: yes / no, and the years among those who said yes."""
    items = list(answers)
    years = Counter(y for wants, y in items if wants and y is not None)
    return {
        "answers": len(items),
        "continue": sum(1 for wants, _ in items if wants),
        "stop": sum(1 for wants, _ in items if not wants),
        "years": {y: years.get(y, 0) for y in CONTINUATION_YEARS},
    }


def back_office_summary(answers: Iterable[str]) -> dict[str, tuple[int, float]]:
    """後方支援の活用 → (count, share %) per option."""
    values = list(answers)
    bad = sorted(set(values) - BACK_OFFICE_OPTIONS.keys())
    if bad:
        raise ValueError(f"後方支援の回答が不正です: {bad}")
    n = len(values)
    return {k: (values.count(k), round(100 * values.count(k) / n, 1) if n else 0.0) for k in BACK_OFFICE_OPTIONS}


def mean_by_group(rows: Iterable[tuple[str, int]]) -> list[tuple[str, int, float]]:
    """(group, rating) → (group, answers, mean) sorted by answers: the by-field and by-ministry views."""
    groups: dict[str, list[int]] = {}
    for group, rating in rows:
        groups.setdefault(group, []).append(rating)
    out = [(g, len(v), round(sum(v) / len(v), 1)) for g, v in groups.items()]
    return sorted(out, key=lambda r: (-r[1], r[0]))
