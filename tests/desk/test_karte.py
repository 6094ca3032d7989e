"""The 相談カルテ from submission to 完了: history, notifications, answers, meetings, the dashboard summary,
filters and CSV; optimistic locking; field-level Japanese messages; nothing half-written."""

from __future__ import annotations

import csv
import io
import re
import threading
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from tests.desk.conftest import KARTE_FORM, Person, make_karte
from tests.desk.test_authorization import as_form

from sousei.desk.models import Answer, Karte, KarteHistory, Notification


@pytest.fixture(scope="module")
def team(people) -> dict[str, Person]:  # type: ignore[no-untyped-def]
    return {
        "muni": people("municipality", muni="01100"),
        "muni2": people("municipality", muni="01100"),  # a colleague in the same city
        "sec": people("secretariat"),
        "mlit": people("ministry", ministry="mlit"),
        "maff": people("ministry", ministry="maff"),
    }


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]


def _karte_form(**override: Any) -> dict[str, Any]:
    return as_form([(k, v) for k, val in (KARTE_FORM | override).items()
                    for v in (val if isinstance(val, list) else [val])])  # fmt: skip


def _unread(app: FastAPI, person: Person) -> list[str]:
    with app.state.desk.sessions() as db:
        return list(db.scalars(select(Notification.message).where(Notification.user_id == person.id,
                                                                  Notification.read_at.is_(None))).all())  # fmt: skip


def test_from_submission_to_done(desk_app: FastAPI, team: dict[str, Person]) -> None:
    muni, sec, mlit = team["muni"], team["sec"], team["mlit"]
    r = muni.post("/desk/karte", _karte_form())
    assert r.status_code == 303
    kid = int(r.headers["location"].rsplit("/", 1)[1])
    assert any("新しい相談カルテ" in m for m in _unread(desk_app, sec))
    page = sec.get(f"/desk/karte/{kid}").text
    assert "受付" in page and "地域の状況" in page and "優先課題" in page
    assert mlit.get(f"/desk/karte/{kid}").status_code == 404  # not shared yet
    r = sec.post(f"/desk/karte/{kid}/share", {"ministries": ["mlit"], "note": "交通分野", "version": _version(page)})
    assert r.status_code == 303
    assert any("共有されました" in m for m in _unread(desk_app, mlit))
    assert not _unread(desk_app, team["maff"])
    r = mlit.post(f"/desk/karte/{kid}/answer", {"measure_name": "地域公共交通確保維持改善事業",
                  "grant_name": "地域公共交通確保維持改善事業費補助金", "contact_point": "総合政策局",
                  "url": "https://www.mlit.go.jp/", "comment": "AIデマンド交通の導入に活用できます"})  # fmt: skip
    assert r.status_code == 303
    assert any("回答がありました" in m for m in _unread(desk_app, muni))
    assert any("回答がありました" in m for m in _unread(desk_app, team["muni2"]))
    meeting = {
        "held_on": "2026-05-20",
        "form": "online",
        "participants": "札幌市、国土交通省、内閣官房",
        "notes": "実証",
    }
    r = mlit.post(f"/desk/karte/{kid}/meeting", meeting)
    assert r.status_code == 303
    page = sec.get(f"/desk/karte/{kid}").text
    r = sec.post(f"/desk/karte/{kid}/complete", {"note": "施策を紹介し完了", "version": _version(page)})
    assert r.status_code == 303
    page = muni.get(f"/desk/karte/{kid}").text
    assert 'id="karte-status">完了<' in page and "地域公共交通確保維持改善事業" in page and "2026-05-20" in page
    with desk_app.state.desk.sessions() as db:
        steps = [(h.from_status, h.to_status) for h in db.scalars(
            select(KarteHistory).where(KarteHistory.karte_id == kid).order_by(KarteHistory.id))]  # fmt: skip
    assert steps == [(None, "received"), ("received", "shared"), ("shared", "answered"), ("answered", "meeting"),
                     ("meeting", "done")]  # fmt: skip
    assert any("完了になりました" in m for m in _unread(desk_app, muni))
    # nothing can be done to a closed カルテ
    assert mlit.post(f"/desk/karte/{kid}/answer", {"measure_name": "x", "comment": "y"}).status_code == 403


