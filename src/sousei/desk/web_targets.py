"""The KPI targets (national view): the list, one page per target with its progress chart, and the Secretariat's
progress entry form. Reading needs no account; an entry needs the Secretariat's login and CSRF token, and writes an
audit-log entry in the same transaction.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from sousei.desk import audit, auth
from sousei.desk.auth import Db
from sousei.desk.catalog import data, kpi
from sousei.desk.catalog.models import KpiProgress
from sousei.desk.models import User
from sousei.desk.roles import Role
from sousei.desk.validation import Checker, FieldErrors
from sousei.desk.web import render
from sousei.desk.web_catalog import CASE_ID, SecretariatUser, optional_user

router = APIRouter(prefix="/desk", include_in_schema=False)
TARGET_ID = CASE_ID  # the same slug rule as a case id


def _points(db: Session, target_id: str) -> list[KpiProgress]:
    return list(
        db.scalars(
            select(KpiProgress)
            .where(KpiProgress.target_id == target_id)
            .order_by(KpiProgress.observed_on, KpiProgress.id)
        ).all()
    )


def _status(target: data.Target, rows: list[KpiProgress]) -> kpi.Status:
    return kpi.status(target, [kpi.Point(r.observed_on, r.value) for r in rows], data.targets_decided_on())


def _target_or_404(target_id: str) -> data.Target:
    found = next((t for t in data.targets() if t.id == target_id), None) if TARGET_ID.match(target_id) else None
    if found is None:
        raise HTTPException(404, f"目標 {target_id} は見つかりません")
    return found


@router.get("/targets", response_class=HTMLResponse)
def targets_page(request: Request, db: Db) -> Response:
    user = optional_user(request)
    rows = [(t, _status(t, _points(db, t.id))) for t in data.targets()]
    counts = {code: sum(1 for _, s in rows if s.code == code) for code in kpi.STATUS_JA}
    return render(
        request,
        "desk/catalog/targets.html",
        user=user,
        rows=rows,
        counts=counts,
        pillar_name=data.pillar_name,
        status_ja=kpi.STATUS_JA,
    )


def _chart_spec(target: data.Target, rows: list[KpiProgress], st: kpi.Status) -> dict[str, Any]:
    series: list[dict[str, Any]] = [
        {"name": "実績", "x": [r.observed_on.isoformat() for r in rows], "y": [r.value for r in rows]}
    ]
    if st.start is not None and target.target is not None and target.target_date is not None:
        series.append(
            {
                "name": "目標への直線経路",
                "dash": True,
                "x": [st.start.on.isoformat(), target.target_date.isoformat()],
                "y": [st.start.value, target.target],
            }
        )
    return {"id": "kpi", "kind": "line", "x_label": "時点", "y_label": target.unit or "値", "series": series}


@router.get("/targets/{target_id}", response_class=HTMLResponse)
def target_page(request: Request, db: Db, target_id: str) -> Response:
    user = optional_user(request)
    target = _target_or_404(target_id)
    return _target_view(request, db, user, target, {}, {})


def _target_view(
    request: Request,
    db: Session,
    user: User | None,
    target: data.Target,
    form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    rows = _points(db, target.id)
    st = _status(target, rows)
    spec = _chart_spec(target, rows, st) if rows else None
    return render(
        request,
        "desk/catalog/target.html",
        status=status,
        user=user,
        target=target,
        rows=rows,
        st=st,
        specs=json.dumps([spec] if spec else [], ensure_ascii=False),
        pillar_name=data.pillar_name,
        form=form,
        errors=errors,
        can_enter=user is not None and user.role == Role.SECRETARIAT.value,
        decided_on=data.targets_decided_on(),
    )


@router.post("/targets/{target_id}/progress", response_class=HTMLResponse)
async def add_progress(request: Request, db: Db, target_id: str, user: SecretariatUser) -> Response:
    target = _target_or_404(target_id)
    form = {k: str(v) for k, v in (await request.form()).items()}
    chk = Checker()
    raw_value = form.get("value", "").replace(",", "").strip()
    value = None
    try:
        value = float(raw_value)
    except ValueError:
        chk.add("value", f"値は数値で入力してください（単位：{target.unit or 'なし'}）")
    observed = None
    try:
        observed = date.fromisoformat(form.get("observed_on", "").strip())
    except ValueError:
        chk.add("observed_on", "時点は YYYY-MM-DD の形式で入力してください")
    source = chk.text("source", "出典", form.get("source"), required=True, max_len=500)
    if not target.is_numeric:
        chk.add("value", "この目標は数値目標ではないため、値を登録できません")
    try:
        chk.done()
    except FieldErrors as e:
        return _target_view(request, db, user, target, form, e.errors, status=422)
    assert value is not None and observed is not None
    row = KpiProgress(
        target_id=target.id,
        value=value,
        observed_on=observed,
        source=source,
        entered_by_id=user.id,
        entered_by=user.email,
    )
    db.add(row)
    db.flush()
    audit.record(db, user, "create", "kpi_progress", row.id, None, audit.snapshot(row), auth.client_address(request))
    db.commit()
    return RedirectResponse(f"/desk/targets/{target.id}", status_code=303)
