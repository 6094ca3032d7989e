"""The 相談カルテ pages (list with filters, form, detail, workflow actions), the CSV export and the JSON API.

Each handler: the auth dependency (CSRF-checked for POST), then the workflow function, then one commit. Field
errors re-render the form (422), a version conflict re-renders it with the other person's change (409).
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.datastructures import FormData

from sousei.desk import ministries, policy_fields, workflow
from sousei.desk.auth import CsrfUser, CurrentUser, Db, client_address, require
from sousei.desk.karte_form import (
    ELEMENT_KINDS,
    ELEMENT_ROWS,
    MEETING_FORMS,
    KarteInput,
    parse_answer,
    parse_karte,
    parse_meeting,
)
from sousei.desk.models import Answer, Karte, KarteField, KarteHistory, KarteShare, Meeting, User
from sousei.desk.roles import Role
from sousei.desk.summary import dashboard_summary
from sousei.desk.validation import FieldErrors
from sousei.desk.web import render
from sousei.desk.workflow import STATUS_JA, Conflict, Status

router = APIRouter(prefix="/desk", include_in_schema=False)
LIST_LIMIT = 200
CSV_COLUMNS = [
    "カルテ番号",
    "件名",
    "状態",
    "市区町村コード",
    "都道府県",
    "市区町村",
    "連携先",
    "政策分野",
    "共有先府省庁",
    "回答数",
    "打合せ数",
    "提出日時(UTC)",
    "更新日時(UTC)",
]


async def posted(request: Request) -> FormData:
    return await request.form()  # already parsed (and cached) by the CSRF check


Form = Annotated[FormData, Depends(posted)]
Secretariat = Annotated[User, Depends(require(Role.SECRETARIAT))]
Municipality = Annotated[User, Depends(require(Role.MUNICIPALITY))]


def _not_admin(user: User) -> None:
    if user.role == Role.ADMIN:
        raise HTTPException(403, "管理者は利用者の管理のみを行います（相談カルテは閲覧できません）")


def _int(form: FormData, name: str) -> int:
    try:
        return int(str(form.get(name) or ""))
    except ValueError:
        raise HTTPException(422, "フォームの版番号が正しくありません。ページを開き直してください") from None


# -- list, search, CSV -----------------------------------------------------------------------------------------


StatusQ = Annotated[str | None, Query(max_length=20)]
FieldQ = Annotated[str | None, Query(max_length=40)]
PrefQ = Annotated[str | None, Query(max_length=2)]
MinistryQ = Annotated[str | None, Query(max_length=40)]
TextQ = Annotated[str | None, Query(max_length=100)]


@dataclass(frozen=True)
class KarteFilters:
    """The list's filters from the URL (the page, its CSV and the JSON API take the same ones); empty = absent."""

    status: str | None = None
    field: str | None = None
    pref: str | None = None
    ministry: str | None = None
    q: str | None = None

    def errors(self) -> dict[str, str]:
        errors = {}
        if self.status and self.status not in {s.value for s in Status}:
            errors["status"] = "状態の値が正しくありません"
        if self.field and not policy_fields.is_field(self.field):
            errors["field"] = "政策分野の値が正しくありません"
        if self.pref and not (self.pref.isdigit() and 1 <= int(self.pref) <= 47):
            errors["pref"] = "都道府県コードは01〜47です"
        if self.ministry and self.ministry not in ministries.BY_ID:
            errors["ministry"] = "府省庁の値が正しくありません"
        return errors

    def query(self, user: User) -> Any:
        """The カルテ the user may see that pass the filters (not yet ordered)."""
        query = workflow.visible_query(user)
        if self.status:
            query = query.where(Karte.status == self.status)
        if self.field:
            query = query.where(Karte.id.in_(select(KarteField.karte_id).where(KarteField.field_id == self.field)))
        if self.pref:
            query = query.where(Karte.pref_code == self.pref)
        if self.ministry:
            shared = select(KarteShare.karte_id).where(KarteShare.ministry_id == self.ministry)
            query = query.where(Karte.id.in_(shared))
        if self.q:
            like = f"%{self.q.strip()}%"
            texts = (Karte.title, Karte.issue, Karte.idea, Karte.partners)
            query = query.where(or_(*(t.ilike(like) for t in texts)))
        return query


def karte_filters(
    status: StatusQ = None, field: FieldQ = None, pref: PrefQ = None, ministry: MinistryQ = None, q: TextQ = None
) -> KarteFilters:
    return KarteFilters(status or None, field or None, pref or None, ministry or None, q or None)


