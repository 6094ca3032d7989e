"""Desk fixtures: a fresh migrated desk database per backend (SQLite always; PostgreSQL when SOUSEI_TEST_PG_URL
names a server, as scripts/test.sh does), the app over it, and helpers to create users and log them in."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sousei.desk import accounts, ministries
from sousei.desk.db import make_engine, make_sessionmaker, write_session
from sousei.desk.migrate import upgrade
from sousei.web.app import create_app

PASSWORD = "correct-horse-battery-staple"
BACKENDS = ["sqlite", *(["postgresql"] if os.environ.get("SOUSEI_TEST_PG_URL") else [])]


def fresh_database(backend: str, tmp: Path) -> Iterator[str]:
    """A new empty database; PostgreSQL ones are dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'desk.sqlite3'}"
        return
    server = make_url(os.environ["SOUSEI_TEST_PG_URL"])
    name = f"sousei_test_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        con.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as con:
            con.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def desk_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    for url in fresh_database(request.param, tmp_path_factory.mktemp(f"desk-{request.param}")):
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def desk_app(warehouse_path: Path, desk_url: str) -> Iterator[FastAPI]:
    app = create_app(warehouse_path, desk_url)
    yield app
    app.state.desk.engine.dispose()


@dataclass
class Person:
    """A desk user with their own logged-in client (cookie jar)."""

    id: int
    email: str
    role: str
    muni_code: str | None
    ministry_id: str | None
    client: TestClient
    csrf: str = ""

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, follow_redirects=False, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, follow_redirects=False, **kw)


def add_user(app: FastAPI, role: str, muni: str | None = None, ministry: str | None = None) -> tuple[int, str]:
    email = f"{role}-{secrets.token_hex(4)}@example.jp"
    desk = app.state.desk
    with write_session(desk.sessions) as db:
        user = accounts.create_user(
            db, None, email=email, role=role, password=PASSWORD, muni_code=muni, ministry=ministry,
            muni_name=lambda c: (desk.warehouse.municipality(c) or {}).get("name"),
        )  # fmt: skip
        db.commit()
        return user.id, email


def login(app: FastAPI, email: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app, base_url="http://testserver")
    page = client.get("/desk/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post("/desk/login", data={"email": email, "password": password, "csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    return client


def csrf_of(client: TestClient) -> str:
    page = client.get("/desk/")
    return page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.fixture(scope="session")
def people(desk_app: FastAPI):  # type: ignore[no-untyped-def]
    """A factory: people("municipality", muni="01100") → a logged-in Person."""

    def make(role: str, muni: str | None = None, ministry: str | None = None) -> Person:
        uid, email = add_user(desk_app, role, muni, ministry)
        client = login(desk_app, email)
        ministry_id = None if ministry is None else ministries.resolve(ministry).id
        return Person(uid, email, role, muni, ministry_id, client, csrf_of(client))

    return make


@pytest.fixture
def anonymous(desk_app: FastAPI) -> TestClient:
    return TestClient(desk_app, base_url="http://testserver")


def engine_for(url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    return engine, make_sessionmaker(engine)


KARTE_FORM: dict[str, Any] = {
    "title": "観光×交通の「新結合」：AIデマンド交通で二次交通を確保",
    "partners": "地元交通事業者、観光協会、〇〇大学",
    "issue": "観光客の二次交通が不足し、滞在時間が短い",
    "idea": "AIデマンド交通と観光DXを組み合わせ、住民の足と観光の周遊を同時に確保する",
    "support_wanted": "活用できる交付金・補助金の紹介",
    "timeline": "令和8年度に実証、令和9年度から本格運行",
    "contact_name": "札幌 太郎",
    "contact_email": "taro@example.lg.jp",
    "contact_phone": "011-123-4567",
    "fields": ["tourism", "transport"],
    "element_kind_0": "施策",
    "element_field_0": "tourism",
    "element_desc_0": "観光DXによる周遊促進",
    "element_kind_1": "技術",
    "element_field_1": "transport",
    "element_desc_1": "AIデマンド交通",
    "action": "submit",
}


def make_karte(app: FastAPI, owner: Person, state: str, share_with: tuple[str, ...] = ("mlit",)) -> int:
    """A カルテ of owner's municipality brought to state through the workflow functions themselves."""
    from starlette.datastructures import FormData

    from sousei.desk import workflow
    from sousei.desk.karte_form import parse_answer, parse_karte
    from sousei.desk.models import User
    from sousei.desk.roles import Role
    from sousei.desk.workflow import Status

    desk = app.state.desk
    items = [(k, v) for k, val in KARTE_FORM.items() for v in (val if isinstance(val, list) else [val])]
    data = parse_karte(FormData(items), submitting=True)
    with write_session(desk.sessions) as db:
        muni = db.get(User, owner.id)
        secretariat = db.query(User).filter(User.role == Role.SECRETARIAT.value).first()
        assert muni is not None and secretariat is not None
        karte = workflow.create(db, muni, data, submit=state != "draft")
        if state in {"shared", "answered", "done"}:
            workflow.share(db, secretariat, karte, list(share_with), "", karte.version)
        if state in {"answered"}:
            ministry = db.query(User).filter(User.role == "ministry", User.ministry_id == share_with[0]).first()
            assert ministry is not None
            workflow.answer(db, ministry, karte, parse_answer({"measure_name": "施策", "comment": "回答"}))
        if state == "done":
            workflow.close(db, secretariat, karte, Status.DONE, "", karte.version)
        db.commit()
        return karte.id
