"""Benchmark the warehouse build: a full build from an empty cache, then a rebuild with nothing changed.

Prints wall seconds and peak memory (max RSS of the child process) for each; run as
`SOUSEI_DATA_DIR=../shared/data .venv/bin/python bench/build.py`. Targets: full ≤ 90 s and ≤ 3 GB; rebuild ≤ 10 s.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_build(db: Path) -> tuple[float, float]:
    """Run `sousei build` in a child process; return (wall seconds, peak RSS in MB of that child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sousei.cli", "build", "--db", str(db)],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "120"},
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the max over all children so far; the first build is the larger one.
    return seconds, max(peak, before) / 1024


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="sousei-bench-"))
    try:
        db = work / "sousei.duckdb"
        full_s, full_mb = run_build(db)
        print(f"full build (empty cache): {full_s:6.1f} s wall, peak RSS {full_mb:7.0f} MB")
        re_s, _ = run_build(db)
        print(f"rebuild (nothing changed): {re_s:6.1f} s wall")
        print(f"warehouse size: {db.stat().st_size / 1e6:.1f} MB; cores: {os.cpu_count()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
