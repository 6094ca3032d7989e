"""The e-Stat client, store and step against a hostile server on 127.0.0.1: unexpected shapes, a slow drip, an
oversized body, a response that fails the build's checks. Each ends in an EstatError (or BuildError) saying why,
and a saved table is never replaced by a bad one."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from tests.estat.fake_server import FIXTURES, TABLE, serve

from sousei import config
from sousei.estat.client import EstatClient, EstatError
from sousei.estat.store import fetch_table, saved_files
from sousei.pipeline import build as build_mod
from sousei.pipeline.errors import BuildError

Reply = Callable[[BaseHTTPRequestHandler], None]


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _json(body: Any) -> Reply:
    data = json.dumps(body, ensure_ascii=False).encode()

    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return reply


class Hostile:
    """A server whose answer to each endpoint a test sets; it counts the body bytes it managed to send."""

    def __init__(self) -> None:
        self.replies: dict[str, Callable[[dict[str, str]], Reply]] = {}
        self.sent = 0
        self.base_url = ""

    def good_table(self) -> None:
        pages = {None: _fixture(f"getStatsData_{TABLE}_p1.json"), "6": _fixture(f"getStatsData_{TABLE}_p2.json")}
        self.replies["getMetaInfo"] = lambda q: _json(_fixture(f"getMetaInfo_{TABLE}.json"))
        self.replies["getStatsData"] = lambda q: _json(pages[q.get("startPosition")])


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    state = Hostile()
    with serve(lambda h, endpoint, q: state.replies[endpoint](q)(h)) as url:
        state.base_url = url
        yield state


def _client(h: Hostile, **kw: Any) -> EstatClient:
    return EstatClient("test-app-id", base_url=h.base_url, **kw)


# -- unexpected shapes ----------------------------------------------------------------------------------------------


def _page_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    page = _fixture(f"getStatsData_{TABLE}_p1.json")
    change(page["GET_STATS_DATA"])
    return page


def _set(path: list[str], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(root: dict[str, Any]) -> None:
        node = root
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


DATA_INF = "GET_STATS_DATA.STATISTICAL_DATA.DATA_INF"
STATS_SHAPES = [
    (42, "(body)", "a number (42)"),
    ([], "(body)", "a list"),
    ({"GET_STATS_DATA": []}, "GET_STATS_DATA", "a list"),
    (_page_with(_set(["STATISTICAL_DATA"], [1, 2])), "GET_STATS_DATA.STATISTICAL_DATA", "a list"),
    (_page_with(_set(["STATISTICAL_DATA", "DATA_INF", "VALUE"], [5])), f"{DATA_INF}.VALUE[0]", "a number (5)"),
    (_page_with(_set(["STATISTICAL_DATA", "DATA_INF", "VALUE"], 5)), f"{DATA_INF}.VALUE", "a number (5)"),
    (_page_with(_set(["STATISTICAL_DATA", "RESULT_INF"], "x")), "GET_STATS_DATA.STATISTICAL_DATA.RESULT_INF",
     "a string"),
    (_page_with(_set(["RESULT"], None)), "GET_STATS_DATA.RESULT", "null"),
    (_page_with(_set(["RESULT", "STATUS"], {"a": 1})), "GET_STATS_DATA.RESULT.STATUS", "an object"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "path", "found"), STATS_SHAPES)
def test_unexpected_stats_data_shapes_name_the_element(hostile: Hostile, body: Any, path: str, found: str) -> None:
    hostile.replies["getStatsData"] = lambda q: _json(body)
    with _client(hostile) as c, pytest.raises(EstatError) as info:
        list(c.iter_stats_data_pages(TABLE))
    assert info.value.kind == "format"
    assert info.value.path == path
    assert f"{'the body' if path == '(body)' else path} is {found}" in str(info.value)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (42, "(body)"),
        ({"GET_META_INFO": []}, "GET_META_INFO"),
        ({"GET_META_INFO": {"RESULT": {"STATUS": 0}, "METADATA_INF": []}}, "GET_META_INFO.METADATA_INF"),
        (
            {"GET_META_INFO": {"RESULT": {"STATUS": 0}, "METADATA_INF": {"CLASS_INF": {"CLASS_OBJ": [{"@id": "area",
             "CLASS": ["01100"]}]}}}},
            "GET_META_INFO.METADATA_INF.CLASS_INF.CLASS_OBJ[0].CLASS[0]",
        ),
    ],
)  # fmt: skip
def test_unexpected_meta_info_shapes_name_the_element(hostile: Hostile, body: Any, path: str) -> None:
    hostile.replies["getMetaInfo"] = lambda q: _json(body)
    with _client(hostile) as c, pytest.raises(EstatError) as info:
        c.get_meta_info(TABLE)
    assert (info.value.kind, info.value.path) == ("format", path)


def test_a_saved_page_of_unexpected_shape_stops_the_build_naming_file_and_element(
    hostile: Hostile, estat_dir: Path, tmp_path: Path, data_dir: Path
) -> None:
    hostile.good_table()
    with _client(hostile) as c:
        fetch_table(c, TABLE, estat_dir, limit=5)
    page = estat_dir / TABLE / "page-0001.json"
    body = json.loads(page.read_text(encoding="utf-8"))
    body["GET_STATS_DATA"]["STATISTICAL_DATA"] = [body["GET_STATS_DATA"]["STATISTICAL_DATA"]]
    page.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(BuildError) as info:
        build_mod.build(tmp_path / "wh" / "w.duckdb", data_dir, only=lambda s: s.name == "estat")
    assert info.value.check == "format"
    assert info.value.file is not None and info.value.file.endswith(f"{TABLE}/page-0001.json")
    assert info.value.where == "GET_STATS_DATA.STATISTICAL_DATA"


# -- deadline and size ----------------------------------------------------------------------------------------------


def test_a_slow_drip_is_cut_at_the_deadline(hostile: Hostile) -> None:
    def drip(q: dict[str, str]) -> Reply:
        def reply(h: BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", "1000")
            h.end_headers()
            for _ in range(1000):  # one byte every 0.2 s: each read is quick, the whole would take 200 s
                h.wfile.write(b" ")
                h.wfile.flush()
                hostile.sent += 1
                time.sleep(0.2)

        return reply

    hostile.replies["getStatsData"] = drip
    started = time.monotonic()
    with _client(hostile, timeout=5, deadline=1.5) as c, pytest.raises(EstatError) as info:
        c.get_stats_data(TABLE)
    took = time.monotonic() - started
    assert info.value.kind == "timeout" and "SOUSEI_ESTAT_DEADLINE_S" in str(info.value)
    assert took < 1.5 + 1.0, f"the client waited {took:.1f} s"


@pytest.mark.parametrize("announce_length", [True, False])
def test_an_oversized_body_is_refused_while_it_streams(hostile: Hostile, announce_length: bool) -> None:
    size = 20_000_000

    def huge(q: dict[str, str]) -> Reply:
        def reply(h: BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            if announce_length:
                h.send_header("Content-Length", str(size))
            h.end_headers()
            block = b" " * 65536
            for _ in range(size // len(block)):
                h.wfile.write(block)
                hostile.sent += len(block)

        return reply

    hostile.replies["getStatsData"] = huge
    with _client(hostile, max_response_bytes=1_000_000) as c, pytest.raises(EstatError) as info:
        c.get_stats_data(TABLE)
    assert info.value.kind == "too-large" and "SOUSEI_ESTAT_MAX_RESPONSE_MB" in str(info.value)
    assert hostile.sent < size  # the client stopped reading long before the end


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUSEI_ESTAT_DEADLINE_S", "7.5")
    monkeypatch.setenv("SOUSEI_ESTAT_MAX_RESPONSE_MB", "2")
    with EstatClient("x") as c:
        assert (c.deadline_s, c.max_response_bytes) == (7.5, 2_000_000)
    monkeypatch.setenv("SOUSEI_ESTAT_DEADLINE_S", "soon")
    with pytest.raises(ValueError, match="SOUSEI_ESTAT_DEADLINE_S must be a number"):
        EstatClient("x")
    monkeypatch.setenv("SOUSEI_ESTAT_DEADLINE_S", "0")
    with pytest.raises(ValueError, match="greater than 0"):
        config.estat_deadline_s()


def test_every_setting_is_documented_in_the_readme() -> None:
    import re

    source = Path(config.__file__).read_text(encoding="utf-8")
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    names = set(re.findall(r'"(SOUSEI_[A-Z_]+)"', source))
    assert "SOUSEI_ESTAT_BASE_URL" in names and len(names) >= 8
    assert [n for n in sorted(names) if f"`{n}`" not in readme] == []


# -- a fetch that fails the build's checks keeps the saved table --------------------------------------------------


def test_a_fetch_failing_the_checks_keeps_the_saved_table_and_says_why(
    hostile: Hostile, estat_dir: Path, tmp_path: Path, data_dir: Path
) -> None:
    hostile.good_table()
    with _client(hostile) as c:
        fetch_table(c, TABLE, estat_dir, limit=5)
    before = {p: (estat_dir / p).read_bytes() for p in saved_files(estat_dir)}

    bad = _fixture(f"getStatsData_{TABLE}_p1.json")
    bad["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"]["VALUE"][1]["@area"] = "99999"
    good_p2 = _fixture(f"getStatsData_{TABLE}_p2.json")
    hostile.replies["getStatsData"] = lambda q: _json(good_p2 if q.get("startPosition") == "6" else bad)
    with _client(hostile) as c, pytest.raises(EstatError) as info:
        fetch_table(c, TABLE, estat_dir, limit=5)
    assert info.value.kind == "invalid"
    assert "estat-codes-known" in str(info.value) and "99999" in str(info.value)
    assert {p: (estat_dir / p).read_bytes() for p in saved_files(estat_dir)} == before
    assert [p.name for p in estat_dir.iterdir()] == [TABLE]  # no staging folder left

    # A failure half-way (the second page refused) keeps it too, and the build still loads the saved table.
    hostile.replies["getStatsData"] = lambda q: _json(42 if q.get("startPosition") == "6" else bad)
    with _client(hostile) as c, pytest.raises(EstatError, match="the body is a number"):
        fetch_table(c, TABLE, estat_dir, limit=5)
    assert {p: (estat_dir / p).read_bytes() for p in saved_files(estat_dir)} == before
    build_mod.build(tmp_path / "wh" / "w.duckdb", data_dir, only=lambda s: s.name == "estat")
