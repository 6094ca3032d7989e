"""Server CPU per request of the dashboard, in-process: the app called as ASGI (no HTTP, no client), timed with the
process's CPU clock, so that the figure holds on a machine other work is loading (wall-clock load tests do not).

Prints ms of CPU per request for: a cached municipality page, a cached ranking page, and a ranking page marking a
municipality (?from=, each one a first render), after warming every ranking page and municipality page; and where
the time of the ?from= render goes (template rendering, brotli).

    python bench/web_cpu.py [--db var/sousei.duckdb] [--n 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import brotli
import jinja2

from sousei.web.app import create_app


async def _get(app: Any, path: str) -> int:
    """One GET through the whole app (middleware, routing, validation, handler, compression); the status."""
    p, _, q = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": p, "raw_path": p.encode(), "query_string": q.encode(), "root_path": "",
             "headers": [(b"host", b"bench"), (b"accept-encoding", b"br, gzip")], "client": ("127.0.0.1", 1),
             "server": ("127.0.0.1", 80)}  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


class _Timer:
    """CPU time spent inside one function (wrapped in place)."""

    def __init__(self, owner: Any, name: str):
        self.spent, self.inner = 0.0, getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.process_time()
            try:
                return self.inner(*args, **kwargs)
            finally:
                self.spent += time.process_time() - t

        setattr(owner, name, timed)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=os.environ.get("SOUSEI_DB", "var/sousei.duckdb"))
    ap.add_argument("--n", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Path(args.db), desk_url=f"sqlite:///{tmp}/desk.sqlite")
        wh = app.state.wh
        codes = [m["muni_code"] for m in wh.municipalities()]
        indicators = [i["indicator_id"] for i in wh.indicators()]
        rnd = random.Random(1)
        ranking_pages = [f"/ranking/{i}?page={p}" for i in indicators for p in range(1, 36)]
        municipality_pages = [f"/m/{c}" for c in codes]
        marked = [f"/ranking/{rnd.choice(indicators)}?from={rnd.choice(codes)}" for _ in range(2 * args.n)]
        for path in ranking_pages + municipality_pages + marked[args.n :]:  # warm: every page and fragment once
            await _get(app, path)
        render, compress = _Timer(jinja2.Template, "render"), _Timer(brotli, "compress")
        for label, paths in (
            ("municipality page, cached", rnd.sample(municipality_pages, args.n)),
            ("ranking page, cached", rnd.sample(ranking_pages, args.n)),
            ("ranking page with ?from= (first render)", marked[: args.n]),
        ):
            render.spent = compress.spent = 0.0
            t = time.process_time()
            for path in paths:
                assert await _get(app, path) == 200, path
            per = (time.process_time() - t) / len(paths) * 1000
            print(f"{label}: {per:.3f} ms CPU per request (templates {render.spent / len(paths) * 1000:.3f} ms, "
                  f"brotli {compress.spent / len(paths) * 1000:.3f} ms)")  # fmt: skip
        jinja2.Template.render = render.inner  # type: ignore[method-assign]
        brotli.compress = compress.inner


if __name__ == "__main__":
    asyncio.run(main())
