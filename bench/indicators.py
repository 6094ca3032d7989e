"""Benchmark: every indicator, comparison and priority issue for the 1,741 municipalities (target ≤ 10 s).

Reads the dependency tables from a built warehouse (SOUSEI_DB or var/sousei.duckdb, or the first argument), then times
the indicators step's computation as the build runs it: queries on an in-memory DuckDB, values, comparisons (偏差値,
ranks, national / prefecture / peer values, change), leading industries and priority issues.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import duckdb

from sousei.domain.diagnosis import priority_issues
from sousei.domain.indicators.compare import compare, compute_values
from sousei.domain.indicators.reference import mark_reference
from sousei.pipeline.derived.indicators import (
    AREAS,
    leading_industries,
    meta_frame,
    needed_tables,
    registration_frame,
    run_queries,
)

TARGET_S = 10.0


def main() -> int:
    db = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SOUSEI_DB", "var/sousei.duckdb"))
    con = duckdb.connect(str(db), read_only=True)
    frames = {t: con.cursor().sql(f'SELECT * FROM "{t}"').pl() for t in sorted(needed_tables())}
    con.close()
    areas = frames[AREAS].select("muni_code", "pref_code", "peer_group")

    t0 = time.perf_counter()
    raw, published, _ = run_queries(frames, set(areas["muni_code"]))
    t1 = time.perf_counter()
    meta = meta_frame()
    values = compute_values(raw, dict(zip(meta["indicator_id"], meta["scale"], strict=True)))
    marked = mark_reference(values, meta, registration_frame(frames))  # 参考値, as the build does
    comparisons = compare(marked, areas, meta, published)
    t2 = time.perf_counter()
    leading = leading_industries(values)
    issues = priority_issues(comparisons, meta)
    t3 = time.perf_counter()

    total = t3 - t0
    print(f"indicators          {meta.height:>10,}")
    print(f"municipalities      {areas.height:>10,}")
    print(f"values              {values.height:>10,}   queries      {t1 - t0:6.2f} s")
    print(f"comparisons         {comparisons.height:>10,}   compare      {t2 - t1:6.2f} s")
    print(f"leading industries  {leading.height:>10,}")
    print(f"priority issues     {issues.height:>10,}   diagnosis    {t3 - t2:6.2f} s")
    print(f"total               {total:6.2f} s (target ≤ {TARGET_S:.0f} s) {'OK' if total <= TARGET_S else 'SLOW'}")
    return 0 if total <= TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
