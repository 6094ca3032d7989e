"""Numbers formatted for people (pages and CSV); the JSON API keeps full precision.

A 偏差値 lies in 0–100 (sousei.domain.scores): a score at a bound reads 「100以上」/「0以下」, since the value behind it
may lie far beyond (docs/methods/deviation.md). A value is rounded to its indicator's decimals (registry column
`decimals`); a whole number is written without a trailing ".0".
"""

from __future__ import annotations

import math
from typing import Any

from sousei.domain.scores import SCORE_MAX, SCORE_MIN


def score_text(v: float | None) -> str:
    """A 偏差値 for a page: one decimal, 「100以上」/「0以下」 at the bounds, 「—」 where there is none."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if v >= SCORE_MAX:
        return "100以上"
    if v <= SCORE_MIN:
        return "0以下"
    return f"{v:.1f}"


def csv_number(v: Any, digits: int) -> Any:
    """A number for a CSV cell: rounded to `digits`, an integer without ".0"; blanks and text pass through."""
    if v is None or isinstance(v, (str, bool)):
        return "" if v is None else v
    f = float(v)
    if math.isnan(f):
        return ""
    r = round(f, digits)
    return int(r) if digits <= 0 or r.is_integer() else r


SCORE_WORDS = {"na": "データなし", "weak": "弱み", "": "平均的", "strong": "強み"}


def score_band(score: float | None) -> str:
    """The tile class of a 偏差値, judged on the value as printed (one decimal): a 59.96 shown as 60.0 is strong."""
    if score is None:
        return "na"
    shown = round(score, 1)
    return "weak" if shown < 40 else "strong" if shown >= 60 else ""


def score_word(score: float | None) -> str:
    """The word a 偏差値 tile carries beside its number and colour (colour is never the only carrier)."""
    return SCORE_WORDS[score_band(score)]
