"""Every /desk route × every role: who may read or change what. A refused request changes nothing.

The table ROUTES must name every route of the desk (test_every_desk_route_is_in_the_table fails otherwise), so a
new route cannot ship without its authorization rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.desk.catalog.test_authorization_catalog import CATALOG_ROUTES
from tests.desk.conftest import KARTE_FORM, Person, make_karte
from tests.desk.test_banso import BANSO_ROUTES  # 伴走支援 routes, each role tested in test_banso.py

from sousei.desk.models import Answer, AuditEntry, Karte, Meeting, User

ROLES = ["anonymous", "admin", "secretariat", "ministry_shared", "ministry_other", "muni_own", "muni_other"]
# Routes that need no session (login and the one-time links) are tested in test_foundation / test_accounts.
PUBLIC = {(m, p) for m in ("GET", "POST") for p in ("/desk/login", "/desk/invite/{token}", "/desk/reset/{token}")}
# The 好事例 catalog's and KPI targets' routes have their own role table (issue 16).
PUBLIC |= CATALOG_ROUTES


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    state: str | None  # the カルテ's state for {karte_id}; None when the route takes none
    expect: dict[str, int]  # role → status (anonymous: 303 to login or 401 for /desk/api)
    data: tuple[tuple[str, Any], ...] = ()


def as_form(pairs: Any) -> dict[str, Any]:
    """Pairs as httpx form data (a repeated name becomes a list)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        out[k] = [*out[k], v] if isinstance(out.get(k), list) else [out[k], v] if k in out else v
    return out


def _all(code: int, **override: int) -> dict[str, int]:
    out = {r: code for r in ROLES if r != "anonymous"}
    out.update(override)
    return out


SHARE = (("ministries", "maff"), ("note", "農林水産業も関係"))
ANSWER = (("measure_name", "地域公共交通確保維持改善事業"), ("comment", "活用できます"))
MEETING = (("held_on", "2026-05-01"), ("form", "online"), ("participants", "札幌市、国土交通省"))
EDIT = tuple(
    (k, v) for k, val in KARTE_FORM.items() if k != "action" for v in (val if isinstance(val, list) else [val])
)

ROUTES = [
    Rule("POST", "/desk/logout", None, _all(303)),
    Rule("GET", "/desk/", None, _all(200)),
    Rule("GET", "/desk/notifications", None, _all(200)),
    Rule("POST", "/desk/notifications/read", None, _all(303)),
    Rule("GET", "/desk/api/me", None, _all(200)),
    Rule("GET", "/desk/karte", None, _all(200, admin=403)),
    Rule("GET", "/desk/karte.csv", None, _all(403, secretariat=200)),
    Rule("GET", "/desk/karte/new", None, _all(403, muni_own=200, muni_other=200)),
    Rule("POST", "/desk/karte", None, _all(403, muni_own=303, muni_other=303), EDIT + (("action", "submit"),)),
    Rule(
        "GET",
        "/desk/karte/{karte_id}",
        "shared",
        _all(404, admin=403, secretariat=200, ministry_shared=200, muni_own=200),
    ),
    Rule("GET", "/desk/api/karte", None, _all(200, admin=403)),
    Rule(
        "GET",
        "/desk/api/karte/{karte_id}",
        "shared",
        _all(404, admin=403, secretariat=200, ministry_shared=200, muni_own=200),
    ),
    Rule("GET", "/desk/karte/{karte_id}/edit", "received", _all(404, secretariat=403, muni_own=200)),
    Rule(
        "POST",
        "/desk/karte/{karte_id}/edit",
        "received",
        _all(404, secretariat=403, muni_own=303),
        EDIT + (("action", "save"), ("version", "1")),
    ),
    Rule("POST", "/desk/karte/{karte_id}/share", "received", _all(403, secretariat=303), SHARE + (("version", "1"),)),
    Rule(
        "POST",
        "/desk/karte/{karte_id}/answer",
        "shared",
        _all(404, secretariat=403, muni_own=403, ministry_shared=303),
        ANSWER,
    ),
    Rule(
        "POST",
        "/desk/karte/{karte_id}/meeting",
        "shared",
        _all(404, secretariat=303, ministry_shared=303, muni_own=403),
        MEETING,
    ),
    Rule("POST", "/desk/karte/{karte_id}/complete", "shared", _all(403, secretariat=303), (("version", "2"),)),
    Rule(
        "POST",
        "/desk/karte/{karte_id}/withdraw",
        "shared",
        _all(404, secretariat=303, muni_own=303, ministry_shared=403),
        (("version", "2"),),
    ),
    Rule("GET", "/desk/admin/users", None, _all(403, admin=200)),
    Rule(
        "POST",
        "/desk/admin/invite",
        None,
        _all(403, admin=200),
        (("email", "new-person@example.jp"), ("role", "secretariat")),
    ),
    Rule("POST", "/desk/admin/users/{user_id}/reset", None, _all(403, admin=200)),
    Rule("POST", "/desk/admin/users/{user_id}/active", None, _all(403, admin=303), (("active", "0"),)),
    Rule("GET", "/desk/admin/audit", None, _all(403, admin=200)),
    Rule("GET", "/desk/admin/audit.csv", None, _all(403, admin=200)),
]


@pytest.fixture(scope="session")
def cast(people) -> dict[str, Person]:  # type: ignore[no-untyped-def]
    return {
        "admin": people("admin"),
        "secretariat": people("secretariat"),
        "ministry_shared": people("ministry", ministry="mlit"),
        "ministry_other": people("ministry", ministry="maff"),
        "muni_own": people("municipality", muni="01100"),
        "muni_other": people("municipality", muni="13101"),
    }


