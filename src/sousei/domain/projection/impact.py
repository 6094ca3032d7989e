"""影響度 (impact levels 1–5) of natural and social change, as in the 地方人口ビジョン guidance (手引き).

自然増減の影響度 = シミュレーション1 ÷ パターン1 (total population in the target year):
  1 under 100%, 2 100–105%, 3 105–110%, 4 110–115%, 5 115% or more.
社会増減の影響度 = シミュレーション2 ÷ シミュレーション1:
  1 under 100%, 2 100–110%, 3 110–120%, 4 120–130%, 5 130% or more.
"""

from __future__ import annotations

import numpy as np

NATURAL_EDGES = (100.0, 105.0, 110.0, 115.0)
SOCIAL_EDGES = (100.0, 110.0, 120.0, 130.0)


def impact_level(ratio_pct: np.ndarray, edges: tuple[float, ...]) -> np.ndarray:
    """Level 1–5: 1 below the first edge, +1 for each edge reached."""
    return 1 + np.searchsorted(np.asarray(edges), np.asarray(ratio_pct, dtype=np.float64), side="right")


def natural_impact(sim1_total: np.ndarray, pattern1_total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ratio = 100.0 * np.asarray(sim1_total, dtype=np.float64) / np.asarray(pattern1_total, dtype=np.float64)
    return ratio, impact_level(ratio, NATURAL_EDGES)


def social_impact(sim2_total: np.ndarray, sim1_total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ratio = 100.0 * np.asarray(sim2_total, dtype=np.float64) / np.asarray(sim1_total, dtype=np.float64)
    return ratio, impact_level(ratio, SOCIAL_EDGES)
