"""Accounts: invitation links, password resets by the admin, deactivation, password rules, the audit log export."""

from __future__ import annotations

import csv
import io
import json
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.desk.conftest import PASSWORD, Person, login


def _link(page: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">[^<]*<code>http://testserver(/desk/[^<]+)</code>', page).group(1)  # type: ignore[union-attr]


def _form_token(client: TestClient, path: str) -> str:
    return client.get(path).text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_invitation_creates_the_account_once(desk_app: FastAPI, people) -> None:  # type: ignore[no-untyped-def]
    admin: Person = people("admin")
    r = admin.post("/desk/admin/invite", {"email": "Hanako@City.Example.jp", "role": "municipality",
                                          "muni_code": "01202"})  # fmt: skip
    assert r.status_code == 200
    path = _link(r.text, "invite-link")
    guest = TestClient(desk_app)
    token = _form_token(guest, path)
    r = guest.post(path, data={"csrf_token": token, "display_name": "函館花子", "password": "short",
                               "password_confirm": "short"})  # fmt: skip
    assert r.status_code == 422 and "パスワードが短すぎます" in r.text
    r = guest.post(path, data={"csrf_token": token, "display_name": "函館花子", "password": PASSWORD,
                               "password_confirm": PASSWORD}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    me = guest.get("/desk/api/me").json()
    assert me["email"] == "hanako@city.example.jp" and me["role"] == "municipality" and me["muni_code"] == "01202"
    assert TestClient(desk_app).get(path).status_code == 404  # used once


def test_invitation_form_errors_are_per_field(desk_app: FastAPI, people) -> None:  # type: ignore[no-untyped-def]
    admin: Person = people("admin")
    r = admin.post("/desk/admin/invite", {"email": "bad", "role": "municipality", "muni_code": "99999"})
    assert r.status_code == 422
    assert "メールアドレスの形式が正しくありません" in r.text and "市区町村コード 99999 は見つかりません" in r.text
    r = admin.post("/desk/admin/invite", {"email": "m@example.jp", "role": "ministry", "ministry": "宇宙省"})
    assert r.status_code == 422 and "府省庁 &#39;宇宙省&#39; は一覧にありません" in r.text


def test_reset_by_admin_ends_old_sessions(desk_app: FastAPI, people) -> None:  # type: ignore[no-untyped-def]
    admin: Person = people("admin")
    target: Person = people("secretariat")
    r = admin.post(f"/desk/admin/users/{target.id}/reset")
    path = _link(r.text, "reset-link")
    guest = TestClient(desk_app)
    token = _form_token(guest, path)
    new = "a-brand-new-passphrase"
    r = guest.post(path, data={"csrf_token": token, "password": new, "password_confirm": new}, follow_redirects=False)
    assert r.status_code == 303
    assert target.get("/desk/api/me").status_code == 401  # the old session ended
    login(desk_app, target.email, new)


def test_deactivated_user_cannot_log_in(desk_app: FastAPI, people) -> None:  # type: ignore[no-untyped-def]
    admin: Person = people("admin")
    target: Person = people("ministry", ministry="meti")
    assert admin.post(f"/desk/admin/users/{target.id}/active", {"active": "0"}).status_code == 303
    assert target.get("/desk/api/me").status_code == 401
    client = TestClient(desk_app)
    token = _form_token(client, "/desk/login")
    r = client.post("/desk/login", data={"email": target.email, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 401


def test_audit_log_records_before_and_after_and_exports(desk_app: FastAPI, people) -> None:  # type: ignore[no-untyped-def]
    admin: Person = people("admin")
    target: Person = people("secretariat")
    admin.post(f"/desk/admin/users/{target.id}/active", {"active": "0"})
    r = admin.get("/desk/admin/audit.csv?entity=user")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    change = [row for row in rows if row["操作"] == "deactivate" and row["対象ID"] == str(target.id)]
    assert len(change) == 1 and change[0]["操作者"] == admin.email
    assert json.loads(change[0]["変更前(JSON)"])["is_active"] is True
    assert json.loads(change[0]["変更後(JSON)"])["is_active"] is False
    assert "password_hash" not in r.text
    assert target.email in admin.get("/desk/admin/audit?entity=user").text
