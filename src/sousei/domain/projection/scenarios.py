"""人口ビジョン scenarios as parameter transformations: a TFR path (via child–woman ratios) and a migration scale."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sousei.domain.projection.params import ProjectionParams


def tfr_path(
    base_year: int, years: list[int], start: np.ndarray, points: Mapping[int, float | np.ndarray]
) -> np.ndarray:
    """TFR per unit (units, len(years)): linear from each unit's `start` in `base_year` through `points`
    ({year: TFR}, each TFR a number or one value per unit), held after the last point."""
    start = np.asarray(start, dtype=np.float64)
    n = max([len(start)] + [np.asarray(v).size for v in points.values()])
    xs = np.array([base_year] + sorted(points), dtype=np.float64)
    values = np.column_stack(
        [np.broadcast_to(start, (n,))]
        + [np.broadcast_to(np.asarray(points[p], dtype=np.float64), (n,)) for p in sorted(points)]
    )
    out = np.empty((n, len(years)))
    for j, y in enumerate(years):
        if y >= xs[-1]:
            out[:, j] = values[:, -1]
            continue
        i = max(int(np.searchsorted(xs, y, side="right")) - 1, 0)
        w = (y - xs[i]) / (xs[i + 1] - xs[i])
        out[:, j] = values[:, i] * (1 - w) + values[:, i + 1] * w
    return out


def tfr_path_cwr(
    params: ProjectionParams,
    cwr_per_tfr: float,
    points: Mapping[int, float | np.ndarray],
    floor: bool | np.ndarray = True,
) -> ProjectionParams:
    """Fertility along a TFR path (シミュレーション1 and custom scenarios). A unit's TFR is read from its
    child–woman ratio (TFR = CWR ÷ `cwr_per_tfr`, the national ratio of the base period); the path starts there
    in the base year and runs through `points`. With `floor` (per unit, or for all) the child–woman ratio becomes
    max(baseline, path × cwr_per_tfr): the path only raises fertility, a unit above it keeps its own; without it,
    the path × cwr_per_tfr is used as given (a path below a unit's level lowers its births)."""
    cwr = np.asarray(params.cwr)
    start = cwr[:, 0] / cwr_per_tfr
    target = tfr_path(params.base_year, params.years[1:], start, points) * cwr_per_tfr
    keep = np.asarray(floor, dtype=bool).reshape(-1, 1)
    return params.with_(cwr=np.where(keep, np.maximum(cwr, target), target), method=params.method + "+tfr")


def with_migration_scale(params: ProjectionParams, scale: float | np.ndarray) -> ProjectionParams:
    """Net migration rates times `scale` (0 = none, 0.5 = half the outflow and inflow; one value, or one per
    unit). The consistency factors (`params.adjustment`) stay as they are."""
    factor = np.asarray(scale, dtype=np.float64)
    if np.any(factor < 0) or not np.all(np.isfinite(factor)):
        raise ValueError("the migration scale must be finite and ≥ 0")
    if factor.ndim:
        factor = factor.reshape(-1, 1, 1, 1)
    return params.with_(migration=np.maximum(np.asarray(params.migration) * factor, -1.0))