Filters = Annotated[KarteFilters, Depends(karte_filters)]


@router.get("/karte", response_class=HTMLResponse)
def karte_list(request: Request, db: Db, user: CurrentUser, filters: Filters) -> Response:
    _not_admin(user)
    errors = filters.errors()
    rows: list[Karte] = []
    total = 0
    if not errors:
        query = filters.query(user)
        total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = list(db.scalars(query.order_by(Karte.updated_at.desc(), Karte.id.desc()).limit(LIST_LIMIT)).all())
    wh = request.app.state.desk.warehouse
    return render(
        request,
        "desk/karte_list.html",
        status=422 if errors else 200,
        rows=rows,
        total=total,
        limit=LIST_LIMIT,
        errors=errors,
        status_ja={s.value: label for s, label in STATUS_JA.items()},
        prefectures=wh.prefectures() if wh is not None else [],
        filters={k: v or "" for k, v in asdict(filters).items()},
    )


@router.get("/karte.csv")
def karte_csv(request: Request, db: Db, user: Secretariat, filters: Filters) -> Response:
    errors = filters.errors()
    if errors:
        raise HTTPException(422, "；".join(errors.values()))
    rows = db.scalars(filters.query(user).order_by(Karte.id)).all()
    answers = dict(db.execute(select(Answer.karte_id, func.count()).group_by(Answer.karte_id)).all())
    meetings = dict(db.execute(select(Meeting.karte_id, func.count()).group_by(Meeting.karte_id)).all())
    wh = request.app.state.desk.warehouse
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(CSV_COLUMNS)
    for k in rows:
        muni = wh.municipality(k.muni_code) if wh is not None else None
        out.writerow(
            [
                k.id,
                k.title,
                STATUS_JA[Status(k.status)],
                k.muni_code,
                muni["pref_name"] if muni else "",
                muni["name"] if muni else "",
                k.partners,
                "・".join(policy_fields.field_name(f.field_id) for f in k.fields),
                "・".join(ministries.ministry_name(s.ministry_id) for s in k.shares),
                answers.get(k.id, 0),
                meetings.get(k.id, 0),
                k.submitted_at.isoformat() if k.submitted_at else "",
                k.updated_at.isoformat(),
            ]
        )
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="soudan-karte.csv"'},
    )


# -- the form --------------------------------------------------------------------------------------------------


def _form_values(karte: Karte | None = None, form: FormData | None = None) -> dict[str, Any]:
    """What the form shows: the posted values (after an error) or the stored カルテ."""
    if form is not None:
        values: dict[str, Any] = {k: str(form.get(k) or "") for k in KarteInput().__dict__ if k != "elements"}
        values["fields"] = [str(v) for v in form.getlist("fields")]
        values["elements"] = [
            {
                "kind": str(form.get(f"element_kind_{i}") or ""),
                "field": str(form.get(f"element_field_{i}") or ""),
                "description": str(form.get(f"element_desc_{i}") or ""),
            }
            for i in range(ELEMENT_ROWS)
        ]
        return values
    values = {k: getattr(karte, k) if karte else "" for k in KarteInput().__dict__ if k not in {"elements", "fields"}}
    values["fields"] = [f.field_id for f in karte.fields] if karte else []
    elements = list(karte.elements) if karte else []
    values["elements"] = elements + [{"kind": "", "field": "", "description": ""}] * (ELEMENT_ROWS - len(elements))
    return values


def _form_page(
    request: Request,
    *,
    karte: Karte | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    conflict: Conflict | None = None,
) -> HTMLResponse:
    return render(
        request,
        "desk/karte_form.html",
        status=status,
        karte=karte,
        v=values,
        errors=errors,
        element_kinds=ELEMENT_KINDS,
        conflict=conflict,
        conflict_changes=_changes(request, conflict),
    )


def _changes(request: Request, conflict: Conflict | None) -> list[dict[str, Any]]:
    if conflict is None:
        return []
    return [{"at": e.at, "actor": e.actor, "action": e.action, "changes": workflow.diff(e)} for e in conflict.changes]


@router.get("/karte/new", response_class=HTMLResponse)
def karte_new(request: Request, user: Municipality) -> Response:
    return _form_page(request, karte=None, values=_form_values(), errors={})


@router.post("/karte", response_class=HTMLResponse)
def karte_create(request: Request, db: Db, user: Municipality, form: Form) -> Response:
    submit = form.get("action") == "submit"
    try:
        data = parse_karte(form, submitting=submit)
    except FieldErrors as exc:
        return _form_page(request, karte=None, values=_form_values(form=form), errors=exc.errors, status=422)
    karte = workflow.create(db, user, data, submit=submit, address=client_address(request))
    db.commit()
    return RedirectResponse(f"/desk/karte/{karte.id}", status_code=303)


