"""What the desk's browser tests share: a uvicorn server over a fresh migrated SQLite desk with the test's users,
and logging a user in through the login page (Playwright on Debian's Chromium)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session
from tests.desk.conftest import PASSWORD
from tests.servers import uvicorn_app

from sousei.desk import accounts
from sousei.desk.db import make_engine, make_sessionmaker, write_session
from sousei.desk.migrate import upgrade
from sousei.query import Warehouse

MuniName = Callable[[str], str | None]


@contextmanager
def server_with_users(
    warehouse_path: Path, folder: Path, add_users: Callable[[Session, MuniName], None], ready_path: str = "/desk/login"
) -> Iterator[str]:
    """The app under uvicorn over a new desk database in `folder`, where `add_users(db, muni_name)` created the
    test's accounts first; yields the base URL once `ready_path` answers."""
    url = f"sqlite:///{folder / 'desk.sqlite3'}"
    upgrade(url)
    wh = Warehouse(warehouse_path)
    engine = make_engine(url)
    with write_session(make_sessionmaker(engine)) as db:
        add_users(db, lambda code: (wh.municipality(code) or {}).get("name"))
        db.commit()
    engine.dispose()
    wh.close()
    env = {"SOUSEI_DB": str(warehouse_path.resolve()), "SOUSEI_DESK_DB_URL": url}
    with uvicorn_app(env, ready_path) as (base, _):
        yield base


def add_role_accounts(
    db: Session, muni_name: MuniName, emails: dict[str, str], muni_code: str, ministry: str | None = None
) -> None:
    """One account per role of `emails` (role → email), the municipality's for `muni_code`, a ministry's for
    `ministry`, all with the tests' password."""
    for role, email in emails.items():
        accounts.create_user(
            db,
            None,
            email=email,
            role=role,
            password=PASSWORD,
            muni_code=muni_code if role == "municipality" else None,
            ministry=ministry if role == "ministry" else None,
            muni_name=muni_name,
        )


def login(browser: Browser, base: str, email: str) -> Page:
    """A new browser context logged in as `email` through the login page the desk redirects to; fails on a script
    error on the way."""
    page = browser.new_context(locale="ja-JP", accept_downloads=True).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/desk/")
    expect(page).to_have_url(base + "/desk/login?next=/desk/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.locator(".desk-nav .who")).to_contain_text(email)
    assert not errors
    return page
