"""The pool-model variant on the bundle's registrations (docs/validation/projection.md, "Gross flows")."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sousei.domain.projection.baseline import ipss_baseline
from sousei.domain.projection.engine import project
from sousei.domain.projection.gross import GrossFlows, unit_out_migrants
from sousei.projection_api import load_inputs
from sousei.validation.projection_variants import JUKI_WINDOWS, juki_out_movers


def test_every_unit_of_both_bases_has_five_years_of_out_migrants(wh, warehouse_path: Path):
    inputs = load_inputs(warehouse_path)
    out = juki_out_movers(wh)
    assert sorted(out) == sorted(JUKI_WINDOWS)
    for year, movers in out.items():
        per_unit = unit_out_migrants(inputs.units(year)[0], movers, inputs.joint)
        assert np.isfinite(per_unit).all() and (per_unit > 0).all(), year
    # 5 registration years: Japan's out-migrants of calendar years 2015–2019 are a few times 5.5 million
    total = sum(out[2020].values())
    assert 5 * 5.0e6 < total < 5 * 6.5e6


def test_the_pool_model_keeps_the_controls_and_lifts_the_shrinking_units(wh, warehouse_path: Path):
    inputs = load_inputs(warehouse_path)
    default = ipss_baseline(inputs, 2020, 2050)
    pooled = ipss_baseline(inputs, 2020, 2050, gross=GrossFlows(juki_out_movers(wh)[2020]))
    a = project(default.base, default.params)
    b = project(pooled.base, pooled.params)
    # the nation is still held to its control, every prefecture to its own projection
    np.testing.assert_allclose(b[:, 1:].sum(axis=(0, 2, 3)), a[:, 1:].sum(axis=(0, 2, 3)), rtol=1e-9)
    # the first step is the net rates' (the pool starts where they are) before any consistency factor
    np.testing.assert_allclose(
        pooled.controls.unit_params.migration[:, 0], default.controls.unit_params.migration[:, 0], atol=1e-12
    )
    # units that shrink fastest under net rates keep more people under the pool model
    change = a[:, -1].sum(axis=(1, 2)) / a[:, 0].sum(axis=(1, 2))
    fastest = change < np.quantile(change, 0.1)
    lift = b[:, -1].sum(axis=(1, 2)) / a[:, -1].sum(axis=(1, 2))
    assert np.median(lift[fastest]) > 1.0 > np.median(lift[change > np.quantile(change, 0.9)])
    assert "pool model" in pooled.notes["migration"] and "pool model" not in default.notes["migration"]
