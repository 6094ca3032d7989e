"""Magnitude words from stated thresholds, and deterministic choice among phrasings.

The thresholds are the same everywhere in the report and are printed once in its methods section (from the facts
`method.*`, which `facts.gather` records from these constants).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

# 偏差値 (over the 1,741 municipalities, in the value's own direction): lower bound → word.
LEVEL_WORDS: tuple[tuple[float, str], ...] = (
    (60.0, "全国的に高い水準"),
    (55.0, "やや高い水準"),
    (45.0, "全国平均並み"),
    (40.0, "やや低い水準"),
    (float("-inf"), "低い水準"),
)
FLAT_CHANGE_PCT = 1.0  # a change within ±1% is 「横ばい」
# The positive deviants of the peer group: 偏差値 within the group at or above this.
DEVIANT_SCORE = 60.0


def level_word(deviation: float | None) -> str | None:
    if deviation is None:
        return None
    return next(word for bound, word in LEVEL_WORDS if deviation >= bound)


def change_word(pct: float, up: str = "増加", down: str = "減少") -> str:
    if abs(pct) < FLAT_CHANGE_PCT:
        return "横ばい"
    return up if pct > 0 else down


def choose(variants: Sequence[str], *key: str) -> str:
    """One of several phrasings, chosen by a hash of the municipality and the finding: varied, yet reproducible."""
    digest = hashlib.sha1("|".join(key).encode()).digest()
    return variants[int.from_bytes(digest[:4], "big") % len(variants)]