def test_draft_then_submit_and_edit_while_received(desk_app: FastAPI, team: dict[str, Person]) -> None:
    muni = team["muni"]
    r = muni.post("/desk/karte", {"title": "下書きのカルテ", "action": "draft"})
    assert r.status_code == 303
    kid = int(r.headers["location"].rsplit("/", 1)[1])
    assert team["sec"].get(f"/desk/karte/{kid}").status_code == 404  # drafts stay with the municipality
    page = muni.get(f"/desk/karte/{kid}/edit").text
    r = muni.post(f"/desk/karte/{kid}/edit", _karte_form(action="submit") | {"version": _version(page)})
    assert r.status_code == 303
    page = muni.get(f"/desk/karte/{kid}/edit").text
    r = muni.post(f"/desk/karte/{kid}/edit", _karte_form(action="save", title="件名を直しました") |
                  {"version": _version(page)})  # fmt: skip
    assert r.status_code == 303
    assert "件名を直しました" in team["sec"].get(f"/desk/karte/{kid}").text


def test_concurrent_edit_shows_the_other_change_and_loses_nothing(desk_app: FastAPI, team: dict[str, Person]) -> None:
    a, b = team["muni"], team["muni2"]
    kid = make_karte(desk_app, a, "received")
    seen_a = _version(a.get(f"/desk/karte/{kid}/edit").text)
    seen_b = _version(b.get(f"/desk/karte/{kid}/edit").text)
    assert seen_a == seen_b
    r = a.post(f"/desk/karte/{kid}/edit", _karte_form(action="save", timeline="Aさんの修正") | {"version": seen_a})
    assert r.status_code == 303
    r = b.post(f"/desk/karte/{kid}/edit", _karte_form(action="save", timeline="Bさんの修正") | {"version": seen_b})
    assert r.status_code == 409
    assert "他の利用者が更新しました" in r.text and "Aさんの修正" in r.text and a.email in r.text
    assert "Bさんの修正" in r.text  # B's input is still in the form, to send again
    with desk_app.state.desk.sessions() as db:
        assert db.get(Karte, kid).timeline == "Aさんの修正"  # type: ignore[union-attr]
    r = b.post(f"/desk/karte/{kid}/edit", _karte_form(action="save", timeline="Bさんの修正") |
               {"version": _version(r.text)})  # fmt: skip
    assert r.status_code == 303


def test_stale_share_is_refused(desk_app: FastAPI, team: dict[str, Person]) -> None:
    kid = make_karte(desk_app, team["muni"], "received")
    sec = team["sec"]
    stale = _version(sec.get(f"/desk/karte/{kid}").text)
    page = team["muni"].get(f"/desk/karte/{kid}/edit").text
    team["muni"].post(f"/desk/karte/{kid}/edit", _karte_form(action="save", idea="変更後のアイデア") |
                      {"version": _version(page)})  # fmt: skip
    r = sec.post(f"/desk/karte/{kid}/share", {"ministries": ["mlit"], "version": stale})
    assert r.status_code == 409 and "他の利用者が更新しました" in r.text and "変更後のアイデア" in r.text
    with desk_app.state.desk.sessions() as db:
        assert db.get(Karte, kid).status == "received"  # type: ignore[union-attr]


