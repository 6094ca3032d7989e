"""The desk foundation: migrations, the CLI, login with cookies, CSRF and the login rate limit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text
from tests.desk.conftest import PASSWORD, add_user, login

from sousei.desk import ministries, policy_fields
from sousei.desk.auth import MAX_FAILURES_PER_ACCOUNT, SESSION_COOKIE
from sousei.desk.migrate import heads, upgrade


def test_policy_fields_and_ministries_have_unique_stable_ids() -> None:
    ids = [f.id for f in policy_fields.POLICY_FIELDS]
    assert len(ids) == len(set(ids)) >= 20
    assert {
        "観光",
        "産業振興",
        "農林水産業",
        "まちづくり",
        "交通",
        "教育",
        "医療・福祉",
        "デジタル",
        "脱炭素",
        "防災",
    } <= {f.name for f in policy_fields.POLICY_FIELDS}
    assert len({m.id for m in ministries.MINISTRIES}) == len(ministries.MINISTRIES)
    assert ministries.resolve("国土交通省").id == ministries.resolve("mlit").id == "mlit"


def test_init_migrates_to_every_head_on_sqlite_with_wal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    upgrade(url)
    upgrade(url)  # a second run is a no-op, not an error
    engine = create_engine(url)
    with engine.connect() as con:
        assert con.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        versions = {r[0] for r in con.execute(text("SELECT version_num FROM alembic_version"))}
    assert versions == set(heads())
    assert {"desk_users", "desk_karte", "desk_audit_log", "desk_notifications"} <= set(
        inspect(engine).get_table_names()
    )


def test_cli_init_and_create_user_reads_password_from_stdin(tmp_path: Path, warehouse_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    sousei = [sys.executable, "-m", "sousei.cli"]
    run = subprocess.run([*sousei, "desk", "init", "--url", url], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    ok = subprocess.run(
        [*sousei, "desk", "create-user", "--email", "Chief@Example.JP", "--role", "municipality", "--muni", "01100",
         "--password-stdin", "--url", url, "--db", str(warehouse_path)],
        input=PASSWORD + "\n", capture_output=True, text=True,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [*sousei, "desk", "create-user", "--email", "x@example.jp", "--role", "municipality", "--muni", "99999",
         "--password-stdin", "--url", url, "--db", str(warehouse_path)],
        input="short\n", capture_output=True, text=True,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "99999 は見つかりません" in bad.stderr and "パスワードが短すぎます" in bad.stderr
    with create_engine(url).connect() as con:
        rows = con.execute(text("SELECT email, role, muni_code, password_hash FROM desk_users")).all()
        audit = con.execute(text("SELECT actor, action, entity FROM desk_audit_log")).all()
    assert [(r[0], r[1], r[2]) for r in rows] == [("chief@example.jp", "municipality", "01100")]
    assert rows[0][3].startswith("$argon2id$") and PASSWORD not in rows[0][3]
    assert audit == [("cli", "create", "user")]


def test_anonymous_is_sent_to_login_and_api_gets_401(anonymous: TestClient) -> None:
    r = anonymous.get("/desk/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/desk/login")
    assert anonymous.get("/desk/api/me").status_code == 401


def test_login_sets_a_safe_cookie_and_logout_ends_the_session(desk_app: FastAPI) -> None:
    _, email = add_user(desk_app, "secretariat")
    client = login(desk_app, email)
    cookie = next(c for c in client.cookies.jar if c.name == SESSION_COOKIE)
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.path == "/desk"
    assert client.get("/desk/api/me").json()["email"] == email
    page = client.get("/desk/")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert client.post("/desk/logout", data={"csrf_token": "wrong"}).status_code == 403
    assert client.post("/desk/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    client.cookies.set(SESSION_COOKIE, cookie.value or "", path="/desk")  # a stolen cookie of an ended session
    assert client.get("/desk/api/me").status_code == 401


def test_login_without_the_form_token_is_refused(desk_app: FastAPI) -> None:
    _, email = add_user(desk_app, "secretariat")
    client = TestClient(desk_app)
    r = client.post("/desk/login", data={"email": email, "password": PASSWORD, "csrf_token": "x"})
    assert r.status_code == 403


def test_login_is_rate_limited_per_account(desk_app: FastAPI) -> None:
    _, email = add_user(desk_app, "ministry", ministry="総務省")
    client = TestClient(desk_app)
    token = client.get("/desk/login").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        r = client.post("/desk/login", data={"email": email, "password": "wrong-password!!", "csrf_token": token})
        assert r.status_code == 401 and "メールアドレスまたはパスワードが違います" in r.text
    r = client.post("/desk/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and "しばらくログインできません" in r.text


def test_cookie_is_secure_when_served_over_https(desk_app: FastAPI) -> None:
    _, email = add_user(desk_app, "secretariat")
    client = TestClient(desk_app, base_url="https://testserver")
    token = client.get("/desk/login").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post("/desk/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    header = r.headers["set-cookie"]
    assert SESSION_COOKIE in header and "Secure" in header and "HttpOnly" in header and "SameSite=lax" in header


def test_an_uninitialised_desk_database_says_what_to_run(warehouse_path: Path, tmp_path: Path) -> None:
    from sousei.web.app import create_app

    app = create_app(warehouse_path, f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    client = TestClient(app, raise_server_exceptions=False)
    client.cookies.set(SESSION_COOKIE, "anything", path="/desk")
    r = client.get("/desk/")
    assert r.status_code == 503 and "sousei desk init" in r.text
    app.state.desk.engine.dispose()


def test_the_migrations_create_exactly_what_the_models_declare(tmp_path: Path) -> None:
    """`alembic check`: after upgrade heads, autogenerate finds nothing to add (a model change needs a migration)."""
    from alembic import command

    from sousei.desk.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    upgrade(url)
    command.check(alembic_config(url))  # raises AutogenerateDiffsDetected otherwise


def test_login_is_rate_limited_per_address(desk_app: FastAPI) -> None:
    from sousei.desk.auth import MAX_FAILURES_PER_ADDRESS
    from sousei.desk.db import write_session
    from sousei.desk.models import LoginAttempt

    _, email = add_user(desk_app, "secretariat")
    client = TestClient(desk_app, client=("192.0.2.7", 50000))  # an address no other test uses
    token = client.get("/desk/login").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    with write_session(desk_app.state.desk.sessions) as db:  # earlier failures from this address, other accounts
        db.add_all(LoginAttempt(email=f"guess{i}@example.jp", address="192.0.2.7")
                   for i in range(MAX_FAILURES_PER_ADDRESS - 1))  # fmt: skip
        db.commit()
    r = client.post("/desk/login", data={"email": "nobody@example.jp", "password": "x" * 12, "csrf_token": token})
    assert r.status_code == 401
    r = client.post("/desk/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429  # the right password of another account, from an address that kept guessing
    other = TestClient(desk_app, client=("192.0.2.8", 50000))
    token = other.get("/desk/login").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = other.post("/desk/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                   follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
