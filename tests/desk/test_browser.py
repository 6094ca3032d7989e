"""A カルテ from submission to 完了 in a real browser: Playwright driving Debian's Chromium against uvicorn.

One test per role's part, in order: the municipality submits, the Secretariat shares, the ministry answers, the
Secretariat records the meeting and closes, the municipality sees the result.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session
from tests.desk.browser import MuniName, add_role_accounts, login, server_with_users

EMAILS = {"municipality": "sapporo@example.jp", "secretariat": "jimukyoku@example.jp", "ministry": "mlit@example.jp"}
STATE: dict[str, Any] = {}


@pytest.fixture(scope="module")
def desk_server(warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def add_users(db: Session, muni_name: MuniName) -> None:
        add_role_accounts(db, muni_name, EMAILS, "01100", ministry="国土交通省")

    with server_with_users(warehouse_path, tmp_path_factory.mktemp("desk-browser"), add_users) as base:
        yield base


def test_municipality_submits_a_karte(browser: Browser, desk_server: str) -> None:
    page = login(browser, desk_server, EMAILS["municipality"])
    page.get_by_role("link", name="新しいカルテ").click()
    page.get_by_role("button", name="提出する").click()  # empty: the messages come back in Japanese
    expect(page.locator("#err-title")).to_have_text("件名を入力してください")
    page.get_by_label("件名（必須）").fill("観光×交通の新結合：AIデマンド交通")
    page.get_by_label("地域課題").fill("観光客の二次交通が不足している")
    page.get_by_label("取組のアイデア（どのような「新結合」か）").fill("AIデマンド交通と観光DXの組み合わせ")
    page.get_by_label("要素1の種類").select_option("施策")
    page.get_by_label("要素1の分野").select_option("tourism")
    page.get_by_label("要素1の内容").fill("観光DX")
    page.get_by_label("要素2の種類").select_option("技術")
    page.get_by_label("要素2の分野").select_option("transport")
    page.get_by_label("要素2の内容").fill("AIデマンド交通")
    page.get_by_label("観光", exact=True).check()
    page.get_by_label("交通", exact=True).check()
    page.get_by_label("希望する支援").fill("活用できる補助金の紹介")
    page.get_by_label("担当者名").fill("札幌 太郎")
    page.get_by_label("担当者メールアドレス").fill("taro@example.lg.jp")
    page.get_by_role("button", name="提出する").click()
    expect(page.locator("#karte-status")).to_have_text("受付")
    STATE["karte"] = page.url.rsplit("/", 1)[1]
    expect(page.locator("#dashboard-summary")).to_contain_text("札幌市")


def test_secretariat_shares_it_with_a_ministry(browser: Browser, desk_server: str) -> None:
    page = login(browser, desk_server, EMAILS["secretariat"])
    page.goto(desk_server + "/desk/karte?status=received")
    page.get_by_role("link", name="観光×交通の新結合：AIデマンド交通").click()
    page.locator("#share-form").get_by_label("国土交通省").check()
    page.locator("#share-form").get_by_label("府省庁へのメモ").fill("交通分野の施策をご紹介ください")
    page.get_by_role("button", name="共有する").click()
    expect(page.locator("#karte-status")).to_have_text("共有済")
    with page.expect_download() as download:
        page.goto(desk_server + "/desk/karte")
        page.locator("#csv-export").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "観光×交通の新結合：AIデマンド交通" in text and "国土交通省" in text


def test_ministry_answers_with_a_measure(browser: Browser, desk_server: str) -> None:
    page = login(browser, desk_server, EMAILS["ministry"])
    page.locator("#notif-link").click()
    page.get_by_role("link", name="相談カルテ「観光×交通の新結合：AIデマンド交通」が共有されました").click()
    expect(page.locator("#dashboard-summary")).to_contain_text("優先課題")
    form = page.locator("#answer-form")
    form.get_by_label("施策名（必須）").fill("地域公共交通確保維持改善事業")
    form.get_by_label("交付金・補助金").fill("地域公共交通確保維持改善事業費補助金")
    form.get_by_label("URL").fill("https://www.mlit.go.jp/")
    form.get_by_label("コメント（必須）").fill("AIデマンド交通の導入に活用できます")
    page.get_by_role("button", name="回答する").click()
    expect(page.locator("#karte-status")).to_have_text("回答済")
    expect(page.locator("#answers")).to_contain_text("地域公共交通確保維持改善事業")


def test_secretariat_records_the_meeting_and_completes(browser: Browser, desk_server: str) -> None:
    page = login(browser, desk_server, EMAILS["secretariat"])
    page.goto(f"{desk_server}/desk/karte/{STATE['karte']}")
    form = page.locator("#meeting-form")
    form.get_by_label("実施日").fill("2026-05-20")
    form.get_by_label("形式").select_option("online")
    form.get_by_label("参加者").fill("札幌市、国土交通省、内閣官房")
    page.get_by_role("button", name="打合せを記録").click()
    expect(page.locator("#karte-status")).to_have_text("打合せ")
    page.locator("#complete-form").get_by_label("完了時のメモ").fill("施策を紹介し、実証に進むことになった")
    page.get_by_role("button", name="完了にする").click()
    expect(page.locator("#karte-status")).to_have_text("完了")


def test_municipality_sees_the_answer_and_the_history(browser: Browser, desk_server: str) -> None:
    page = login(browser, desk_server, EMAILS["municipality"])
    expect(page.locator("#notif-link .badge")).to_be_visible()
    page.goto(f"{desk_server}/desk/karte/{STATE['karte']}")
    expect(page.locator("#karte-status")).to_have_text("完了")
    expect(page.locator("#answers")).to_contain_text("地域公共交通確保維持改善事業")
    history = page.locator("#history li")
    expect(history).to_have_count(5)
    expect(history.last).to_contain_text("完了")
