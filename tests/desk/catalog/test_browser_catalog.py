"""Playwright on Debian's Chromium against a real uvicorn server with a migrated desk database: search the
catalog, open a case, see the recommendations on a municipality page, the Secretariat enters a KPI value."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session
from tests.desk.browser import MuniName, server_with_users
from tests.desk.conftest import PASSWORD

from sousei.desk import accounts

SECRETARIAT = "kpi-secretariat@example.jp"


@pytest.fixture(scope="module")
def desk_server(warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def add_users(db: Session, muni_name: MuniName) -> None:
        accounts.create_user(db, None, email=SECRETARIAT, role="secretariat", password=PASSWORD, muni_name=muni_name)

    with server_with_users(warehouse_path, tmp_path_factory.mktemp("desk-browser"), add_users, "/desk/cases") as base:
        yield base


def test_search_open_case_and_recommendations(browser: Browser, desk_server: str) -> None:
    page = browser.new_page(locale="ja-JP")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(desk_server + "/desk/cases")
    page.fill("#case-q", "観光")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/desk/cases?q=*")
    results = page.locator("#case-results li")
    expect(results.first).to_be_visible()
    assert results.count() >= 5
    page.locator("#case-results a", has_text="みちのく潮風トレイル").click()
    page.wait_for_url("**/desk/cases/michinoku-coastal-trail")
    expect(page.locator("#case-name")).to_have_text("みちのく潮風トレイル")
    expect(page.locator("#case-summary")).to_contain_text("観光客")

    page.goto(desk_server + "/m/32525?tab=cases")
    recs = page.locator("#case-recs li")
    expect(recs.first).to_be_visible()
    expect(page.locator("#case-recs")).to_contain_text("』に関連")
    page.locator("#case-recs a", has_text="おたがいマーケット").click()
    page.wait_for_url("**/desk/cases/nara-otagai-market")
    assert errors == []


def test_secretariat_enters_a_kpi_value(browser: Browser, desk_server: str) -> None:
    page = browser.new_page(locale="ja-JP")
    page.goto(desk_server + "/desk/targets/decarbonization-leading-areas")
    expect(page.locator("#kpi-status")).to_have_text("データなし")
    expect(page.locator("#progress-form")).to_have_count(0)  # only the Secretariat sees the form
    page.goto(desk_server + "/desk/login?next=/desk/targets/decarbonization-leading-areas")
    page.fill("input[name=email]", SECRETARIAT)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/desk/targets/decarbonization-leading-areas")
    for value, on in (("40", "2025-06-13"), ("90", "2026-06-13")):
        page.fill("#progress-form input[name=value]", value)
        page.fill("#progress-form input[name=observed_on]", on)
        page.fill("#progress-form input[name=source]", "環境省 公表資料（テスト入力）")
        page.locator("#progress-form button[type=submit]").click()
        page.wait_for_url("**/desk/targets/decarbonization-leading-areas")
    expect(page.locator("#progress tbody tr")).to_have_count(2)
    expect(page.locator("#kpi-status")).to_have_text("順調")  # 40 → 100 by 2031-03-31: the path asks ≈ 50 a year on
    expect(page.locator("#plot-kpi")).to_have_attribute("data-drawn", "4", timeout=15_000)  # 2 values + 2 path ends
    page.goto(desk_server + "/desk/targets")
    expect(page.locator("tr[data-target=decarbonization-leading-areas]")).to_contain_text("順調")