def test_every_desk_route_is_in_the_table(desk_app: FastAPI) -> None:
    flat: list[Any] = []
    for r in desk_app.routes:  # FastAPI keeps an included router as one entry holding its routes
        inner = getattr(r, "original_router", None)
        flat.extend(inner.routes if inner is not None else [r])
    routes = {
        (m, r.path)
        for r in flat
        if getattr(r, "path", "").startswith("/desk")
        for m in getattr(r, "methods", set()) - {"HEAD"}
    }
    assert routes == {(r.method, r.path) for r in ROUTES} | PUBLIC | BANSO_ROUTES


def _counts(app: FastAPI, karte_id: int | None) -> tuple[Any, ...]:
    with app.state.desk.sessions() as db:
        karte = db.get(Karte, karte_id) if karte_id else None
        return (
            karte.version if karte else None,
            karte.status if karte else None,
            db.scalar(select(func.count()).select_from(Karte)),
            db.scalar(select(func.count()).select_from(Answer)),
            db.scalar(select(func.count()).select_from(Meeting)),
            db.scalar(select(func.count()).select_from(User).where(User.is_active.is_(True))),
        )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("rule", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_route_by_role(desk_app: FastAPI, cast: dict[str, Person], people, rule: Rule, role: str) -> None:  # type: ignore[no-untyped-def]
    karte_id = make_karte(desk_app, cast["muni_own"], rule.state) if rule.state else None
    path = rule.path.replace("{karte_id}", str(karte_id))
    if "{user_id}" in path:
        path = path.replace("{user_id}", str(people("secretariat").id))  # a fresh target each time
    if role == "anonymous":
        client, csrf = TestClient(desk_app), ""
    elif rule.path == "/desk/logout":  # logging out the shared person would end later cases' session
        fresh = people(cast[role].role, muni=cast[role].muni_code, ministry=cast[role].ministry_id)
        client, csrf = fresh.client, fresh.csrf
    else:
        client, csrf = cast[role].client, cast[role].csrf
    before = _counts(desk_app, karte_id)
    if rule.method == "GET":
        r = client.get(path, follow_redirects=False)
    else:
        r = client.post(path, data=as_form([("csrf_token", csrf), *rule.data]), follow_redirects=False)
    if role == "anonymous":
        if path.startswith("/desk/api/"):
            assert r.status_code == 401
        else:
            assert r.status_code == 303 and r.headers["location"].startswith("/desk/login")
        assert _counts(desk_app, karte_id) == before
        return
    want = rule.expect[role]
    assert r.status_code == want, (rule, role, r.text[-500:])
    if want >= 400 and rule.method == "POST":
        assert _counts(desk_app, karte_id) == before, "a refused request changed something"


def test_api_lists_only_what_the_role_may_see(desk_app: FastAPI, cast: dict[str, Person]) -> None:
    own = make_karte(desk_app, cast["muni_own"], "shared")
    other = make_karte(desk_app, cast["muni_other"], "shared", share_with=("maff",))
    draft = make_karte(desk_app, cast["muni_own"], "draft")

    def ids(who: str) -> set[int]:
        return {k["id"] for k in cast[who].get("/desk/api/karte").json()}

    assert {own, draft} <= ids("muni_own") and other not in ids("muni_own")
    assert other in ids("muni_other") and not {own, draft} & ids("muni_other")
    assert own in ids("ministry_shared") and not {other, draft} & ids("ministry_shared")
    assert other in ids("ministry_other") and own not in ids("ministry_other")
    assert {own, other} <= ids("secretariat") and draft not in ids("secretariat")
    for who in ("muni_own", "muni_other", "secretariat", "ministry_shared", "ministry_other"):
        page = cast[who].get("/desk/karte").text
        for k in ids(who):
            assert f'data-karte="{k}"' in page
        for k in {own, other, draft} - ids(who):
            assert f'data-karte="{k}"' not in page


def test_a_municipality_cannot_file_for_another_by_form_field(desk_app: FastAPI, cast: dict[str, Person]) -> None:
    data = [(k, v) for k, val in KARTE_FORM.items() for v in (val if isinstance(val, list) else [val])]
    r = cast["muni_own"].post("/desk/karte", as_form(data + [("muni_code", "13101"), ("pref_code", "13")]))
    assert r.status_code == 303
    karte_id = int(r.headers["location"].rsplit("/", 1)[1])
    with desk_app.state.desk.sessions() as db:
        karte = db.get(Karte, karte_id)
        assert karte is not None and (karte.muni_code, karte.pref_code) == ("01100", "01")
    assert cast["muni_other"].get(f"/desk/karte/{karte_id}").status_code == 404


def test_refused_and_allowed_changes_are_audited_only_when_made(desk_app: FastAPI, cast: dict[str, Person]) -> None:
    karte_id = make_karte(desk_app, cast["muni_own"], "received")

    def audit_rows() -> int:
        with desk_app.state.desk.sessions() as db:
            return db.scalar(select(func.count()).where(AuditEntry.entity_id == str(karte_id),
                                                        AuditEntry.entity == "karte")) or 0  # fmt: skip

    n = audit_rows()
    assert (
        cast["ministry_shared"].post(f"/desk/karte/{karte_id}/share", dict(SHARE) | {"version": "1"}).status_code == 403
    )
    assert audit_rows() == n
    assert cast["secretariat"].post(f"/desk/karte/{karte_id}/share", dict(SHARE) | {"version": "1"}).status_code == 303
    assert audit_rows() == n + 1
