"""人口戦略会議 (April 2024) sustainability classes from the change of women aged 20–39, 2020 → 2050.

Two runs: the baseline with migration (移動仮定) and the closed population (封鎖人口). Thresholds at −20% and
−50% give a 3 × 3 matrix (sub-classes A–I, this project's lettering: closed rows, baseline columns) and the
four groups of the report. Also the 2014 日本創成会議 definition (women 20–39 halving over 30 years).
"""

from __future__ import annotations

import numpy as np

SELF_SUSTAINING = "自立持続可能性自治体"
BLACK_HOLE = "ブラックホール型自治体"
VANISHING = "消滅可能性自治体"
OTHER = "その他"
GROUPS = (SELF_SUSTAINING, BLACK_HOLE, VANISHING, OTHER)

# band: 0 = decline under 20%, 1 = 20% up to 50%, 2 = 50% or more
# SUB_CLASS[closed band][baseline band]
SUB_CLASS = (("A", "B", "C"), ("D", "E", "F"), ("G", "H", "I"))
GROUP_OF = {
    "A": SELF_SUSTAINING,  # both under 20%
    "B": OTHER,
    "C": VANISHING,  # baseline 50%+
    "D": OTHER,
    "E": OTHER,
    "F": VANISHING,
    "G": BLACK_HOLE,  # closed 50%+ (natural decline) but inflows keep the baseline under 50%
    "H": BLACK_HOLE,
    "I": VANISHING,
}

REGIONS = {
    "北海道": ["01"],
    "東北": ["02", "03", "04", "05", "06", "07"],
    "関東": ["08", "09", "10", "11", "12", "13", "14"],
    "中部": ["15", "16", "17", "18", "19", "20", "21", "22", "23"],
    "近畿": ["24", "25", "26", "27", "28", "29", "30"],
    "中国": ["31", "32", "33", "34", "35"],
    "四国": ["36", "37", "38", "39"],
    "九州・沖縄": ["40", "41", "42", "43", "44", "45", "46", "47"],
}
REGION_OF_PREF = {p: r for r, ps in REGIONS.items() for p in ps}


def change_pct(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Percentage change; NaN where the start is 0."""
    start = np.asarray(start, dtype=np.float64)
    return np.divide(np.asarray(end) - start, start, out=np.full_like(start, np.nan), where=start > 0) * 100.0


def band(change: np.ndarray) -> np.ndarray:
    """0: decline under 20% (change > −20%), 1: decline 20% up to 50%, 2: decline 50% or more (change ≤ −50%)."""
    change = np.asarray(change, dtype=np.float64)
    return np.where(change <= -50.0, 2, np.where(change <= -20.0, 1, 0))


def classify(baseline_change: np.ndarray, closed_change: np.ndarray) -> tuple[list[str], list[str]]:
    """(sub-class letters, group names) per unit; a NaN change gives '' and ''."""
    b, c = band(baseline_change), band(closed_change)
    ok = np.isfinite(baseline_change) & np.isfinite(closed_change)
    subs = [SUB_CLASS[ci][bi] if good else "" for bi, ci, good in zip(b, c, ok, strict=True)]
    return subs, [GROUP_OF[s] if s else "" for s in subs]


def halves_in_30_years(change: np.ndarray) -> np.ndarray:
    """2014 definition (日本創成会議): women 20–39 decline by 50% or more over 30 years."""
    return np.asarray(change, dtype=np.float64) <= -50.0
