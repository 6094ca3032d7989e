"""Every route of the 好事例 catalog and the KPI targets × every role: who may read or change what; a refused
request changes nothing. CATALOG_ROUTES is joined to the desk's route table (tests/desk/test_authorization.py), so
a new catalog route cannot ship without its rule here."""

from __future__ import annotations

import secrets

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sousei.desk.catalog.models import CatalogCase, CatalogCaseVersion, KpiProgress
from sousei.desk.catalog.search import index_case
from sousei.desk.db import write_session
from sousei.desk.models import AuditEntry

ROLES = ["anonymous", "admin", "secretariat", "ministry", "municipality"]
CASE = {"name": "権限テストの事例", "place": "北海道上士幌町", "muni_codes": "01633", "pillar": "1",
        "themes": "transport", "summary": "権限の確認に使う事例。"}  # fmt: skip
PROGRESS = {"value": "10", "observed_on": "2026-01-01", "source": "権限テスト"}

# (method, path, expected status by role, form data); anonymous always goes to the login (303)
RULES: list[tuple[str, str, dict[str, int], dict[str, str]]] = [
    ("GET", "/desk/catalog/new", {"secretariat": 200}, {}),
    ("POST", "/desk/catalog/new", {"secretariat": 303}, CASE),
    ("GET", "/desk/catalog/{case_id}/edit", {"secretariat": 200}, {}),
    ("POST", "/desk/catalog/{case_id}/edit", {"secretariat": 303}, CASE),
    ("GET", "/desk/catalog/propose", {"municipality": 200}, {}),
    ("POST", "/desk/catalog/propose", {"municipality": 303}, CASE),
    ("GET", "/desk/catalog/review", {"secretariat": 200}, {}),
    ("POST", "/desk/catalog/{case_id}/review", {"secretariat": 303}, {"decision": "publish"}),
    ("POST", "/desk/targets/{target_id}/progress", {"secretariat": 303}, PROGRESS),
]
PUBLIC = [("GET", "/desk/cases"), ("GET", "/desk/cases/{case_id}"), ("GET", "/desk/targets"),
          ("GET", "/desk/targets/{target_id}")]  # fmt: skip
CATALOG_ROUTES = {(m, p) for m, p, _, _ in RULES} | set(PUBLIC)


def _proposed_case(app: FastAPI) -> str:
    """A fresh proposed case (the review and edit routes act on one)."""
    case_id = f"p-auth-{secrets.token_hex(3)}"
    with write_session(app.state.desk.sessions) as db:
        case = CatalogCase(id=case_id, name="審査待ちの事例", deck_name="", place="北海道上士幌町",
                           muni_codes=["01633"], pref_codes=["01"], region="", pillar=1, themes=["transport"],
                           combination=[], summary="審査待ち。", deck_page=None, origin="municipality",
                           status="proposed", version=1, review_note="")  # fmt: skip
        db.add(case)
        db.flush()
        index_case(db, case)
        db.commit()
    return case_id


def _counts(app: FastAPI) -> tuple[int, ...]:
    with app.state.desk.sessions() as db:
        return tuple(db.scalar(select(func.count()).select_from(t)) or 0
                     for t in (CatalogCase, CatalogCaseVersion, KpiProgress, AuditEntry))  # fmt: skip


@pytest.fixture(scope="module")
def cast(people):  # type: ignore[no-untyped-def]
    return {
        "admin": people("admin"),
        "secretariat": people("secretariat"),
        "ministry": people("ministry", ministry="mlit"),
        "municipality": people("municipality", muni="01633"),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r[0]} {r[1]}")
def test_catalog_route_by_role(desk_app: FastAPI, cast, role: str, rule) -> None:  # type: ignore[no-untyped-def]
    method, path, allowed, data = rule
    path = path.replace("{case_id}", _proposed_case(desk_app)).replace("{target_id}", "startup-hub-cities")
    before = _counts(desk_app)
    if role == "anonymous":
        client, csrf = TestClient(desk_app), ""
    else:
        client, csrf = cast[role].client, cast[role].csrf
    if method == "GET":
        r = client.get(path, follow_redirects=False)
    else:
        r = client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
    if role == "anonymous":
        assert r.status_code == 303 and r.headers["location"].startswith("/desk/login")
        assert _counts(desk_app) == before
        return
    want = allowed.get(role, 403)
    assert r.status_code == want, (rule, role, r.text[-400:])
    if method == "POST":
        if want >= 400:
            assert _counts(desk_app) == before, "a refused request changed something"
        else:
            assert _counts(desk_app)[3] > before[3], "an allowed change wrote no audit entry"


@pytest.mark.parametrize("path", ["/desk/cases", "/desk/cases/hida-hidasuke", "/desk/targets",
                                  "/desk/targets/startup-hub-cities"])  # fmt: skip
def test_public_pages_for_everyone(cast, desk_app: FastAPI, path: str) -> None:  # type: ignore[no-untyped-def]
    assert TestClient(desk_app).get(path).status_code == 200
    for person in cast.values():
        assert person.get(path).status_code == 200


def test_proposed_case_is_hidden_from_others(desk_app: FastAPI, cast, people) -> None:  # type: ignore[no-untyped-def]
    case_id = _proposed_case(desk_app)
    assert TestClient(desk_app).get(f"/desk/cases/{case_id}").status_code == 404
    for role in ("ministry", "municipality"):  # that municipality user did not propose it
        assert cast[role].get(f"/desk/cases/{case_id}").status_code == 404
    assert cast["secretariat"].get(f"/desk/cases/{case_id}").status_code == 200
