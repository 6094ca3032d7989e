"""The e-Stat client against the fake server: paging with NEXT_KEY, STATUS handling, HTTP errors, timeouts."""

from __future__ import annotations

import socket

import pytest

from sousei import estat
from sousei.estat.client import DEFAULT_BASE_URL, EstatClient, EstatError


def _client(fake, app_id: str | None = None, **kw) -> EstatClient:  # type: ignore[no-untyped-def]
    return EstatClient(app_id or fake.app_id, base_url=fake.base_url, **kw)


def test_pages_follow_next_key(fake_estat) -> None:  # type: ignore[no-untyped-def]
    with _client(fake_estat) as c:
        pages = list(c.iter_stats_data_pages(fake_estat.table, limit=5))
    assert len(pages) == 2
    values = [v for p in pages for v in p["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"]["VALUE"]]
    assert len(values) == 9 and values[0]["$"] == "126146099" and values[-1]["$"] == "…"
    sent = [q for ep, q in fake_estat.requests if ep == "getStatsData"]
    assert [q.get("startPosition") for q in sent] == [None, "6"]
    assert all(q["appId"] == fake_estat.app_id and q["limit"] == "5" and q["metaGetFlg"] == "N" for q in sent)


def test_meta_info(fake_estat) -> None:  # type: ignore[no-untyped-def]
    with _client(fake_estat) as c:
        meta = c.get_meta_info(fake_estat.table)
    objs = meta["GET_META_INFO"]["METADATA_INF"]["CLASS_INF"]["CLASS_OBJ"]
    assert [o["@id"] for o in objs] == ["tab", "cat01", "area", "time"]


def test_bad_app_id_says_so(fake_estat) -> None:  # type: ignore[no-untyped-def]
    with _client(fake_estat, app_id=fake_estat.bad_app_id) as c, pytest.raises(EstatError) as info:
        c.get_meta_info(fake_estat.table)
    assert info.value.kind == "auth" and info.value.status == 100
    assert "SOUSEI_ESTAT_APP_ID" in str(info.value) and "認証に失敗しました" in str(info.value)
    assert fake_estat.bad_app_id not in str(info.value)  # the credential never appears in messages


def test_unknown_table_and_limit(fake_estat) -> None:  # type: ignore[no-untyped-def]
    with _client(fake_estat) as c:
        with pytest.raises(EstatError) as info:
            c.get_stats_data(fake_estat.unknown_table)
        assert info.value.kind == "not-found" and "統計表ID" in str(info.value)
        with pytest.raises(EstatError) as info:
            c.get_stats_data(fake_estat.limit_table, limit=200_000)
        assert info.value.kind == "limit" and info.value.status == 103


def test_no_data_is_not_an_error(fake_estat) -> None:  # type: ignore[no-untyped-def]
    with _client(fake_estat) as c:
        pages = list(c.iter_stats_data_pages(fake_estat.empty_table))
    assert len(pages) == 1
    assert pages[0]["GET_STATS_DATA"]["RESULT"]["STATUS"] == 1
    assert "DATA_INF" not in pages[0]["GET_STATS_DATA"]["STATISTICAL_DATA"]


def test_html_500_is_an_http_error(fake_estat) -> None:  # type: ignore[no-untyped-def]
    with _client(fake_estat) as c, pytest.raises(EstatError) as info:
        c.get_stats_data(fake_estat.error_500_table)
    assert info.value.kind == "http" and "HTTP 500" in str(info.value) and "Internal Server Error" in str(info.value)
    assert "appId=***" in str(info.value) and fake_estat.app_id not in str(info.value)


def test_timeout(fake_estat) -> None:  # type: ignore[no-untyped-def]
    with _client(fake_estat, timeout=0.3) as c, pytest.raises(EstatError) as info:
        c.get_stats_data(fake_estat.slow_table)
    assert info.value.kind == "timeout"


def test_unreachable_server() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again at once: nothing listens there
    with EstatClient("x", base_url=f"http://127.0.0.1:{port}/", timeout=2) as c, pytest.raises(EstatError) as info:
        c.get_meta_info("0003999001")
    assert info.value.kind == "network"


def test_app_id_and_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOUSEI_ESTAT_APP_ID", raising=False)
    monkeypatch.delenv("SOUSEI_ESTAT_BASE_URL", raising=False)
    with pytest.raises(EstatError, match="SOUSEI_ESTAT_APP_ID") as info:
        EstatClient()
    assert info.value.kind == "auth"
    monkeypatch.setenv("SOUSEI_ESTAT_APP_ID", "from-env")
    with EstatClient() as c:
        assert c.app_id == "from-env" and c.base_url == DEFAULT_BASE_URL
    monkeypatch.setenv("SOUSEI_ESTAT_BASE_URL", "http://127.0.0.1:9/api")
    with EstatClient() as c:
        assert c.base_url == "http://127.0.0.1:9/api/"


def test_stats_data_id_is_validated() -> None:
    with EstatClient("x", base_url="http://127.0.0.1:9/") as c, pytest.raises(EstatError, match="not a statsDataId"):
        c.get_meta_info("../etc")


def test_notice_and_credit_are_the_required_text() -> None:
    assert estat.NOTICE == (
        "このサービスは、政府統計総合窓口(e-Stat)のAPI機能を使用していますが、"
        "サービスの内容は国によって保証されたものではありません。"
    )
    assert estat.CREDIT == "出典：政府統計の総合窓口(e-Stat)"
