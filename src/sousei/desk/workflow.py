"""The 相談カルテ workflow: who may see and do what, status changes with history, notifications and audit.

受付 → 共有済 → 回答済 → 打合せ → 完了 (or 取下げ). A draft (下書き) is seen only by its municipality.
Every action runs in the caller's one transaction: the change, its history row, audit entry and notifications
commit together or not at all. Actions that overwrite the カルテ take the version the person saw; a different
current version raises Conflict (「他の利用者が更新しました」) instead of silently overwriting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import HTTPException
from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session

from sousei.desk import audit
from sousei.desk.db import utcnow
from sousei.desk.karte_form import AnswerInput, KarteInput, MeetingInput
from sousei.desk.ministries import ministry_name
from sousei.desk.models import (
    Answer,
    AuditEntry,
    Karte,
    KarteField,
    KarteHistory,
    KarteShare,
    Meeting,
    Notification,
    User,
)
from sousei.desk.roles import Role


class Status(StrEnum):
    DRAFT = "draft"
    RECEIVED = "received"
    SHARED = "shared"
    ANSWERED = "answered"
    MEETING = "meeting"
    DONE = "done"
    WITHDRAWN = "withdrawn"


STATUS_JA = {
    Status.DRAFT: "下書き",
    Status.RECEIVED: "受付",
    Status.SHARED: "共有済",
    Status.ANSWERED: "回答済",
    Status.MEETING: "打合せ",
    Status.DONE: "完了",
    Status.WITHDRAWN: "取下げ",
}
OPEN = {Status.RECEIVED, Status.SHARED, Status.ANSWERED, Status.MEETING}
EDITABLE = {Status.DRAFT, Status.RECEIVED}  # the municipality edits while 受付 (and its drafts)
ANSWERABLE = {Status.SHARED, Status.ANSWERED, Status.MEETING}


class Conflict(Exception):
    """Someone else changed the カルテ after the person opened it."""

    def __init__(self, karte: Karte, changes: list[AuditEntry]):
        super().__init__("他の利用者が更新しました")
        self.karte = karte
        self.changes = changes


@dataclass(frozen=True)
class Change:
    """One field of another person's change, for the conflict message."""

    field: str
    before: Any
    after: Any


# -- who sees what ---------------------------------------------------------------------------------------------


def visible_to(user: User) -> Any:
    """The SQL condition on Karte for what this user may read."""
    role = Role(user.role)
    if role is Role.MUNICIPALITY:
        return Karte.muni_code == user.muni_code
    if role is Role.SECRETARIAT:
        return Karte.status != Status.DRAFT.value
    if role is Role.MINISTRY:
        shared = exists().where(KarteShare.karte_id == Karte.id, KarteShare.ministry_id == user.ministry_id)
        return and_(Karte.status != Status.DRAFT.value, shared)
    return Karte.id.is_(None)  # admin: accounts only, no カルテ


def visible_query(user: User) -> Select[Karte]:
    return select(Karte).where(visible_to(user))


def get_visible(db: Session, user: User, karte_id: int, *, for_update: bool = False) -> Karte:
    """The カルテ if this user may read it; 404 otherwise (another municipality's カルテ does not 'exist' for them)."""
    query = visible_query(user).where(Karte.id == karte_id)
    if for_update:
        query = query.with_for_update(of=Karte)
    found = db.scalar(query)
    if found is None:
        raise HTTPException(404, f"相談カルテ {karte_id} は見つかりません")
    return found


def can_edit(user: User, karte: Karte) -> bool:
    return user.role == Role.MUNICIPALITY and user.muni_code == karte.muni_code and karte.status in EDITABLE


def can_share(user: User, karte: Karte) -> bool:
    return user.role == Role.SECRETARIAT and karte.status in OPEN


def can_answer(user: User, karte: Karte) -> bool:
    return (
        user.role == Role.MINISTRY
        and karte.status in ANSWERABLE
        and any(s.ministry_id == user.ministry_id for s in karte.shares)
    )


def can_record_meeting(user: User, karte: Karte) -> bool:
    return karte.status in ANSWERABLE and (user.role == Role.SECRETARIAT or can_answer(user, karte))


def can_complete(user: User, karte: Karte) -> bool:
    return user.role == Role.SECRETARIAT and karte.status in OPEN


def can_withdraw(user: User, karte: Karte) -> bool:
    own = user.role == Role.MUNICIPALITY and user.muni_code == karte.muni_code
    return (own and karte.status in OPEN | {Status.DRAFT}) or (user.role == Role.SECRETARIAT and karte.status in OPEN)