def test_parallel_answers_are_all_stored(desk_app: FastAPI, team: dict[str, Person], people) -> None:  # type: ignore[no-untyped-def]
    kid = make_karte(desk_app, team["muni"], "shared")
    answerers = [people("ministry", ministry="mlit") for _ in range(6)]
    codes: list[int] = []

    def send(p: Person, i: int) -> None:
        codes.append(p.post(f"/desk/karte/{kid}/answer", {"measure_name": f"施策{i}", "comment": "並行"}).status_code)

    threads = [threading.Thread(target=send, args=(p, i)) for i, p in enumerate(answerers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [303] * 6
    with desk_app.state.desk.sessions() as db:
        assert db.scalar(select(func.count()).where(Answer.karte_id == kid)) == 6
        assert db.get(Karte, kid).status == "answered"  # type: ignore[union-attr]


def test_field_errors_in_japanese_and_nothing_written(desk_app: FastAPI, team: dict[str, Person]) -> None:
    def count() -> int:
        with desk_app.state.desk.sessions() as db:
            return db.scalar(select(func.count()).select_from(Karte)) or 0

    n = count()
    r = team["muni"].post("/desk/karte", _karte_form(title="あ" * 201, contact_email="not-an-email", fields=["nope"],
                                                     element_desc_1="", contact_phone="abc"))  # fmt: skip
    assert r.status_code == 422
    for message in (
        "件名は200文字以内で入力してください（現在201文字）",
        "担当者メールアドレスの形式が正しくありません",
        "政策分野の一覧にない値です：nope",
        "組み合わせる要素を2つ以上入力してください",
        "電話番号は数字とハイフンで入力してください",
    ):
        assert message in r.text
    assert 'value="' + "あ" * 201 + '"' in r.text  # what was typed is kept
    r = team["muni"].post("/desk/karte", {"title": "", "action": "submit"})
    assert r.status_code == 422 and "件名を入力してください" in r.text and "地域課題を入力してください" in r.text
    r = team["muni"].post("/desk/karte", {"title": "x" * 300_000})
    assert r.status_code == 413 and "送信内容が大きすぎます" in r.text
    assert count() == n
    kid = make_karte(desk_app, team["muni"], "shared")
    r = team["mlit"].post(f"/desk/karte/{kid}/answer", {"measure_name": "", "comment": "c", "url": "javascript:x"})
    assert r.status_code == 422 and "施策名を入力してください" in r.text and "URLは http:// または https://" in r.text
    r = team["sec"].post(f"/desk/karte/{kid}/meeting", {"held_on": "5月20日", "form": "zoom", "participants": ""})
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text and "形式を選んでください" in r.text
    with desk_app.state.desk.sessions() as db:
        assert db.scalar(select(func.count()).where(Answer.karte_id == kid)) == 0
        assert db.get(Karte, kid).status == "shared"  # type: ignore[union-attr]


def test_filters_and_csv_export(desk_app: FastAPI, team: dict[str, Person], people) -> None:  # type: ignore[no-untyped-def]
    other = people("municipality", muni="13101")
    kid_tokyo = make_karte(desk_app, other, "shared", share_with=("maff",))
    kid_sapporo = make_karte(desk_app, team["muni"], "received")
    sec = team["sec"]
    page = sec.get("/desk/karte?pref=13").text
    assert f'data-karte="{kid_tokyo}"' in page and f'data-karte="{kid_sapporo}"' not in page
    page = sec.get("/desk/karte?ministry=maff&status=shared&field=transport").text
    assert f'data-karte="{kid_tokyo}"' in page and f'data-karte="{kid_sapporo}"' not in page
    page = sec.get("/desk/karte?field=disaster").text
    assert f'data-karte="{kid_tokyo}"' not in page
    assert sec.get("/desk/karte?status=bogus").status_code == 422
    r = sec.get("/desk/karte.csv?pref=13")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    mine = [row for row in rows if row["カルテ番号"] == str(kid_tokyo)]
    assert len(mine) == 1 and mine[0]["市区町村"] == "千代田区" and mine[0]["共有先府省庁"] == "農林水産省"
    assert mine[0]["状態"] == "共有済" and mine[0]["政策分野"] == "観光・交通"
    assert all(row["都道府県"] == "東京都" for row in rows)


def test_the_karte_shows_the_municipality_summary_with_sources(desk_app: FastAPI, team: dict[str, Person]) -> None:
    kid = make_karte(desk_app, team["muni"], "shared")
    page = team["mlit"].get(f"/desk/karte/{kid}").text
    summary = page.split('id="dashboard-summary"', 1)[1].split("</section>", 1)[0]
    wh = desk_app.state.desk.warehouse
    top = wh.priority_issues("01100")[0]
    assert top["name"] in summary and "札幌市" in summary
    assert wh.sustainability("01100")["sustainability_group"] in summary
    assert "出典" in summary