@router.get("/karte/{karte_id}/edit", response_class=HTMLResponse)
def karte_edit_page(request: Request, db: Db, user: CurrentUser, karte_id: int) -> Response:
    karte = workflow.get_visible(db, user, karte_id)
    if not workflow.can_edit(user, karte):
        raise HTTPException(403, "この相談カルテは編集できません（編集できるのは自治体の担当者で、受付までの間です）")
    return _form_page(request, karte=karte, values=_form_values(karte), errors={})


@router.post("/karte/{karte_id}/edit", response_class=HTMLResponse)
def karte_edit(request: Request, db: Db, user: CsrfUser, karte_id: int, form: Form) -> Response:
    karte = workflow.get_visible(db, user, karte_id, for_update=True)
    submit = form.get("action") == "submit"
    seen = _int(form, "version")
    try:
        data = parse_karte(form, submitting=submit or karte.status != Status.DRAFT)
        workflow.edit(db, user, karte, data, seen, submit=submit, address=client_address(request))
        db.commit()
    except FieldErrors as exc:
        return _form_page(request, karte=karte, values=_form_values(form=form), errors=exc.errors, status=422)
    except (Conflict, StaleDataError) as exc:
        return _conflict_page(request, db, user, karte_id, seen, exc, form)
    return RedirectResponse(f"/desk/karte/{karte.id}", status_code=303)


def _conflict_page(
    request: Request, db: Session, user: User, karte_id: int, seen: int, exc: Exception, form: FormData
) -> HTMLResponse:
    db.rollback()
    karte = workflow.get_visible(db, user, karte_id)
    conflict = exc if isinstance(exc, Conflict) else Conflict(karte, workflow.changes_since(db, karte_id, seen))
    return _form_page(request, karte=karte, values=_form_values(form=form), errors={}, status=409, conflict=conflict)


# -- the detail page and actions -------------------------------------------------------------------------------


def _detail(
    request: Request,
    db: Session,
    user: User,
    karte: Karte,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    conflict: Conflict | None = None,
    posted_form: FormData | None = None,
) -> HTMLResponse:
    history = db.execute(
        select(KarteHistory, User.email)
        .join(User, User.id == KarteHistory.actor_id)
        .where(KarteHistory.karte_id == karte.id)
        .order_by(KarteHistory.id)
    ).all()
    answers = db.scalars(select(Answer).where(Answer.karte_id == karte.id).order_by(Answer.id)).all()
    meetings = db.scalars(select(Meeting).where(Meeting.karte_id == karte.id).order_by(Meeting.held_on)).all()
    shared = {s.ministry_id for s in karte.shares}
    return render(
        request,
        "desk/karte_detail.html",
        status=status,
        karte=karte,
        history=history,
        answers=answers,
        meetings=meetings,
        summary=dashboard_summary(request.app.state.desk.warehouse, karte.muni_code),
        status_ja={s.value: label for s, label in STATUS_JA.items()},
        meeting_forms=MEETING_FORMS,
        unshared=[m for m in ministries.MINISTRIES if m.id not in shared],
        errors=errors or {},
        conflict=conflict,
        conflict_changes=_changes(request, conflict),
        posted={k: str(v) for k, v in posted_form.items()} if posted_form else {},
        can={
            "edit": workflow.can_edit(user, karte),
            "share": workflow.can_share(user, karte),
            "answer": workflow.can_answer(user, karte),
            "meeting": workflow.can_record_meeting(user, karte),
            "complete": workflow.can_complete(user, karte),
            "withdraw": workflow.can_withdraw(user, karte),
            "submit": workflow.can_edit(user, karte) and karte.status == Status.DRAFT,
        },
    )


@router.get("/karte/{karte_id}", response_class=HTMLResponse)
def karte_detail(request: Request, db: Db, user: CurrentUser, karte_id: int) -> Response:
    _not_admin(user)
    return _detail(request, db, user, workflow.get_visible(db, user, karte_id))