def _allowed(ok: bool) -> None:
    if not ok:
        raise HTTPException(403, "この相談カルテに対してこの操作を行う権限がないか、現在の状態では行えません")


def check_version(db: Session, karte: Karte, seen_version: int | None) -> None:
    if seen_version is not None and seen_version != karte.version:
        raise Conflict(karte, changes_since(db, karte.id, seen_version))


def changes_since(db: Session, karte_id: int, version: int) -> list[AuditEntry]:
    rows = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "karte", AuditEntry.entity_id == str(karte_id))
        .order_by(AuditEntry.id)
    ).all()
    return [r for r in rows if (r.after or {}).get("version", 0) > version]


def diff(entry: AuditEntry) -> list[Change]:
    before, after = entry.before or {}, entry.after or {}
    skip = {"version", "updated_at"}
    return [Change(k, before.get(k), after.get(k)) for k in after if k not in skip and before.get(k) != after.get(k)]


# -- actions ---------------------------------------------------------------------------------------------------


def karte_snapshot(karte: Karte) -> dict[str, Any]:
    snap = audit.snapshot(karte)
    snap["fields"] = sorted(f.field_id for f in karte.fields)
    snap["shares"] = sorted(s.ministry_id for s in karte.shares)
    return snap


def create(db: Session, user: User, data: KarteInput, *, submit: bool, address: str = "") -> Karte:
    _allowed(user.role == Role.MUNICIPALITY and bool(user.muni_code))
    assert user.muni_code is not None
    status = Status.RECEIVED if submit else Status.DRAFT
    karte = Karte(
        **data.columns(),
        muni_code=user.muni_code,
        pref_code=user.muni_code[:2],
        status=status.value,
        created_by=user.id,
        submitted_at=utcnow() if submit else None,
    )
    karte.fields = [KarteField(field_id=f) for f in data.fields]
    db.add(karte)
    db.flush()
    audit.record(db, user, "create", "karte", karte.id, None, karte_snapshot(karte), address)
    if submit:
        _history(db, karte, user, None, Status.RECEIVED, "")
        _notify(db, karte, user, f"新しい相談カルテ「{karte.title}」が届きました", secretariat=True)
    return karte


def edit(
    db: Session, user: User, karte: Karte, data: KarteInput, seen_version: int, *, submit: bool, address: str = ""
) -> Karte:
    _allowed(can_edit(user, karte))
    check_version(db, karte, seen_version)
    before = karte_snapshot(karte)
    for key, value in data.columns().items():
        setattr(karte, key, value)
    current = {f.field_id for f in karte.fields}
    if current != set(data.fields):
        karte.fields = [f for f in karte.fields if f.field_id in data.fields] + [
            KarteField(field_id=f) for f in data.fields if f not in current
        ]
    karte.updated_at = utcnow()
    submitting = submit and karte.status == Status.DRAFT
    if submitting:
        karte.status = Status.RECEIVED.value
        karte.submitted_at = utcnow()
    db.flush()
    audit.record(
        db, user, "submit" if submitting else "edit", "karte", karte.id, before, karte_snapshot(karte), address
    )
    if submitting:
        _history(db, karte, user, Status.DRAFT, Status.RECEIVED, "")
        _notify(db, karte, user, f"新しい相談カルテ「{karte.title}」が届きました", secretariat=True)
    elif karte.status != Status.DRAFT:
        _notify(db, karte, user, f"相談カルテ「{karte.title}」が修正されました", secretariat=True)
    return karte


def share(
    db: Session, user: User, karte: Karte, ministry_ids: Sequence[str], note: str, seen_version: int, address: str = ""
) -> Karte:
    _allowed(can_share(user, karte))
    check_version(db, karte, seen_version)
    before = karte_snapshot(karte)
    already = {s.ministry_id for s in karte.shares}
    new = [m for m in dict.fromkeys(ministry_ids) if m not in already]
    if not new:
        raise HTTPException(422, "共有する府省庁を選んでください（すでに共有済みの府省庁は選べません）")
    for m in new:
        karte.shares.append(KarteShare(ministry_id=m, shared_by=user.id, note=note))
    old = Status(karte.status)
    if old == Status.RECEIVED:
        karte.status = Status.SHARED.value
    karte.updated_at = utcnow()
    db.flush()
    audit.record(db, user, "share", "karte", karte.id, before, karte_snapshot(karte), address)
    names = "・".join(ministry_name(m) for m in new)
    _history(db, karte, user, old, Status(karte.status), f"共有先：{names}" + (f"／{note}" if note else ""))
    _notify(db, karte, user, f"相談カルテ「{karte.title}」を{names}と共有しました", municipality=True)
    _notify(db, karte, user, f"相談カルテ「{karte.title}」が共有されました", ministries=new)
    return karte


