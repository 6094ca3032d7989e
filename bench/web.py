"""Dashboard load benchmark: starts `uvicorn sousei.web.main:app` on 127.0.0.1 and drives it with httpx (asyncio).

Prints: latency p50/p99 of the municipality page (sequential, cold = first visit of a municipality, warm = again),
requests/s and p50/p99 at 32 concurrent connections for 30 s with errors, and the bytes transferred (compressed)
for a first municipality page with Plotly's JS and for another municipality afterwards; the same load figures for
the ranking page (random indicator and page; and random indicator with a random municipality to mark, mostly
first renders) and the simulator API (random municipality and slider values, with its sequential p50); and the
bytes of the top page with everything it loads (Plotly, the TopoJSON outlines, the indicator and the areas).

    python bench/web.py [--db var/sousei.duckdb] [--seconds 30] [--concurrency 32] [--workers 1]
                        [--parts municipality,ranking,simulate,bytes]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000


async def _sequential(client: httpx.AsyncClient, urls: list[str]) -> list[float]:
    out = []
    for u in urls:
        t = time.perf_counter()
        r = await client.get(u)
        out.append(time.perf_counter() - t)
        r.raise_for_status()
    return out


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str) -> int:
    """One HTTP/1.1 keep-alive GET on an open connection; reads the whole body; returns the status code."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: br, gzip\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    if length is None:
        raise ValueError(f"{path}: no content-length")
    await reader.readexactly(int(length.group(1)))
    return status


async def _load(
    base: str, path_of: Callable[[random.Random], str], seconds: float, concurrency: int
) -> tuple[int, int, list[float]]:
    """`concurrency` keep-alive connections, each requesting random paths (`path_of`) back to back.

    A minimal HTTP/1.1 client on asyncio streams: httpx costs ~3 ms of CPU per request, so on a 2-core machine it,
    not the server, was the bottleneck.
    """
    ok = errors = 0
    lat: list[float] = []
    stop = time.perf_counter() + seconds
    host, port = base.removeprefix("http://").split(":")

    async def worker(seed: int) -> None:
        nonlocal ok, errors
        rnd = random.Random(seed)
        conn = None
        while time.perf_counter() < stop:
            t = time.perf_counter()
            try:
                if conn is None:
                    conn = await asyncio.open_connection(host, int(port))
                status = await asyncio.wait_for(_get(*conn, host, path_of(rnd)), 30)
                if status == 200:
                    ok += 1
                else:
                    errors += 1
            except (TimeoutError, OSError, ValueError, asyncio.IncompleteReadError):
                errors += 1
                conn = None
            lat.append(time.perf_counter() - t)
        if conn is not None:
            conn[1].close()

    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return ok, errors, lat


def _page_bytes(base: str, path: str, cached: set[str]) -> int:
    """Compressed bytes of a page and the scripts and styles it loads that the browser does not hold yet."""
    total = 0
    with httpx.Client(base_url=base, headers={"accept-encoding": "br, gzip"}) as c:
        r = c.get(path)
        total += int(r.headers.get("content-length") or len(r.content))
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', r.text):
            if asset in cached:
                continue
            cached.add(asset)
            with c.stream("GET", asset) as a:
                total += int(a.headers.get("content-length") or sum(len(b) for b in a.iter_raw()))
    return total


