"""伴走支援 on the desk: registration, forming by the Secretariat, locks, compare, publication, surveys, views, demo.

Each test uses its own municipalities (real codes) and officials; runs see every registered row, so the flow test
asserts on its own municipalities only.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from sousei.desk.banso import service
from sousei.desk.banso.demo import DemoRefused, fill_demo
from sousei.desk.banso.models import Official, Run
from sousei.desk.db import write_session
from sousei.domain.evaluation import load_reference

OFFICIAL_FORM = {"name": "架空 一郎", "stage": "若手", "home_pref": "01", "yukari": "01, 13", "conflicts": "",
                 "available": "on", "availability_note": "勤務時間の1～2割", "strength_tourism": "3"}  # fmt: skip


def _register(people, stage: str, ministry: str, field: str, strength: str = "3"):  # type: ignore[no-untyped-def]
    p = people("ministry", ministry=ministry)
    form = {
        **OFFICIAL_FORM,
        "name": f"架空 {p.id}",
        "stage": stage,
        "strength_tourism": "0",
        f"strength_{field}": strength,
    }
    r = p.post("/desk/banso/official", form)
    assert r.status_code == 303, r.text
    return p


def test_official_registration_validates_and_saves(people) -> None:  # type: ignore[no-untyped-def]
    p = people("ministry", ministry="総務省")
    r = p.post("/desk/banso/official", {**OFFICIAL_FORM, "stage": "", "home_pref": "99", "conflicts": "abc"})
    assert r.status_code == 422
    for msg in ("キャリア段階（若手・中堅・シニア）を選んでください", "出身都道府県は2桁のコード（01〜47）",
                "支援できない市町村: コードは都道府県2桁または市区町村5桁です（不正: abc）"):  # fmt: skip
        assert msg in r.text
    assert p.post("/desk/banso/official", OFFICIAL_FORM).status_code == 303
    page = p.get("/desk/banso/official?saved=1")
    assert "登録しました" in page.text and 'value="架空 一郎"' in page.text


def test_application_shows_dashboard_summary_and_proposes_themes(people, desk_app) -> None:  # type: ignore[no-untyped-def]
    m = people("municipality", muni="01202")  # 函館市
    page = m.get("/desk/banso/apply")
    assert page.status_code == 200
    assert "地域の状況（地域課題ダッシュボードより）" in page.text
    wh = desk_app.state.desk.warehouse
    proposals = service.propose_themes(wh.priority_issues("01202"))
    assert proposals, "函館市 has priority issues in the warehouse"
    assert 'id="proposals"' in page.text
    r = m.post("/desk/banso/apply", {"problem": "", "theme_tourism": "0"})
    assert r.status_code == 422
    assert (
        "課題（支援を希望する内容）を入力してください" in r.text
        and "支援テーマ（政策分野）を1つ以上選んでください" in r.text
    )
    r = m.post("/desk/banso/apply", {"problem": "観光客の周遊と二次交通", "theme_tourism": "3", "theme_transport": "2"})
    assert r.status_code == 303


def test_secretariat_forms_locks_compares_publishes_and_both_sides_see_and_evaluate(people, desk_app) -> None:  # type: ignore[no-untyped-def]
    sec = people("secretariat")
    munis = [people("municipality", muni=code) for code in ("01203", "01204")]  # 小樽市, 旭川市
    for m, field in zip(munis, ("tourism", "transport"), strict=True):
        r = m.post("/desk/banso/apply", {"problem": "課題", f"theme_{field}": "3"})
        assert r.status_code == 303
    # Every application registered by other tests also needs a team: count them and register enough officials.
    with desk_app.state.desk.sessions() as db:
        n_apps = len(service.build_problem(db).municipalities)
        n_have = len(service.build_problem(db).officials)
    need = 3 * n_apps - n_have
    stages, ministries_ = ["若手", "中堅", "シニア"], ["総務省", "国土交通省", "農林水産省", "環境省", "観光庁"]
    officials = [
        _register(people, stages[i % 3], ministries_[i % 5], ("tourism", "transport")[i % 2]) for i in range(need)
    ]
    page = sec.get("/desk/banso/secretariat")
    assert page.status_code == 200 and "編成前の確認" in page.text
    r = sec.post("/desk/banso/runs", {"team_size": "3", "time_limit": "10"})
    assert r.status_code == 303
    run_url = r.headers["location"]
    page = sec.get(run_url)
    assert "最適解（証明済み）" in page.text, page.text[:2000]
    assert 'data-muni="01203"' in page.text and "担うテーマ" in page.text
    with desk_app.state.desk.sessions() as db:
        run1 = db.get(Run, int(run_url.rsplit("/", 1)[1]))
        assert run1 is not None and run1.status == "optimal"
        app_of = {e["code"]: int(a) for a, e in run1.explanations.items()}
        lock_id = db.scalar(select(Official.id).where(Official.user_id == officials[0].id))
    # Lock one of this test's officials into 小樽市 and re-run: the lock holds.
    r = sec.post("/desk/banso/locks", {"official_id": str(lock_id), "application_id": str(app_of["01203"]),
                                       "run_id": str(run1.id), "lock": "1"})  # fmt: skip
    assert r.status_code == 303
    run2_url = sec.post("/desk/banso/runs", {"team_size": "3", "time_limit": "10"}).headers["location"]
    run2_id = int(run2_url.rsplit("/", 1)[1])
    with desk_app.state.desk.sessions() as db:
        run2 = db.get(Run, run2_id)
        assert run2 is not None
        assert any(m.official_id == lock_id and m.application_id == app_of["01203"] for m in run2.members)
    cmp = sec.get(f"/desk/banso/compare?a={run1.id}&b={run2_id}")
    with desk_app.state.desk.sessions() as db:
        r1, r2 = db.get(Run, run1.id), db.get(Run, run2_id)
        assert r1 is not None and r2 is not None
        changed = len({(m.application_id, m.official_id) for m in r1.members} ^ {
            (m.application_id, m.official_id) for m in r2.members}) > 0  # fmt: skip
    assert cmp.status_code == 200 and f"編成の比較：{run1.id} と {run2_id}" in cmp.text
    assert ("<td>小樽市" in cmp.text or "北海道小樽市" in cmp.text) or not changed
    # Before publication nobody sees a team.
    assert "公表されたチームはまだありません" in munis[0].get("/desk/banso/team").text
    assert sec.post(f"/desk/banso/runs/{run2_id}/publish").status_code == 303
    team = munis[0].get("/desk/banso/team")
    with desk_app.state.desk.sessions() as db:
        locked = db.get(Official, lock_id)
        assert locked is not None
        assert locked.name in team.text
    member = officials[0]
    assert "小樽市" in member.get("/desk/banso/team").text
    # A municipality answers the survey (validation first), then an official of its team answers.
    r = munis[0].post("/desk/banso/survey", {"rating": "9"})
    assert r.status_code == 422 and "5段階評価" in r.text
    r = munis[0].post("/desk/banso/survey", {"rating": "5", "wants_continuation": "yes", "years": "2",
                                              "change": "国との関係がより身近に感じられるようになった。"})  # fmt: skip
    assert r.status_code == 303
    r = member.post("/desk/banso/survey", {"rating": "4", "reasons": ["genba", "team"], "back_office": "unknown"})
    assert r.status_code == 303
    views = sec.get("/desk/banso/evaluations")
    assert views.status_code == 200
    assert "国との関係がより身近に感じられるようになった。" in views.text
    assert '<td class="num">116</td><td class="num">92.8%</td>' in views.text
    rows = list(csv.reader(io.StringIO(sec.get("/desk/banso/evaluations.csv").text.lstrip("\ufeff"))))
    assert rows[0][0] == "調査" and any(r[0] == "市町村" and r[6] == "5" and r[8] == "2" for r in rows[1:])
    # Someone outside the published teams cannot answer.
    outsider = people("municipality", muni="01205")
    assert outsider.post("/desk/banso/survey", {"rating": "5"}).status_code == 403


ROLES = ("admin", "secretariat", "ministry", "municipality")


def _only(status: int, *roles: str, other: int = 403) -> dict[str, int]:
    return {r: status if r in roles else other for r in ROLES}


# Every /desk/banso route, with the status each role gets (ids that do not exist: 404 for the Secretariat).
BANSO_RULES: list[tuple[str, str, dict[str, int], dict[str, str]]] = [
    ("GET", "/desk/banso/", _only(200, "secretariat", "ministry", "municipality"), {}),
    ("GET", "/desk/banso/official", _only(200, "ministry"), {}),
    ("POST", "/desk/banso/official", _only(422, "ministry"), {}),
    ("GET", "/desk/banso/apply", _only(200, "municipality"), {}),
    ("POST", "/desk/banso/apply", _only(422, "municipality"), {}),
    ("GET", "/desk/banso/secretariat", _only(200, "secretariat"), {}),
    ("POST", "/desk/banso/runs", _only(422, "secretariat"), {"team_size": "0"}),
    ("GET", "/desk/banso/runs/{run_id}", _only(404, "secretariat"), {}),
    (
        "POST",
        "/desk/banso/locks",
        _only(404, "secretariat"),
        {"official_id": "999999", "application_id": "999999", "run_id": "1", "lock": "1"},
    ),  # fmt: skip
    ("POST", "/desk/banso/runs/{run_id}/publish", _only(404, "secretariat"), {}),
    ("GET", "/desk/banso/compare", _only(404, "secretariat"), {}),
    ("GET", "/desk/banso/team", _only(200, "ministry", "municipality"), {}),
    ("GET", "/desk/banso/survey", _only(200, "ministry", "municipality"), {}),
    ("POST", "/desk/banso/survey", _only(403), {"rating": "5"}),  # nobody new is in a published team
    ("GET", "/desk/banso/evaluations", _only(200, "secretariat"), {}),
    ("GET", "/desk/banso/evaluations.csv", _only(200, "secretariat"), {}),
]
BANSO_ROUTES = {(method, path) for method, path, _, _ in BANSO_RULES}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "expected", "form"), BANSO_RULES)
def test_authorization_of_every_banso_route(people, role, method, path, expected, form) -> None:  # type: ignore[no-untyped-def]
    """Only the Secretariat forms, locks, compares, publishes and reads evaluations; each side its own pages."""
    p = people(
        role, muni="01100" if role == "municipality" else None, ministry="総務省" if role == "ministry" else None
    )
    url = path.replace("{run_id}", "999999") + ("?a=999999&b=999999" if path.endswith("/compare") else "")
    r = p.get(url) if method == "GET" else p.post(url, form)
    assert r.status_code == expected[role], (role, method, path, r.text[:300])


def test_anonymous_is_sent_to_login(anonymous) -> None:  # type: ignore[no-untyped-def]
    r = anonymous.get("/desk/banso/secretariat", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/desk/login")


def test_csrf_is_required(people) -> None:  # type: ignore[no-untyped-def]
    sec = people("secretariat")
    r = sec.client.post("/desk/banso/runs", data={"team_size": "3"}, follow_redirects=False)
    assert r.status_code == 403


def test_demo_fills_a_separate_database_and_refuses_a_real_one(  # type: ignore[no-untyped-def]
    tmp_path: Path, desk_app, desk_url, monkeypatch, people
) -> None:
    people("secretariat")  # the test desk database holds a real account
    wh = desk_app.state.desk.warehouse
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    made = fill_demo(url, wh, n_officials=12, n_munis=4)
    assert (made["officials"], made["municipalities"]) == (12, 4)
    from sousei.desk.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        officials = db.scalars(select(Official)).all()
        assert officials and all(o.is_synthetic and o.name.startswith("架空") for o in officials)
        codes = [m.code for m in service.build_problem(db).municipalities]
        assert all(wh.municipality(c) is not None for c in codes)  # real municipality codes
    with write_session(make_sessionmaker(engine)) as db:
        run = service.run_matching(db, None, time_limit=10)
        assert run.status == "optimal" and len(run.members) == 12
    engine.dispose()
    with pytest.raises(DemoRefused, match="作成済み"):
        fill_demo(url, wh, n_officials=12, n_munis=4)
    with pytest.raises(DemoRefused, match="実在の利用者"):
        fill_demo(desk_url, wh, n_officials=12, n_munis=4)
    empty = f"sqlite:///{tmp_path / 'initialised.sqlite3'}"
    from sousei.desk.migrate import upgrade

    upgrade(empty)
    with pytest.raises(DemoRefused, match="初期化済み"):
        fill_demo(empty, wh, n_officials=12, n_munis=4)
    monkeypatch.setenv("SOUSEI_DESK_DB_URL", url)
    with pytest.raises(DemoRefused, match="実運用のデータベース"):
        fill_demo(url, wh, n_officials=12, n_munis=4)


def test_reference_shown_beside_collected_answers(people) -> None:  # type: ignore[no-untyped-def]
    sec = people("secretariat")
    page = sec.get("/desk/banso/evaluations").text
    ref = load_reference()
    assert f'<td class="num">{ref["municipality_survey"]["answers"]}</td>' in page
    assert '<td class="num">4.6</td>' in page and '<td class="num">4.3</td>' in page
    for r in ref["official_survey"]["reasons"]:
        assert (
            f'<td>{r["text"]}</td><td class="num">{r["count"]}</td><td class="num">{r["share_pct"]:.1f}%</td>' in page
        )


def test_cli_demo_then_match(tmp_path: Path, warehouse_path: Path) -> None:
    from typer.testing import CliRunner

    from sousei.cli import app

    url = f"sqlite:///{tmp_path / 'cli-demo.sqlite3'}"
    runner = CliRunner()
    made = runner.invoke(app, ["desk", "demo", "--url", url, "--db", str(warehouse_path), "--officials", "9",
                               "--municipalities", "3"])  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "9 架空の支援官" in made.output
    matched = runner.invoke(app, ["desk", "match", "--url", url, "--time-limit", "10"])
    assert matched.exit_code == 0, matched.output
    assert "run 1: optimal, 3 teams" in matched.output
    short = runner.invoke(app, ["desk", "match", "--url", url, "--team-size", "4"])
    assert short.exit_code == 1
    assert "参加可能な支援官が9人しかいません（3チーム×4人＝12人に対して）" in short.output
