"""What the projection tab shows around the simulator: the baseline's own assumptions (so that a slider is read
against them) and the 影響度 as the 人口ビジョン guidance's 5 × 5 matrix with the municipality's cell marked."""

from __future__ import annotations

from typing import Any

from sousei.domain.projection.impact import NATURAL_EDGES, SOCIAL_EDGES
from sousei.query import IMPACT_YEAR, Warehouse

NATURAL_RANGES = ("100%未満", "100〜105%", "105〜110%", "110〜115%", "115%以上")
SOCIAL_RANGES = ("100%未満", "100〜110%", "110〜120%", "120〜130%", "130%以上")
# What the projection panels (the 概要 sustainability card, the simulator) cite: the base population, the national
# series (life tables, the national projection) and IPSS 2023 that パターン1 reproduces.
PROJECTION_SOURCES = ("census_2020_sex_age5", "national_series", "ipss_2023_regional_totals")
assert len(NATURAL_EDGES) == len(NATURAL_RANGES) - 1 and len(SOCIAL_EDGES) == len(SOCIAL_RANGES) - 1


def simulator_context(wh: Warehouse, code: str) -> dict[str, Any]:
    counts = wh.impact_counts()
    return {
        "assumptions": wh.pattern1_assumptions(code),
        "impact_counts": counts,
        "impact_total": sum(counts.values()),
        "natural_ranges": NATURAL_RANGES,
        "social_ranges": SOCIAL_RANGES,
        "impact_year": IMPACT_YEAR,
        "projection_notes": wh.source_notes(PROJECTION_SOURCES),
    }
