"""伴走支援 in a real browser (Playwright, Debian's Chromium, uvicorn): a municipality applies, the Secretariat forms
and publishes the team, an official sees the team and answers the survey, the Secretariat reads the evaluation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session
from tests.desk.browser import MuniName, add_role_accounts, login, server_with_users
from tests.desk.conftest import PASSWORD

from sousei.desk import accounts
from sousei.desk.banso import service

EMAILS = {"municipality": "kushiro@example.jp", "secretariat": "banso-jimukyoku@example.jp"}
OFFICIALS = [
    ("official1@example.jp", "国土交通省", "若手", "tourism"),
    ("official2@example.jp", "総務省", "中堅", "transport"),
    ("official3@example.jp", "環境省", "シニア", "industry"),
]


@pytest.fixture(scope="module")
def banso_server(warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def add_users(db: Session, muni_name: MuniName) -> None:
        add_role_accounts(db, muni_name, EMAILS, "01206")
        for i, (email, ministry, stage, field) in enumerate(OFFICIALS):
            user = accounts.create_user(
                db, None, email=email, role="ministry", password=PASSWORD, ministry=ministry, muni_name=muni_name
            )
            service.save_official(
                db,
                user,
                {"name": f"支援官{i + 1}", "ministry_id": user.ministry_id, "stage": stage, "strengths": {field: 3}},
            )

    with server_with_users(warehouse_path, tmp_path_factory.mktemp("banso-browser"), add_users) as base:
        yield base


def test_municipality_applies(browser: Browser, banso_server: str) -> None:
    page = login(browser, banso_server, EMAILS["municipality"])
    page.get_by_role("link", name="伴走支援").click()
    page.get_by_role("link", name="伴走支援を申請する・申請を変更する").click()
    expect(page.locator("#dashboard-summary h2")).to_have_text("地域の状況（地域課題ダッシュボードより）")
    page.get_by_label("課題の提示・支援の希望").fill("観光客の周遊と二次交通、地場産業の担い手")
    page.get_by_label("観光の優先度").select_option("3")
    page.get_by_label("交通の優先度").select_option("2")
    page.get_by_label("産業振興の優先度").select_option("1")
    page.get_by_role("button", name="申請する").click()
    expect(page.get_by_role("status")).to_have_text("申請を保存しました")


def test_secretariat_matches_and_publishes(browser: Browser, banso_server: str) -> None:
    page = login(browser, banso_server, EMAILS["secretariat"])
    page.goto(banso_server + "/desk/banso/secretariat")
    expect(page.locator("#feasibility h2")).to_have_text("編成前の確認")
    expect(page.locator("#feasibility li.error")).to_have_count(0)  # notes on uncovered themes, nothing blocking
    page.get_by_role("button", name="編成する").click()
    expect(page.locator("#run-summary")).to_contain_text("最適解（証明済み）")
    expect(page.locator('[data-muni="01206"]')).to_contain_text("支援官1")
    expect(page.locator('[data-muni="01206"]')).to_contain_text("規則はすべて守られています")
    page.get_by_role("button", name="この編成を公表する").click()
    expect(page.locator("h1")).to_contain_text("公表中")


def test_official_sees_the_team_and_answers_the_survey(browser: Browser, banso_server: str) -> None:
    page = login(browser, banso_server, OFFICIALS[0][0])
    page.goto(banso_server + "/desk/banso/team")
    expect(page.locator("#team-muni")).to_contain_text("釧路市")
    expect(page.locator("#team")).to_contain_text("支援官3")
    page.get_by_role("link", name="活動評価アンケートに回答する").click()
    page.locator('input[name="rating"][value="5"]').check()
    page.get_by_label("地方創生の現場に携わることができるから。").check()
    page.get_by_label("多様な人材とチームで取り組めるから。").check()
    page.get_by_label("わからない、活用したことがない").check()
    page.get_by_role("button", name="回答する").click()
    expect(page.get_by_role("status")).to_have_text("回答を保存しました")


def test_secretariat_reads_the_evaluation(browser: Browser, banso_server: str) -> None:
    page = login(browser, banso_server, EMAILS["secretariat"])
    page.goto(banso_server + "/desk/banso/evaluations")
    row = page.locator("#reasons tr", has_text="地方創生の現場に携わることができるから。")
    expect(row).to_contain_text("116")
    expect(row).to_contain_text("92.8%")
    expect(row).to_contain_text("100.0%")  # our one answer chose it