def _top_page_bytes(base: str) -> int:
    """Compressed bytes of the top page, its scripts and styles, the outlines and the two API calls of the map."""
    total = _page_bytes(base, "/", set())
    with httpx.Client(base_url=base, headers={"accept-encoding": "br, gzip"}) as c:
        page = c.get("/").text
        geo = re.search(r'data-geo="([^"]+)"', page)
        ind = re.search(r'data-indicator="([^"]+)"', page)
        for path in [geo.group(1) if geo else "", f"/api/indicators/{ind.group(1) if ind else ''}", "/api/areas",
                     "/favicon.ico"]:  # fmt: skip
            with c.stream("GET", path) as r:
                total += int(r.headers.get("content-length") or sum(len(b) for b in r.iter_raw()))
    return total


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=os.environ.get("SOUSEI_DB", "var/sousei.duckdb"))
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--parts", default="municipality,ranking,simulate,bytes", help="which figures to measure")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SOUSEI_DB": str(Path(args.db).resolve())}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "sousei.web.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-access-log", "--workers", str(args.workers)],
        env=env,
    )  # fmt: skip
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/api/indicators", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        codes = [a["muni_code"] for a in httpx.get(base + "/api/areas").json()]
        if "municipality" in parts:
            await _municipality(base, codes, args.seconds, args.concurrency)
        if "ranking" in parts:
            indicators = [i["indicator_id"] for i in httpx.get(base + "/api/indicators").json()]
            _print_load(
                "ranking page (random indicator and page)",
                await _load(base, lambda r: f"/ranking/{r.choice(indicators)}?page={r.randint(1, 35)}", args.seconds,
                            args.concurrency),
                args.seconds, args.concurrency,
            )  # fmt: skip
            _print_load(
                "ranking page (random indicator, ?from= random municipality)",
                await _load(base, lambda r: f"/ranking/{r.choice(indicators)}?from={r.choice(codes)}", args.seconds,
                            args.concurrency),
                args.seconds, args.concurrency,
            )  # fmt: skip
        if "simulate" in parts:
            await _simulate(base, codes, args.seconds, args.concurrency)
        if "bytes" in parts:
            cached: set[str] = set()
            first = _page_bytes(base, "/m/01100", cached)
            second = _page_bytes(base, "/m/13101", cached)
            print(f"bytes (br): top page with Plotly, outlines, indicator and areas {_top_page_bytes(base):,} B")
            print(f"bytes (br): first municipality page incl. Plotly JS {first:,} B; another municipality after "
                  f"{second:,} B")  # fmt: skip
        print(f"uvicorn workers: {args.workers}")
    finally:
        proc.terminate()
        proc.wait(10)


def _print_load(label: str, result: tuple[int, int, list[float]], seconds: float, concurrency: int) -> None:
    n_ok, n_err, latencies = result
    print(
        f"load: {label}, {concurrency} connections × {seconds:.0f} s: {n_ok / seconds:.0f} "
        f"requests/s, p50 {_pct(latencies, 50):.1f} ms, p99 {_pct(latencies, 99):.1f} ms, {n_err} errors"
    )


async def _municipality(base: str, codes: list[str], seconds: float, concurrency: int) -> None:
    sample = random.Random(1).sample(codes, 200)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        cold = await _sequential(client, [f"/m/{c}" for c in sample])
        warm = await _sequential(client, [f"/m/{c}" for c in sample])
    print(
        f"municipality page, sequential, first visit (200 random): p50 {_pct(cold, 50):.1f} ms, "
        f"p99 {_pct(cold, 99):.1f} ms"
    )
    print(
        f"municipality page, sequential, again:                    p50 {_pct(warm, 50):.1f} ms, "
        f"p99 {_pct(warm, 99):.1f} ms"
    )
    _print_load(
        f"municipality page over all {len(codes)} municipalities",
        await _load(base, lambda r: f"/m/{r.choice(codes)}", seconds, concurrency),
        seconds, concurrency,
    )  # fmt: skip


async def _simulate(base: str, codes: list[str], seconds: float, concurrency: int) -> None:
    def simulate_path(r: random.Random) -> str:
        tfr30, tfr40, scale = 0.8 + 0.05 * r.randint(0, 34), 0.8 + 0.01 * r.randint(0, 170), 0.05 * r.randint(0, 40)
        query = f"tfr_2030={tfr30:.2f}&tfr_2040={tfr40:.2f}&migration_scale={scale:.2f}"
        return f"/api/m/{r.choice(codes)}/simulate?{query}"

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        rnd = random.Random(2)
        sim_seq = await _sequential(client, [simulate_path(rnd) for _ in range(300)])
    _print_load("simulate API (random municipality and sliders)", await _load(base, simulate_path, seconds,
                concurrency), seconds, concurrency)  # fmt: skip
    print(f"simulate API, sequential (300 random): p50 {_pct(sim_seq, 50):.1f} ms, p99 {_pct(sim_seq, 99):.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
