"""Benchmark of the 伴走支援 team optimiser on synthetic instances (seeded, invented officials).

python bench/matching.py [--large]     (targets: 180×60, 20 fields: ≤ 10 s, proven optimal or gap ≤ 1 %;
                                        1,000×300: ≤ 60 s)
The last line is `matching 180x60: <seconds> s, objective <value>, gap <percent>`.
"""

from __future__ import annotations

import argparse

from sousei.domain.matching import Problem, solve, violations
from sousei.domain.matching_synthetic import make_instance

FIELDS = [f"F{i:02d}" for i in range(1, 21)]
MINISTRIES = [f"M{i:02d}" for i in range(1, 21)]


def run(n_officials: int, n_munis: int, time_limit: float, seed: int = 0):
    codes = [f"{(j % 47) + 1:02d}{j:03d}" for j in range(n_munis)]
    officials, munis = make_instance(n_officials, codes, FIELDS, MINISTRIES, seed=seed)
    problem = Problem(officials, munis, team_size=3)
    sol = solve(problem, time_limit=time_limit, gap_target=0.01)
    broken = violations(problem, sol.teams)
    assert not broken, broken[:5]
    return sol


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--large", action="store_true", help="also 1,000 officials × 300 municipalities")
    args = ap.parse_args()
    if args.large:
        big = run(1000, 300, time_limit=60.0)
        print(
            f"matching 1000x300: {big.seconds:.1f} s, objective {big.objective:.1f}, gap {big.gap * 100:.2f}%"
            f" (bound {big.bound:.1f})"
            f" ({big.status}, target ≤ 60 s)"
        )
    sol = run(180, 60, time_limit=10.0)
    print(
        f"  status {sol.status}, bound {sol.bound:.1f}; "
        f"coverage {sol.parts['coverage']:.0f}, ゆかり {sol.parts['yukari']:.0f}, "
        f"ministry duplicates −{sol.parts['ministry_duplicate']:.0f}, missing stages −{sol.parts['missing_stage']:.0f}"
    )
    print(f"matching 180x60: {sol.seconds:.2f} s, objective {sol.objective:.1f}, gap {sol.gap * 100:.2f}%")


if __name__ == "__main__":
    main()
