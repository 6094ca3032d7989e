"""Benchmark the 好事例 catalog: search server side (p50/p99 over a fixed query mix, index lookup alone and the whole
/desk/cases request in-process) and the recommendations for all 1,741 municipalities.

Run as `.venv/bin/python bench/catalog.py --db var/sousei.duckdb [--desk-url postgresql+psycopg://…]`.
Targets: search p50 ≤ 20 ms server side; recommendations for all municipalities ≤ 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

QUERIES = ["観光", "自動運転", "女性 就業", "りんご", "ひだすけ", "まちづくり", "ドローン 配送", "DX 人材", "棚田",
           "宇宙エレベーター", "広域連携", "高専"]  # fmt: skip
ROUNDS = 50


def percentiles(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    return statistics.median(s), s[min(len(s) - 1, int(len(s) * 0.99))]


def main() -> None:
    warnings.filterwarnings("ignore")
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--desk-url", default=None, help="desk database (default: a fresh SQLite file)")
    args = ap.parse_args()

    from fastapi.testclient import TestClient

    from sousei.desk.catalog.search import ranked_ids
    from sousei.desk.catalog.service import Recommender, catalog_stamp, warehouse_inputs
    from sousei.desk.db import make_engine, make_sessionmaker
    from sousei.desk.migrate import upgrade
    from sousei.query import Warehouse
    from sousei.web.app import create_app

    url = args.desk_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='sousei-bench-')) / 'desk.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    print(f"desk database: {engine.dialect.name}")

    with sessions() as db:
        ranked_ids(db, "観光")  # the Sudachi dictionary loads once per process (~0.3 s), not per query
        samples = []
        for _ in range(ROUNDS):
            for q in QUERIES:
                start = time.perf_counter()
                ranked_ids(db, q)
                samples.append((time.perf_counter() - start) * 1000)
    p50, p99 = percentiles(samples)
    print(f"search, tokenise + index query ({len(samples)} queries): p50 {p50:.2f} ms, p99 {p99:.2f} ms")

    app = create_app(args.db, url)
    server_ms: list[float] = []

    async def timed(scope, receive, send):  # type: ignore[no-untyped-def]
        """Server side: from the request reaching the app to its last body chunk (no client, no test portal)."""
        start = time.perf_counter()
        await app(scope, receive, send)
        if scope["type"] == "http":
            server_ms.append((time.perf_counter() - start) * 1000)

    with TestClient(timed) as client:
        client.get("/desk/cases?q=観光")
        server_ms.clear()
        for _ in range(ROUNDS):
            for q in QUERIES:
                assert client.get("/desk/cases", params={"q": q}).status_code == 200
    p50, p99 = percentiles(server_ms)
    print(f"search page /desk/cases?q=… rendered, server side ({len(server_ms)} requests): p50 {p50:.2f} ms, "
          f"p99 {p99:.2f} ms")  # fmt: skip
    # the route's own work in one thread (no ASGI, no thread hop): the share of the page time the code costs
    from starlette.requests import Request

    from sousei.desk.catalog.service import Filters, search

    templates = app.state.desk_templates
    tmpl = templates.env.get_template("desk/catalog/search.html")
    scope = {"type": "http", "method": "GET", "path": "/desk/cases", "query_string": b"", "headers": [],
             "app": app, "server": ("127.0.0.1", 80), "scheme": "http", "root_path": ""}  # fmt: skip
    work_ms = []
    prefs = app.state.desk.warehouse.prefectures()
    with app.state.desk.sessions() as db:
        for _ in range(ROUNDS):
            for q in QUERIES:
                start = time.perf_counter()
                result = search(db, q, Filters(), {})
                tmpl.render(request=Request(scope), user=None, q=q, f=Filters(), result=result, pillars=[],
                            fields=[], prefectures=prefs, sizes=[], pillar_name=str, field_name=str,
                            csrf_token="")  # fmt: skip
                work_ms.append((time.perf_counter() - start) * 1000)
    p50, p99 = percentiles(work_ms)
    print(f"search + template render in one thread ({len(work_ms)}): p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    app.state.desk.engine.dispose()

    wh = Warehouse(args.db)
    start = time.perf_counter()
    munis, issues = warehouse_inputs(wh)
    read = time.perf_counter() - start
    rec = Recommender(wh)
    with sessions() as db:
        start = time.perf_counter()
        rec.for_municipality(db, "32525")  # computes all municipalities at once
        total = time.perf_counter() - start
        stamp = catalog_stamp(db)
    print(f"recommendations, all {len(munis)} municipalities ({stamp[0]} published cases): warehouse read "
          f"{read:.2f} s, compute {total:.2f} s, total {read + total:.2f} s")  # fmt: skip
    wh.close()
    engine.dispose()


if __name__ == "__main__":
    main()
