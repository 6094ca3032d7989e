"""Benchmark of the population engine: one scenario for all units to 2070; 1,000 custom scenarios for one unit.

python bench/projection.py [--db PATH]      (targets: ≤ 50 ms and ≤ 1 s)
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
    b = baseline(config.db_path(args.db))  # inputs loaded and parameters built once
    runs = []
    for _ in range(20):
        t = time.perf_counter()
        project(b.base, b.params)
        runs.append(time.perf_counter() - t)
    print(
        f"one scenario, {len(b.units)} units, {b.base_year}→{b.years[-1]}: {min(runs) * 1000:.1f} ms (best of 20), "
        f"median {np.median(runs) * 1000:.1f} ms (target ≤ 50 ms)"
    )
    from sousei.projection_api import simulate_many

    rng = np.random.default_rng(0)
    t2030, t2040, scale = rng.uniform(1.0, 2.3, 1000), rng.uniform(1.0, 2.3, 1000), rng.uniform(0.0, 1.5, 1000)
    t = time.perf_counter()
    simulate_many(b, "01100", {2030: t2030, 2040: t2040}, scale)
    print(f"1,000 custom scenarios for 01100: {(time.perf_counter() - t) * 1000:.1f} ms (target ≤ 1000 ms)")


if __name__ == "__main__":
    main()
