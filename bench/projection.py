"""Benchmark of the population engine: one scenario for all units to 2070; 1,000 custom scenarios for one unit;
a request of the dashboard's simulator (/api/m/{code}/simulate) once the baseline is loaded; and, for the record,
building パターン1 (the engine's run anchored to IPSS 2023) from the inputs.

python bench/projection.py [--db PATH]      (targets: ≤ 50 ms, ≤ 1 s and ≤ 20 ms)
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from sousei import config
from sousei.domain.projection import project
from sousei.projection_api import baseline


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, default=None)
    args = ap.parse_args()
    db = config.db_path(args.db)
    b = baseline(db)  # inputs loaded and parameters built once
    from sousei.domain.projection.pattern1 import pattern1
    from sousei.projection_api import load_inputs

    inputs = load_inputs(db)
    t = time.perf_counter()
    pattern1(inputs)
    print(f"パターン1 built (engine + anchoring to IPSS 2023, all units): {(time.perf_counter() - t) * 1000:.0f} ms")
    runs = []
    for _ in range(20):
        t = time.perf_counter()
        project(b.base, b.params)
        runs.append(time.perf_counter() - t)
    print(
        f"one scenario, {len(b.units)} units, {b.base_year}→{b.years[-1]}: {min(runs) * 1000:.1f} ms (best of 20), "
        f"median {np.median(runs) * 1000:.1f} ms (target ≤ 50 ms)"
    )
    from sousei.domain.projection.scenarios import simulate

    rng = np.random.default_rng(0)
    t2030, t2040, scale = rng.uniform(1.0, 2.3, 1000), rng.uniform(1.0, 2.3, 1000), rng.uniform(0.0, 1.5, 1000)
    t = time.perf_counter()
    simulate(b, "custom", [b.index("01100")] * 1000, {2030: t2030, 2040: t2040}, scale).sum(axis=(2, 3))
    print(f"1,000 custom scenarios for 01100: {(time.perf_counter() - t) * 1000:.1f} ms (target ≤ 1000 ms)")
    simulate_request(db)


def simulate_request(db: Path) -> None:
    """The simulator's HTTP request through the app (in process), after a first request has loaded the baseline."""
    from fastapi.testclient import TestClient

    from sousei.web.app import create_app

    rng = np.random.default_rng(1)
    with TestClient(create_app(db)) as client:
        client.get("/api/m/01100/simulate")  # loads the baseline once
        times = []
        for i in range(50):
            params = {"tfr_2030": round(rng.uniform(1.0, 2.3), 2), "tfr_2040": round(rng.uniform(1.0, 2.3), 2),
                      "migration_scale": round(rng.uniform(0.0, 1.5), 2)}  # fmt: skip
            t = time.perf_counter()
            r = client.get(f"/api/m/{'01100' if i % 2 else '31384'}/simulate", params=params)
            times.append(time.perf_counter() - t)
            r.raise_for_status()
    print(
        f"simulator request (/api/m/…/simulate, 50 requests): median {np.median(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms (target ≤ 20 ms)"
    )


if __name__ == "__main__":
    main()
