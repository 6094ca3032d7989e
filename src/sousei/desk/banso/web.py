"""The 伴走支援 pages under /desk/banso: registration, the Secretariat's team forming, teams, surveys, evaluations.

Who may do what: 支援官 = ministry accounts (their own registration, team and survey); municipalities (their own
application, team and survey); the Secretariat (forms, locks, compares, publishes, reads the evaluations). Every
route depends on the auth dependency; POSTs are CSRF-checked by it.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from sousei.desk import ministries, policy_fields
from sousei.desk.auth import CurrentUser, Db, require
from sousei.desk.banso import service
from sousei.desk.banso.models import Application, Lock, MunicipalityEvaluation, Official, OfficialEvaluation, Run
from sousei.desk.models import User
from sousei.desk.roles import Role
from sousei.desk.summary import dashboard_summary
from sousei.desk.web import muni_label_plain, render
from sousei.domain import evaluation, matching

router = APIRouter(prefix="/desk/banso", include_in_schema=False)
Secretariat = Annotated[User, Depends(require(Role.SECRETARIAT))]
MinistryUser = Annotated[User, Depends(require(Role.MINISTRY))]
MuniUser = Annotated[User, Depends(require(Role.MUNICIPALITY))]
Participant = Annotated[User, Depends(require(Role.MINISTRY, Role.MUNICIPALITY))]
STRENGTH_JA = {1: "経験あり", 2: "実務経験が豊富", 3: "専門"}
PRIORITY_JA = {1: "希望", 2: "重要", 3: "最重要"}


async def posted(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(posted)]


def _codes(value: str) -> list[str]:
    """Comma / space separated codes (2-digit prefectures or 5-digit municipalities)."""
    parts = [p.strip() for p in value.replace("、", ",").replace(" ", ",").split(",") if p.strip()]
    bad = [p for p in parts if not (p.isdigit() and len(p) in (2, 5))]
    if bad:
        raise ValueError(f"コードは都道府県2桁または市区町村5桁です（不正: {', '.join(bad[:5])}）")
    return parts


def _levels(form: FormData, prefix: str) -> dict[str, int]:
    out = {}
    for f in policy_fields.POLICY_FIELDS:
        raw = str(form.get(f"{prefix}_{f.id}") or "0")
        if raw not in {"0", "1", "2", "3"}:
            raise ValueError(f"{f.name}の値が不正です")
        if raw != "0":
            out[f.id] = int(raw)
    return out


@router.get("/", response_class=HTMLResponse)
def hub(request: Request, db: Db, user: CurrentUser) -> Response:
    if user.role == Role.ADMIN:
        raise HTTPException(403, "管理者は利用者の管理のみを行います")
    return render(request, "desk/banso/hub.html", published=service.published_run(db) is not None)


# -- registration ----------------------------------------------------------------------------------------------


@router.get("/official", response_class=HTMLResponse)
def official_form(request: Request, db: Db, user: MinistryUser) -> Response:
    official = db.scalar(select(Official).where(Official.user_id == user.id))
    return _official_page(request, official, user, {}, None)


def _official_page(
    request: Request,
    official: Official | None,
    user: User,
    errors: dict[str, str],
    values: dict[str, Any] | None,
    status: int = 200,
) -> Response:
    if values is None:
        values = {
            "name": official.name if official else user.display_name,
            "ministry_id": official.ministry_id if official else user.ministry_id,
            "stage": official.stage if official else "",
            "home_pref": (official.home_pref or "") if official else "",
            "yukari": ", ".join(official.yukari) if official else "",
            "conflicts": ", ".join(official.conflicts) if official else "",
            "available": official.available if official else True,
            "availability_note": official.availability_note if official else "勤務時間の1～2割",
            "strengths": {f.field_id: f.strength for f in official.strengths} if official else {},
        }
    return render(
        request,
        "desk/banso/official_form.html",
        status=status,
        values=values,
        errors=errors,
        stages=matching.STAGES,
        strength_ja=STRENGTH_JA,
        saved=official is not None,
    )


@router.post("/official", response_class=HTMLResponse)
def official_save(request: Request, db: Db, user: MinistryUser, form: Form) -> Response:
    errors: dict[str, str] = {}
    keys = ("name", "ministry_id", "stage", "home_pref", "yukari", "conflicts", "availability_note")
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in keys}
    values["available"] = form.get("available") == "on"
    data: dict[str, Any] = {
        "name": values["name"],
        "stage": values["stage"],
        "available": values["available"],
        "availability_note": values["availability_note"][:500],
    }
    if not values["name"] or len(values["name"]) > 100:
        errors["name"] = "氏名を100文字以内で入力してください"
    if values["stage"] not in matching.STAGES:
        errors["stage"] = "キャリア段階（若手・中堅・シニア）を選んでください"
    data["ministry_id"] = user.ministry_id  # a 支援官 registers for their own ministry only
    home = values["home_pref"]
    if home and not (home.isdigit() and len(home) == 2 and 1 <= int(home) <= 47):
        errors["home_pref"] = "出身都道府県は2桁のコード（01〜47）で入力してください"
    data["home_pref"] = home or None
    for key, label in (("yukari", "ゆかりのある地域"), ("conflicts", "支援できない市町村")):
        try:
            data[key] = _codes(values[key])
        except ValueError as exc:
            errors[key] = f"{label}: {exc}"
    if any(len(c) != 5 for c in data.get("conflicts", [])):
        errors["conflicts"] = "支援できない市町村は5桁の市区町村コードで入力してください"
    try:
        data["strengths"] = _levels(form, "strength")
    except ValueError as exc:
        errors["strengths"] = str(exc)
    values["strengths"] = data.get("strengths", {})
    if not errors and not data["strengths"]:
        errors["strengths"] = "得意な政策分野を1つ以上選んでください"
    official = db.scalar(select(Official).where(Official.user_id == user.id))
    if errors:
        return _official_page(request, official, user, errors, values, status=422)
    service.save_official(db, user, data)
    db.commit()
    return RedirectResponse("/desk/banso/official?saved=1", status_code=303)


@router.get("/apply", response_class=HTMLResponse)
def apply_form(request: Request, db: Db, user: MuniUser) -> Response:
    app = db.scalar(select(Application).where(Application.muni_code == user.muni_code))
    return _apply_page(request, db, user, app, {}, None)


def _apply_page(
    request: Request,
    db: Any,
    user: User,
    app: Application | None,
    errors: dict[str, str],
    values: dict[str, Any] | None,
    status: int = 200,
) -> Response:
    wh = request.app.state.desk.warehouse
    assert user.muni_code is not None
    summary = dashboard_summary(wh, user.muni_code)
    proposals = service.propose_themes(summary["priorities"])
    if values is None:
        themes = {t.field_id: t.priority for t in app.themes} if app else {f: p for f, p, _ in proposals}
        values = {
            "problem": app.problem if app else "",
            "continues": app.continues if app else False,
            "keep": app.keep if app else [],
            "themes": themes,
        }
    officials = db.scalars(select(Official).order_by(Official.name)).all()
    return render(
        request,
        "desk/banso/apply_form.html",
        status=status,
        values=values,
        errors=errors,
        summary=summary,
        proposals=proposals,
        priority_ja=PRIORITY_JA,
        officials=officials,
        muni_code=user.muni_code,
        saved=app is not None,
    )


@router.post("/apply", response_class=HTMLResponse)
def apply_save(request: Request, db: Db, user: MuniUser, form: Form) -> Response:
    errors: dict[str, str] = {}
    problem = str(form.get("problem") or "").strip()
    continues = form.get("continues") == "on"
    keep: list[int] = []
    for raw in form.getlist("keep"):
        if not str(raw).isdigit() or db.get(Official, int(str(raw))) is None:
            errors["keep"] = "継続を希望するメンバーが一覧にありません"
        else:
            keep.append(int(str(raw)))
    themes: dict[str, int] = {}
    try:
        themes = _levels(form, "theme")
    except ValueError as exc:
        errors["themes"] = str(exc)
    if not problem:
        errors["problem"] = "課題（支援を希望する内容）を入力してください"
    elif len(problem) > 4000:
        errors["problem"] = f"課題は4000文字以内で入力してください（現在{len(problem)}文字）"
    if not themes and "themes" not in errors:
        errors["themes"] = "支援テーマ（政策分野）を1つ以上選んでください"
    if continues and not keep:
        errors["keep"] = "継続の場合は、引き続き支援を希望するメンバーを選んでください"
    app = db.scalar(select(Application).where(Application.muni_code == user.muni_code))
    if errors:
        values = {"problem": problem, "continues": continues, "keep": keep, "themes": themes}
        return _apply_page(request, db, user, app, errors, values, status=422)
    wh = request.app.state.desk.warehouse
    name = muni_label_plain(wh, user.muni_code)
    service.save_application(
        db,
        user,
        {
            "muni_code": user.muni_code,
            "muni_name": name,
            "problem": problem,
            "continues": continues,
            "keep": keep,
            "themes": themes,
        },
    )
    db.commit()
    return RedirectResponse("/desk/banso/apply?saved=1", status_code=303)


# -- the Secretariat: runs, locks, compare, publish ------------------------------------------------------------


@router.get("/secretariat", response_class=HTMLResponse)
def secretariat(request: Request, db: Db, user: Secretariat) -> Response:
    problem = service.build_problem(db)
    findings = matching.check_feasibility(problem) if problem.municipalities else ()
    runs = db.scalars(select(Run).order_by(Run.id.desc()).limit(50)).all()
    return render(
        request,
        "desk/banso/secretariat.html",
        problem=problem,
        findings=findings,
        runs=runs,
        weights=matching.Weights(),
        n_locks=len(problem.locks),
    )


@router.post("/runs")
def new_run(db: Db, user: Secretariat, form: Form) -> Response:
    try:
        team_size = int(str(form.get("team_size") or "3"))
        time_limit = float(str(form.get("time_limit") or "10"))
    except ValueError:
        raise HTTPException(422, "チームの人数と計算時間は数値で指定してください") from None
    if not 1 <= team_size <= 10 or not 1 <= time_limit <= 120:
        raise HTTPException(422, "チームの人数は1〜10人、計算時間は1〜120秒で指定してください")
    run = service.run_matching(db, user, team_size=team_size, time_limit=time_limit)
    db.commit()
    return RedirectResponse(f"/desk/banso/runs/{run.id}", status_code=303)


def _run_or_404(db: Any, run_id: int) -> Run:
    run = db.get(Run, run_id)
    if run is None:
        raise HTTPException(404, "この実行結果はありません")
    return run


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, db: Db, user: Secretariat, run_id: int) -> Response:
    run = _run_or_404(db, run_id)
    apps = {str(a.id): a for a in db.scalars(select(Application)).all()}
    locks = {(lk.official_id, lk.application_id) for lk in db.scalars(select(Lock)).all()}
    return render(
        request,
        "desk/banso/run.html",
        run=run,
        apps=apps,
        locks=locks,
        field_names=service.FIELD_NAMES,
        strength_ja=STRENGTH_JA,
    )


@router.post("/locks")
def toggle_lock(db: Db, user: Secretariat, form: Form) -> Response:
    try:
        official_id, application_id = int(str(form.get("official_id"))), int(str(form.get("application_id")))
        back = int(str(form.get("run_id")))
    except ValueError:
        raise HTTPException(422, "支援官・市町村の指定が不正です") from None
    if db.get(Official, official_id) is None or db.get(Application, application_id) is None:
        raise HTTPException(404, "支援官または申請がありません")
    service.set_lock(db, user, official_id, application_id, form.get("lock") == "1")
    db.commit()
    return RedirectResponse(f"/desk/banso/runs/{back}", status_code=303)


@router.post("/runs/{run_id}/publish")
def publish(db: Db, user: Secretariat, run_id: int) -> Response:
    run = _run_or_404(db, run_id)
    try:
        service.publish(db, user, run)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    db.commit()
    return RedirectResponse(f"/desk/banso/runs/{run_id}", status_code=303)


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request, db: Db, user: Secretariat, a: int, b: int) -> Response:
    run_a, run_b = _run_or_404(db, a), _run_or_404(db, b)
    apps = {x.id: x for x in db.scalars(select(Application)).all()}
    officials = {o.id: o for o in db.scalars(select(Official)).all()}
    rows = service.compare_runs(run_a, run_b, apps, officials)
    return render(request, "desk/banso/compare.html", a=run_a, b=run_b, rows=rows)


# -- both sides: the published team and the survey --------------------------------------------------------------


@router.get("/team", response_class=HTMLResponse)
def my_team(request: Request, db: Db, user: Participant) -> Response:
    found = service.team_of(db, user)
    exp = found[0].explanations.get(str(found[1].id)) if found else None
    return render(
        request, "desk/banso/team.html", found=found, exp=exp, field_names=service.FIELD_NAMES, strength_ja=STRENGTH_JA
    )


@router.get("/survey", response_class=HTMLResponse)
def survey_form(request: Request, db: Db, user: Participant) -> Response:
    found = service.team_of(db, user)
    answer = _my_answer(db, user, found) if found else None
    return render(
        request,
        "desk/banso/survey.html",
        found=found,
        answer=answer,
        errors={},
        reasons=evaluation.reasons(),
        back_office=evaluation.BACK_OFFICE_OPTIONS,
        reference=evaluation.load_reference(),
    )


def _my_answer(db: Any, user: User, found: Any) -> Any:
    run, app, _members = found
    if user.role == Role.MUNICIPALITY:
        return db.scalar(
            select(MunicipalityEvaluation).where(
                MunicipalityEvaluation.run_id == run.id, MunicipalityEvaluation.application_id == app.id
            )
        )
    official = db.scalar(select(Official).where(Official.user_id == user.id))
    return db.scalar(
        select(OfficialEvaluation).where(
            OfficialEvaluation.run_id == run.id, OfficialEvaluation.official_id == official.id
        )
    )


@router.post("/survey", response_class=HTMLResponse)
def survey_save(request: Request, db: Db, user: Participant, form: Form) -> Response:
    found = service.team_of(db, user)
    if found is None:
        raise HTTPException(403, "公表されたチームに属していないため回答できません")
    run, app, _ = found
    errors: dict[str, str] = {}
    rating_raw = str(form.get("rating") or "")
    rating = int(rating_raw) if rating_raw in {"1", "2", "3", "4", "5"} else 0
    if not rating:
        errors["rating"] = "5段階評価（5（良い）～1（悪い））を選んでください"
    if user.role == Role.MUNICIPALITY:
        wants = str(form.get("wants_continuation") or "")
        years_raw = str(form.get("years") or "")
        if wants not in {"yes", "no"}:
            errors["wants_continuation"] = "次年度以降の継続が必要かどうかを選んでください"
        if wants == "yes" and years_raw not in {"1", "2", "3", "4", "5"}:
            errors["years"] = "継続する場合、何年程度必要かを選んでください"
        change = str(form.get("change") or "").strip()
        if len(change) > 4000:
            errors["change"] = "庁内の変化は4000文字以内で入力してください"
        if not errors:
            answer: dict[str, Any] = {
                "rating": rating,
                "wants_continuation": wants == "yes",
                "years": int(years_raw) if wants == "yes" else None,
                "change": change,
            }
            service.save_muni_evaluation(db, user, run, app, answer)
    else:
        known = dict(evaluation.reasons())
        chosen = [str(r) for r in form.getlist("reasons")]
        if any(r not in known for r in chosen):
            errors["reasons"] = "理由の選択肢が不正です"
        back_office = str(form.get("back_office") or "")
        if back_office not in evaluation.BACK_OFFICE_OPTIONS:
            errors["back_office"] = "後方支援の活用について選んでください"
        if not errors:
            official = db.scalar(select(Official).where(Official.user_id == user.id))
            assert official is not None
            mine: dict[str, Any] = {"rating": rating, "reasons": chosen, "back_office": back_office}
            service.save_official_evaluation(db, user, run, official, mine)
    if errors:
        return render(
            request,
            "desk/banso/survey.html",
            status=422,
            found=found,
            answer=None,
            errors=errors,
            reasons=evaluation.reasons(),
            back_office=evaluation.BACK_OFFICE_OPTIONS,
            reference=evaluation.load_reference(),
        )
    db.commit()
    return RedirectResponse("/desk/banso/survey?saved=1", status_code=303)


# -- evaluations (the Secretariat) ------------------------------------------------------------------------------


@router.get("/evaluations", response_class=HTMLResponse)
def evaluations(request: Request, db: Db, user: Secretariat) -> Response:
    views = service.evaluation_views(db)
    return render(
        request,
        "desk/banso/evaluations.html",
        v=views,
        reference=evaluation.load_reference(),
        back_office=evaluation.BACK_OFFICE_OPTIONS,
    )


@router.get("/evaluations.csv")
def evaluations_csv(db: Db, user: Secretariat) -> Response:
    """One row per answer: both surveys, the reasons as their Japanese texts joined by ' / '."""
    buf = io.StringIO()
    out = csv.writer(buf)
    # The header and the two kinds of row are one 13-column table: kept packed (fmt: skip) to read across.
    out.writerow(["調査", "実行番号", "市区町村コード", "市町村", "支援官", "府省庁", "評価(5段階)", "継続が必要",
                  "必要年数", "理由(複数回答)", "後方支援の活用", "庁内の変化", "回答日時(UTC)"])  # fmt: skip
    apps = {a.id: a for a in db.scalars(select(Application)).all()}
    officials = {o.id: o for o in db.scalars(select(Official)).all()}
    texts = dict(evaluation.reasons())
    for e in db.scalars(select(MunicipalityEvaluation).order_by(MunicipalityEvaluation.id)).all():
        a = apps[e.application_id]
        out.writerow(["市町村", e.run_id, a.muni_code, a.muni_name, "", "", e.rating,
                      "はい" if e.wants_continuation else "いいえ", e.years or "", "", "", e.change,
                      e.at.isoformat()])  # fmt: skip
    for oe in db.scalars(select(OfficialEvaluation).order_by(OfficialEvaluation.id)).all():
        o = officials[oe.official_id]
        out.writerow(["支援官", oe.run_id, "", "", o.name, ministries.ministry_name(o.ministry_id), oe.rating, "", "",
                      " / ".join(texts[r] for r in oe.reasons), evaluation.BACK_OFFICE_OPTIONS[oe.back_office], "",
                      oe.at.isoformat()])  # fmt: skip
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="banso_evaluations.csv"'},
    )