def _action(request: Request, db: Session, user: User, karte_id: int, form: FormData, run: Any) -> Response:
    """Run one workflow action in the request's transaction; errors re-render the detail page."""
    karte = workflow.get_visible(db, user, karte_id, for_update=True)
    try:
        run(karte)
        db.commit()
    except FieldErrors as exc:
        db.rollback()
        karte = workflow.get_visible(db, user, karte_id)
        return _detail(request, db, user, karte, status=422, errors=exc.errors, posted_form=form)
    except (Conflict, StaleDataError) as exc:
        db.rollback()
        karte = workflow.get_visible(db, user, karte_id)
        seen = _int(form, "version")
        conflict = exc if isinstance(exc, Conflict) else Conflict(karte, workflow.changes_since(db, karte_id, seen))
        return _detail(request, db, user, karte, status=409, conflict=conflict, posted_form=form)
    return RedirectResponse(f"/desk/karte/{karte_id}", status_code=303)


@router.post("/karte/{karte_id}/share")
def karte_share(request: Request, db: Db, user: Secretariat, karte_id: int, form: Form) -> Response:
    chosen = [str(m) for m in form.getlist("ministries")]

    def run(karte: Karte) -> None:
        unknown = [m for m in chosen if m not in ministries.BY_ID]
        if unknown or not chosen:
            raise FieldErrors({"ministries": "共有する府省庁を一覧から選んでください"})
        note = _note(form, "note", "共有時のメモ")
        workflow.share(db, user, karte, chosen, note, _int(form, "version"), client_address(request))

    return _action(request, db, user, karte_id, form, run)


@router.post("/karte/{karte_id}/answer")
def karte_answer(request: Request, db: Db, user: CsrfUser, karte_id: int, form: Form) -> Response:
    return _action(
        request,
        db,
        user,
        karte_id,
        form,
        lambda karte: workflow.answer(db, user, karte, parse_answer(form), client_address(request)),
    )


@router.post("/karte/{karte_id}/meeting")
def karte_meeting(request: Request, db: Db, user: CsrfUser, karte_id: int, form: Form) -> Response:
    return _action(
        request,
        db,
        user,
        karte_id,
        form,
        lambda karte: workflow.record_meeting(db, user, karte, parse_meeting(form), client_address(request)),
    )


def _note(form: FormData, field: str, what: str) -> str:
    """The form's free-text note (posted as `note`), at most 2,000 characters; the error is shown at `field`."""
    note = str(form.get("note") or "").strip()
    if len(note) > 2000:
        raise FieldErrors({field: f"{what}は2000文字以内で入力してください（現在{len(note)}文字）"})
    return note


def _close(request: Request, db: Session, user: User, karte_id: int, form: FormData, status: Status) -> Response:
    """完了 or 取下げ: the same action with its note; who may do which is the route's dependency."""

    def run(karte: Karte) -> None:
        note = _note(form, "close_note", "メモ")
        workflow.close(db, user, karte, status, note, _int(form, "version"), client_address(request))

    return _action(request, db, user, karte_id, form, run)


@router.post("/karte/{karte_id}/complete")
def karte_complete(request: Request, db: Db, user: Secretariat, karte_id: int, form: Form) -> Response:
    return _close(request, db, user, karte_id, form, Status.DONE)


@router.post("/karte/{karte_id}/withdraw")
def karte_withdraw(request: Request, db: Db, user: CsrfUser, karte_id: int, form: Form) -> Response:
    return _close(request, db, user, karte_id, form, Status.WITHDRAWN)


# -- JSON API --------------------------------------------------------------------------------------------------


def _karte_json(k: Karte) -> dict[str, Any]:
    return {
        "id": k.id,
        "title": k.title,
        "status": k.status,
        "status_ja": STATUS_JA[Status(k.status)],
        "muni_code": k.muni_code,
        "version": k.version,
        "fields": [f.field_id for f in k.fields],
        "shared_with": [s.ministry_id for s in k.shares],
        "partners": k.partners,
        "issue": k.issue,
        "idea": k.idea,
        "elements": k.elements,
        "support_wanted": k.support_wanted,
        "timeline": k.timeline,
        "updated_at": k.updated_at.isoformat(),
    }


@router.get("/api/karte")
def api_karte_list(db: Db, user: CurrentUser, filters: Filters) -> list[dict[str, Any]]:
    _not_admin(user)
    errors = filters.errors()
    if errors:
        raise HTTPException(422, "；".join(errors.values()))
    query = filters.query(user).order_by(Karte.id).limit(LIST_LIMIT)
    return [_karte_json(k) for k in db.scalars(query).all()]


@router.get("/api/karte/{karte_id}")
def api_karte(db: Db, user: CurrentUser, karte_id: int) -> dict[str, Any]:
    _not_admin(user)
    return _karte_json(workflow.get_visible(db, user, karte_id))
