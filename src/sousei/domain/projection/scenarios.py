"""人口ビジョン scenarios as parameter transformations: a TFR path (via child–woman ratios) and a migration scale."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sousei.domain.projection.params import ProjectionParams


def tfr_path(base_year: int, years: list[int], start: np.ndarray, points: Mapping[int, float]) -> np.ndarray:
    """TFR per unit (units, len(years)): linear from each unit's `start` in `base_year` through `points`
    ({year: TFR}), held after the last point."""
    xs = np.array([base_year] + sorted(points), dtype=np.float64)
    values = np.column_stack(
        [np.asarray(start, dtype=np.float64)] + [np.full(len(start), points[p]) for p in sorted(points)]
    )
    out = np.empty((len(start), len(years)))
    for j, y in enumerate(years):
        if y >= xs[-1]:
            out[:, j] = values[:, -1]
            continue
        i = max(int(np.searchsorted(xs, y, side="right")) - 1, 0)
        w = (y - xs[i]) / (xs[i + 1] - xs[i])
        out[:, j] = values[:, i] * (1 - w) + values[:, i + 1] * w
    return out


def tfr_path_cwr(params: ProjectionParams, cwr_per_tfr: float, points: Mapping[int, float]) -> ProjectionParams:
    """シミュレーション1: fertility rises along a TFR path. A unit's TFR is read from its child–woman ratio
    (TFR = CWR ÷ `cwr_per_tfr`, the national ratio of the base period); the path starts there in the base year
    and the child–woman ratio becomes max(baseline, path × cwr_per_tfr): a unit above the path keeps its own."""
    cwr = np.asarray(params.cwr)
    start = cwr[:, 0] / cwr_per_tfr
    path = tfr_path(params.base_year, params.years[1:], start, points)
    return params.with_(cwr=np.maximum(cwr, path * cwr_per_tfr), method=params.method + "+tfr")


def with_migration_scale(params: ProjectionParams, scale: float) -> ProjectionParams:
    """Net migration rates times `scale` (0 = closed, 0.5 = half the outflow and inflow)."""
    if scale < 0:
        raise ValueError("the migration scale must be ≥ 0")
    return params.with_(migration=np.maximum(np.asarray(params.migration) * scale, -1.0))