def answer(db: Session, user: User, karte: Karte, data: AnswerInput, address: str = "") -> Answer:
    _allowed(can_answer(user, karte))
    assert user.ministry_id is not None
    row = Answer(karte_id=karte.id, ministry_id=user.ministry_id, author_id=user.id, **data.__dict__)
    db.add(row)
    before = karte_snapshot(karte)
    old = Status(karte.status)
    if old == Status.SHARED:
        karte.status = Status.ANSWERED.value
    karte.updated_at = utcnow()
    db.flush()
    audit.record(
        db, user, "answer", "karte", karte.id, before, karte_snapshot(karte) | {"answer": data.__dict__}, address
    )
    if old != Status(karte.status):
        _history(db, karte, user, old, Status(karte.status), f"{ministry_name(user.ministry_id)}が回答")
    _notify(
        db,
        karte,
        user,
        f"相談カルテ「{karte.title}」に{ministry_name(user.ministry_id)}から回答がありました",
        municipality=True,
        secretariat=True,
    )
    return row


def record_meeting(db: Session, user: User, karte: Karte, data: MeetingInput, address: str = "") -> Meeting:
    _allowed(can_record_meeting(user, karte))
    row = Meeting(karte_id=karte.id, recorded_by=user.id, **data.__dict__)
    db.add(row)
    before = karte_snapshot(karte)
    old = Status(karte.status)
    karte.status = Status.MEETING.value
    karte.updated_at = utcnow()
    db.flush()
    after = karte_snapshot(karte) | {"meeting": {**data.__dict__, "held_on": data.held_on.isoformat()}}
    audit.record(db, user, "meeting", "karte", karte.id, before, after, address)
    if old != Status.MEETING:
        _history(db, karte, user, old, Status.MEETING, f"{data.held_on.isoformat()} 打合せ")
    _notify(
        db,
        karte,
        user,
        f"相談カルテ「{karte.title}」の打合せ（{data.held_on.isoformat()}）が記録されました",
        municipality=True,
        secretariat=True,
        ministries=[s.ministry_id for s in karte.shares],
    )
    return row


def close(db: Session, user: User, karte: Karte, to: Status, note: str, seen_version: int, address: str = "") -> Karte:
    """完了 (the Secretariat) or 取下げ (the municipality, or the Secretariat)."""
    _allowed(can_complete(user, karte) if to == Status.DONE else can_withdraw(user, karte))
    check_version(db, karte, seen_version)
    before = karte_snapshot(karte)
    old = Status(karte.status)
    karte.status = to.value
    karte.updated_at = utcnow()
    db.flush()
    audit.record(db, user, to.value, "karte", karte.id, before, karte_snapshot(karte), address)
    _history(db, karte, user, old, to, note)
    if old != Status.DRAFT:
        _notify(
            db,
            karte,
            user,
            f"相談カルテ「{karte.title}」が{STATUS_JA[to]}になりました",
            municipality=True,
            secretariat=True,
            ministries=[s.ministry_id for s in karte.shares],
        )
    return karte


def _history(db: Session, karte: Karte, user: User, old: Status | None, new: Status, note: str) -> None:
    db.add(
        KarteHistory(
            karte_id=karte.id, actor_id=user.id, from_status=old.value if old else None, to_status=new.value, note=note
        )
    )


def _notify(
    db: Session,
    karte: Karte,
    actor: User,
    message: str,
    *,
    municipality: bool = False,
    secretariat: bool = False,
    ministries: Sequence[str] = (),
) -> None:
    """A notification to each active person concerned, except the one who acted."""
    who = []
    if municipality:
        who.append(and_(User.role == Role.MUNICIPALITY.value, User.muni_code == karte.muni_code))
    if secretariat:
        who.append(User.role == Role.SECRETARIAT.value)
    if ministries:
        who.append(and_(User.role == Role.MINISTRY.value, User.ministry_id.in_(list(ministries))))
    if not who:
        return
    ids = db.scalars(select(User.id).where(or_(*who), User.is_active.is_(True), User.id != actor.id)).all()
    link = f"/desk/karte/{karte.id}"
    db.add_all(Notification(user_id=i, message=message[:500], link=link) for i in ids)
