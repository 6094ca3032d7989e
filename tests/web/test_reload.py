"""The server keeps answering every route, from one warehouse at a time, while the warehouse file is moved away,
replaced by a rebuild (picked up whole, on the timer and on SIGHUP) and replaced by a file that is not a whole
warehouse (refused: the running one goes on)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from tests.servers import uvicorn_app, wait_until

from sousei.charts import MUNICIPAL_CHARTS, NATIONAL_CHARTS
from sousei.pipeline import build as build_mod
from sousei.web.app import DEFAULT_INDICATOR
from sousei.web.live import BUILD_HEADER

HEADER = BUILD_HEADER.decode()


def every_get_url(client: TestClient) -> list[str]:
    """One concrete URL for every GET route of the app (pages, CSV, JSON API), plus the simulator's page tab."""
    muni_chart, national_chart = next(iter(MUNICIPAL_CHARTS)), next(iter(NATIONAL_CHARTS))
    urls = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        path = route.path.replace("{code}", "01100").replace("{indicator_id}", DEFAULT_INDICATOR)
        path = path.replace("{slug}", "walls")  # the methods pages (/methods/walls …)
        if path.startswith("/compare/charts/"):  # a chart of the compare page: one indicator, chosen municipalities
            path = f"/compare/charts/compare_{DEFAULT_INDICATOR}.csv?codes=01100,31201"
        path = path.replace("{chart_id}", national_chart if "japan" in path else muni_chart)
        urls.append(path)
    return [*urls, "/m/01100?tab=projection", "/api/m/01100/simulate?tfr_2030=1.5&migration_scale=0.5"]


def _copy_with_build_time(source: Path, target: Path, built_at: dt.datetime) -> None:
    """A warehouse file as a rebuild writes it: whole, then moved into place in one os.replace."""
    partial = target.with_name(f".{target.name}.next")
    shutil.copyfile(source, partial)
    con = duckdb.connect(str(partial))
    con.execute("UPDATE meta__build SET built_at = ?", [built_at])
    con.close()
    os.replace(partial, target)


class Hammer:
    """Threads requesting every URL in turn until stopped; they record (url, status, warehouse build time)."""

    def __init__(self, base: str, urls: list[str]):
        self.base, self.urls = base, urls
        self.seen: list[tuple[str, int, str]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(2)]

    def _run(self, offset: int) -> None:
        with httpx.Client(base_url=self.base, timeout=60) as http:
            i = offset
            while not self._stop.is_set():
                url = self.urls[i % len(self.urls)]
                i += 1
                try:
                    r = http.get(url)
                    self.seen.append((url, r.status_code, r.headers.get(HEADER, "")))
                except httpx.HTTPError as exc:
                    self.errors.append(f"{url}: {exc!r}")

    def __enter__(self) -> Hammer:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(120)


@pytest.fixture
def live_server(warehouse_path: Path, tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    db = tmp_path / "served" / "w.duckdb"
    db.parent.mkdir()
    shutil.copyfile(warehouse_path, db)
    with uvicorn_app({"SOUSEI_DB": str(db), "SOUSEI_RELOAD_INTERVAL_S": "1"}, "/api/indicators") as (base, proc):
        yield base, db, proc


def _built(base: str) -> str:
    return httpx.get(base + "/api/sources", timeout=30).headers[HEADER]


def test_the_server_answers_every_route_while_the_warehouse_is_rebuilt_under_it(
    live_server: tuple[str, Path, subprocess.Popen[bytes]], client: TestClient, warehouse_path: Path, data_dir: Path
) -> None:
    base, db, proc = live_server
    urls = every_get_url(client)
    expected = {}
    for url in urls:
        r = httpx.get(base + url, timeout=60)
        expected[url] = r.status_code
    assert all(status == 200 for status in expected.values()), expected
    first = _built(base)
    later = dt.datetime.fromisoformat(first) + dt.timedelta(days=1)

    with Hammer(base, urls) as hammer:
        # The file moved away (the simulator used to re-open it by path and fail): everything still answers.
        moved = db.with_name("moved.duckdb")
        os.rename(db, moved)
        time.sleep(2.5)
        # A rebuild puts a new file in place: picked up on the timer, as a whole.
        _copy_with_build_time(warehouse_path, db, later)
        wait_until(lambda: _built(base) == str(later), proc, "the rebuilt warehouse", 120)
        # A file that is not a whole warehouse (a build of one step) is refused; the running one goes on.
        build_mod.build(db, data_dir, only=lambda s: s.name == "tokyo_area_migration")
        time.sleep(2.5)
        assert _built(base) == str(later)
        # Another rebuild, announced by SIGHUP.
        latest = later + dt.timedelta(days=1)
        _copy_with_build_time(warehouse_path, db, latest)
        proc.send_signal(signal.SIGHUP)
        wait_until(lambda: _built(base) == str(latest), proc, "the warehouse after SIGHUP", 120)
        time.sleep(1)

    assert hammer.errors == []
    wrong = [(url, status) for url, status, _ in hammer.seen if status != expected[url]]
    assert wrong == [], wrong[:10]
    builds = [b for _, _, b in hammer.seen]
    assert {first, str(later), str(latest)} <= set(builds), "every warehouse served"
    assert len(hammer.seen) > 3 * len(urls)
