"""Population analyst benchmark: per-report time (warm process), the all-municipality estimate on 2 cores, and
memory over a batch.

Prints: HTML report build time (facts + narrative + SVG charts + HTML) mean / p95 / max over a sample, PDF print time
mean / p95 / max (one warm Chromium), a 2-core batch of a few municipalities and of `--batch` more (so that the
per-report cost and the start-up are separated), the estimate for all 1,741 with HTML and PDF, and the resident
memory (this process plus its Chromium) before and after `--memory` consecutive reports.

    python bench/report.py [--db var/sousei.duckdb] [--sample 30] [--batch 40] [--memory 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from sousei.analyst import batch
from sousei.analyst.pdf import Printer
from sousei.analyst.report import build
from sousei.query import Warehouse


def rss_tree_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Chromium's renderer and GPU processes), in MB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
    return total / 1024


def stats(xs: list[float]) -> str:
    s = sorted(xs)
    return f"mean {statistics.mean(s):.3f} s, p95 {s[int(0.95 * (len(s) - 1))]:.3f} s, max {s[-1]:.3f} s"


def measure_html_pdf(wh: Warehouse, sample: list[str]) -> None:
    t = time.perf_counter()
    build(wh, sample[0])
    print(f"first report in a fresh process (reads the per-municipality tables once): {time.perf_counter() - t:.1f} s")
    html_times, pdf_times, htmls = [], [], []
    for code in sample:
        t = time.perf_counter()
        rep = build(wh, code)
        html_times.append(time.perf_counter() - t)
        htmls.append(rep.html)
    print(f"HTML report, warm ({len(sample)} municipalities): {stats(html_times)}  [target ≤ 0.3 s]")
    with Printer() as printer:
        printer.pdf(htmls[0])
        for h in htmls:
            t = time.perf_counter()
            printer.pdf(h)
            pdf_times.append(time.perf_counter() - t)
    print(f"PDF print, warm Chromium ({len(sample)}): {stats(pdf_times)}  [target ≤ 2 s]")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, default=Path(os.environ.get("SOUSEI_DB", "var/sousei.duckdb")))
    ap.add_argument("--sample", type=int, default=30)
    ap.add_argument("--batch", type=int, default=40)
    ap.add_argument("--memory", type=int, default=200)
    ap.add_argument("--parts", default="html,pdf,batch,memory", help="which measurements to run (comma-separated)")
    a = ap.parse_args()
    parts = set(a.parts.split(","))
    wh = Warehouse(a.db)
    codes = [m["muni_code"] for m in wh.municipalities()]
    step = max(1, len(codes) // a.sample)
    sample = codes[::step][: a.sample]
    if "html" in parts or "pdf" in parts:
        measure_html_pdf(wh, sample)

    if "batch" in parts:
        with tempfile.TemporaryDirectory() as tmp:
            stamps: list[float] = []
            t0 = time.perf_counter()
            batch.run(a.db, codes[: a.batch], Path(tmp), pdf=True, workers=2,
                      on_result=lambda o: stamps.append(time.perf_counter()))  # fmt: skip
        start_up = stamps[0] - t0  # both workers open the warehouse and Chromium, then print the first report
        per_report = (stamps[-1] - stamps[0]) / (len(stamps) - 1)  # throughput of the two warm workers
        estimate = start_up + per_report * (len(codes) - 1)
        print(
            f"batch on 2 cores, HTML+PDF, {a.batch} reports: start-up and first report {start_up:.1f} s, then "
            f"{per_report:.2f} s per report → all {len(codes):,} ≈ {estimate / 60:.1f} min  [target ≤ 30 min]"
        )

    if "memory" not in parts:
        return
    with Printer() as printer:
        for code in codes[:10]:
            printer.pdf(build(wh, code).html)
        before = rss_tree_mb(os.getpid())
        for code in codes[10 : 10 + a.memory]:
            printer.pdf(build(wh, code).html)
        after = rss_tree_mb(os.getpid())
    print(f"memory (process + Chromium) over {a.memory} reports after 10 warm-up: {before:.0f} MB → {after:.0f} MB "
          f"(growth {after - before:+.0f} MB)  [target ≤ 100 MB]")  # fmt: skip


if __name__ == "__main__":
    main()
