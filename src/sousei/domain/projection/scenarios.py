"""人口ビジョン scenarios: parameter transformations (a TFR path via child–woman ratios, a migration scale), the
named scenarios derived from パターン1, and `simulate`, the one way any of them is run. No I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sousei.domain.projection.baseline import Baseline, ccr
from sousei.domain.projection.engine import project
from sousei.domain.projection.inputs import Inputs
from sousei.domain.projection.methods import closed_params
from sousei.domain.projection.params import DEFAULT_TFR_POINTS, ProjectionParams


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
    unit). パターン1's parameters carry all of its migration as rates (`engine.as_rates`), so for its scenarios
    × 0 is the closed population; parameters with factors (`params.adjustment`, the engine's own run) keep them."""
    factor = np.asarray(scale, dtype=np.float64)
    if np.any(factor < 0) or not np.all(np.isfinite(factor)):
        raise ValueError("the migration scale must be finite and ≥ 0")
    if factor.ndim:
        factor = factor.reshape(-1, 1, 1, 1)
    return params.with_(migration=np.maximum(np.asarray(params.migration) * factor, -1.0))


def raises_fertility(points: Mapping[int, float | np.ndarray], national_tfr: float) -> bool | np.ndarray:
    """Whether a custom TFR path raises fertility (every point at or above the national TFR of the base period),
    per scenario where the points are arrays. Such a path is a floor, as in シミュレーション1; one with a point
    below the national level is applied as given (docs/methods/projection.md, "Scenarios")."""
    if not points:
        return True
    ok = np.all([np.asarray(v, dtype=np.float64) >= national_tfr for v in points.values()], axis=0)
    return bool(ok) if np.ndim(ok) == 0 else ok


def tfr_scenario_params(
    baseline: Baseline,
    tfr_points: Mapping[int, float | np.ndarray] | None = None,
    migration_scale: float | np.ndarray = 1.0,
    units: Sequence[int] | None = None,
    floor: bool | np.ndarray | None = None,
) -> ProjectionParams:
    """The one code path of sim1, sim2 and custom: pattern1's parameters (its survival, migration, child–woman
    ratios and the prefecture/national consistency factors computed once for all units) with fertility along a
    TFR path and the net migration rates times `migration_scale`.

    `units`: the rows of `baseline.units` to keep (repeated rows are separate scenarios; None: all); the TFR
    points and the scale may then be one value per row. `floor`: True (the path only raises fertility, as
    シミュレーション1), False (the path as given) or None (`raises_fertility`)."""
    p = baseline.params if units is None else baseline.params.select(list(units))
    points = dict(DEFAULT_TFR_POINTS if tfr_points is None else tfr_points)
    if points:
        keep = raises_fertility(points, baseline.national_tfr) if floor is None else floor
        p = tfr_path_cwr(p, baseline.cwr_per_tfr, points, keep)
    return with_migration_scale(p, migration_scale)


def scenario_params(
    baseline: Baseline,
    scenario: str,
    inputs: Inputs | None = None,
    tfr_points: Mapping[int, float | np.ndarray] | None = None,
    migration_scale: float | np.ndarray = 1.0,
    units: Sequence[int] | None = None,
) -> ProjectionParams:
    """Parameters of a named scenario: pattern1, sim1, sim2, closed, ccr or custom.

    `units`: the rows of `baseline.units` to keep (repeated rows are separate scenarios; None: all units). A row's
    parameters are those of the all-unit run's row (the consistency factors are computed once for all units).
    sim1/sim2/custom go through `tfr_scenario_params`; `tfr_points` applies to sim1, sim2 and custom,
    `migration_scale` to custom only (one value, or one per row)."""
    if np.any(np.asarray(migration_scale) != 1.0) and scenario != "custom":
        raise ValueError(f"a migration scale applies to the custom scenario only, not to {scenario!r}")
    if tfr_points is not None and scenario not in ("sim1", "sim2", "custom"):
        raise ValueError(f"a TFR path applies to sim1, sim2 and custom, not to {scenario!r}")
    rows = None if units is None else list(units)
    p = baseline.params if rows is None else baseline.params.select(rows)
    if scenario == "pattern1":
        return p
    if scenario == "closed":
        return closed_params(p)
    if scenario == "sim1":
        return tfr_scenario_params(baseline, tfr_points, 1.0, rows, floor=True).with_(method="ipss+tfr")
    if scenario == "sim2":
        sim1 = tfr_scenario_params(baseline, tfr_points, 1.0, rows, floor=True)
        return closed_params(sim1).with_(method="ipss+tfr+closed")
    if scenario == "custom":
        return tfr_scenario_params(baseline, tfr_points, migration_scale, rows).with_(method="ipss+custom")
    if scenario == "ccr":
        if inputs is None:
            raise ValueError("the ccr scenario needs the inputs")
        all_units = ccr(inputs, baseline.base_year, baseline.years[-1])
        return all_units if rows is None else all_units.select(rows)
    raise ValueError(f"unknown scenario {scenario!r}: pattern1, sim1, sim2, closed, ccr, custom")


STANDARD_SCENARIOS = ("pattern1", "sim1", "sim2", "closed", "ccr")


def simulate(
    baseline: Baseline,
    scenario: str = "custom",
    units: Sequence[int] | None = None,
    tfr_points: Mapping[int, float | np.ndarray] | None = None,
    migration_scale: float | np.ndarray = 1.0,
    inputs: Inputs | None = None,
) -> np.ndarray:
    """The one way a scenario is run: persons (rows, years, 2, 19) from the baseline's base population under
    `scenario_params` (the derived step for all units, the CLI for one, the dashboard's simulator and the
    benchmarks for many custom scenarios of one unit as repeated rows)."""
    params = scenario_params(baseline, scenario, inputs, tfr_points, migration_scale, units)
    base = baseline.base if units is None else baseline.base[list(units)]
    return project(base, params)
