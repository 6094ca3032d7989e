"""A fake e-Stat API on 127.0.0.1 (random port) serving the hand-written responses of fixtures/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from tests.estat.fake_server import FIXTURES, TABLE, serve

APP_ID = "test-app-id-0123"
BAD_APP_ID = "bad-app-id"
EMPTY_TABLE = "0003999002"  # STATUS 1
UNKNOWN_TABLE = "0000000000"
LIMIT_TABLE = "0003999429"
ERROR_500_TABLE = "0003999500"
SLOW_TABLE = "0003999408"


@dataclass
class FakeEstat:
    """The running server: its base URL, the requests it saw, and the IDs it knows (as attributes for the tests)."""

    base_url: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    app_id: str = APP_ID
    bad_app_id: str = BAD_APP_ID
    table: str = TABLE
    empty_table: str = EMPTY_TABLE
    unknown_table: str = UNKNOWN_TABLE
    limit_table: str = LIMIT_TABLE
    error_500_table: str = ERROR_500_TABLE
    slow_table: str = SLOW_TABLE


def _route(endpoint: str, q: dict[str, str]) -> tuple[int, str, str]:
    """(HTTP status, content type, fixture file) for one request."""
    sid = q.get("statsDataId", "")
    if q.get("appId") != APP_ID:
        return 200, "application/json", f"{endpoint}_status100.json"
    if sid == ERROR_500_TABLE:
        return 500, "text/html; charset=utf-8", "error_500.html"
    if sid == UNKNOWN_TABLE:
        return 200, "application/json", f"{endpoint}_unknown_table.json"
    if endpoint == "getMetaInfo":
        return 200, "application/json", f"getMetaInfo_{sid}.json"
    if sid == TABLE:
        page = "p2" if q.get("startPosition") == "6" else "p1"
        return 200, "application/json", f"getStatsData_{TABLE}_{page}.json"
    if sid == EMPTY_TABLE:
        return 200, "application/json", "getStatsData_status1.json"
    if sid == LIMIT_TABLE:
        return 200, "application/json", "getStatsData_limit.json"
    return 404, "text/plain", ""


@pytest.fixture
def fake_estat() -> Iterator[FakeEstat]:
    state = FakeEstat(base_url="")

    def respond(h: BaseHTTPRequestHandler, endpoint: str, q: dict[str, str]) -> None:
        state.requests.append((endpoint, q))
        if q.get("statsDataId") == SLOW_TABLE:
            time.sleep(1.5)
        code, ctype, name = _route(endpoint, q)
        path = FIXTURES / name if name else None
        body = path.read_bytes() if path is not None and path.is_file() else b"not found"
        if path is not None and not path.is_file():
            code = 404
        h.send_response(code)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    with serve(respond) as url:
        state.base_url = url
        yield state


@pytest.fixture
def estat_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the e-Stat store saves tables in this test (SOUSEI_ESTAT_DIR)."""
    d = tmp_path / "estat"
    monkeypatch.setenv("SOUSEI_ESTAT_DIR", str(d))
    return d
