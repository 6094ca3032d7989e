"""What the projection tab shows around the simulator: the baseline's own assumptions (so that a slider is read
against them) and the 影響度 as the 人口ビジョン guidance's 5 × 5 matrix with the municipality's cell marked."""

from __future__ import annotations

from typing import Any

import numpy as np

from sousei.domain.projection.impact import NATURAL_EDGES, SOCIAL_EDGES
from sousei.query import IMPACT_YEAR, Warehouse

NATURAL_RANGES = ("100%未満", "100〜105%", "105〜110%", "110〜115%", "115%以上")
SOCIAL_RANGES = ("100%未満", "100〜110%", "110〜120%", "120〜130%", "130%以上")
# What the projection panels (the 概要 sustainability card, the simulator) cite: the base population, the national
# series (life tables, the national projection) and IPSS 2023 that パターン1 reproduces.
PROJECTION_SOURCES = ("census_2020_sex_age5", "national_series", "ipss_2023_regional_totals")
assert len(NATURAL_EDGES) == len(NATURAL_RANGES) - 1 and len(SOCIAL_EDGES) == len(SOCIAL_RANGES) - 1


def baseline_assumptions(wh: Warehouse, code: str) -> dict[str, Any] | None:
    """パターン1's assumptions for the municipality's unit, per five-year step: the TFR its child–woman ratio implies,
    the child–woman ratio, and the net migrants of the step (survivors × net migration rate, both sexes, all ages)."""
    sim = wh._simulator()
    unit = wh.projection_unit(code)
    if sim is None or unit not in sim.units:
        return None

    def make() -> dict[str, Any]:
        i = sim.index(unit)
        p = sim.params.select([i])
        from sousei.domain.projection.engine import project

        run = project(sim.base[[i]], p)[0]  # (years, 2, 19)
        survival, migration = p.survival[0], p.migration[0]  # (steps, 2, 19)
        steps = p.steps
        migrants = [float((run[k] * survival[k] * migration[k]).sum()) for k in range(steps)]
        years = sim.years
        return {
            "unit": unit,
            "periods": [f"{years[k]}〜{years[k + 1]}年" for k in range(steps)],
            "tfr": [float(v) for v in sim.implied_tfr()[i]],
            "cwr": [float(v) for v in np.broadcast_to(p.cwr, (1, steps))[0]],
            "net_migrants": migrants,
            "national_tfr": sim.national_tfr,
            "base_year": sim.base_year,
        }

    return wh.memo(f"assumptions:{unit}", make)


def impact_matrix(wh: Warehouse) -> dict[tuple[int, int], int]:
    """Number of projection units in each (natural, social) 影響度 cell in IMPACT_YEAR."""
    if not wh.has("out_projection__impact"):
        return {}

    def make() -> dict[tuple[int, int], int]:
        rows = wh.rows(
            "SELECT natural_impact_level AS n, social_impact_level AS s, count(*) AS k FROM out_projection__impact "
            "WHERE year = ? GROUP BY ALL",
            [IMPACT_YEAR],
        )
        return {(int(r["n"]), int(r["s"])): int(r["k"]) for r in rows}

    return wh.memo("impact_matrix", make)


def simulator_context(wh: Warehouse, code: str) -> dict[str, Any]:
    counts = impact_matrix(wh)
    return {
        "assumptions": baseline_assumptions(wh, code),
        "impact_counts": counts,
        "impact_total": sum(counts.values()),
        "natural_ranges": NATURAL_RANGES,
        "social_ranges": SOCIAL_RANGES,
        "impact_year": IMPACT_YEAR,
        "projection_notes": wh.source_notes(PROJECTION_SOURCES),
    }
