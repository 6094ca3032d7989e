"""The 相談カルテ form: parse the posted fields, check them (messages in Japanese, per field), return plain values.

A draft needs only a title; a submitted カルテ needs every field a real カルテ has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sousei.desk.policy_fields import is_field
from sousei.desk.validation import Checker

ELEMENT_ROWS = 6
ELEMENT_KINDS = ("施策", "人材", "技術", "資金", "データ", "その他")
PHONE = re.compile(r"^[0-9０-９\-‐－()（） +]{6,30}$")
URL = re.compile(r"^https?://[^\s<>\"]+$")
MEETING_FORMS = {"online": "オンライン", "face_to_face": "対面", "phone": "電話"}


@dataclass
class KarteInput:
    title: str = ""
    partners: str = ""
    issue: str = ""
    idea: str = ""
    elements: list[dict[str, str]] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    support_wanted: str = ""
    timeline: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""

    def columns(self) -> dict[str, Any]:
        """The values stored on the desk_karte row (fields go to desk_karte_fields)."""
        return {k: v for k, v in self.__dict__.items() if k != "fields"}


def parse_karte(form: Any, *, submitting: bool) -> KarteInput:
    """The form's values, checked; FieldErrors (every field's message at once) when something is wrong."""
    c = Checker()
    need = submitting
    data = KarteInput(
        title=c.text("title", "件名", form.get("title"), required=True, max_len=200),
        partners=c.text("partners", "連携先（民間団体・NPO・大学など）", form.get("partners"), max_len=2000),
        issue=c.text("issue", "地域課題", form.get("issue"), required=need, max_len=4000),
        idea=c.text("idea", "取組のアイデア", form.get("idea"), required=need, max_len=4000),
        support_wanted=c.text(
            "support_wanted", "希望する支援", form.get("support_wanted"), required=need, max_len=2000
        ),
        timeline=c.text("timeline", "スケジュール", form.get("timeline"), max_len=1000),
        contact_name=c.text("contact_name", "担当者名", form.get("contact_name"), required=need, max_len=100),
        contact_email=c.email("contact_email", "担当者メールアドレス", form.get("contact_email"), required=need),
        contact_phone=c.text("contact_phone", "電話番号", form.get("contact_phone"), max_len=30),
    )
    if data.contact_phone and not PHONE.match(data.contact_phone):
        c.add("contact_phone", "電話番号は数字とハイフンで入力してください（例：03-1234-5678）")
    chosen = [str(v) for v in form.getlist("fields")] if hasattr(form, "getlist") else list(form.get("fields", []))
    unknown = [f for f in chosen if not is_field(f)]
    if unknown:
        c.add("fields", f"政策分野の一覧にない値です：{', '.join(unknown[:3])}")
    elif need and not chosen:
        c.add("fields", "関連する政策分野を1つ以上選んでください")
    data.fields = sorted(set(chosen))
    for i in range(ELEMENT_ROWS):
        kind = str(form.get(f"element_kind_{i}") or "").strip()
        fid = str(form.get(f"element_field_{i}") or "").strip()
        desc = c.text(f"element_{i}", f"組み合わせる要素{i + 1}", form.get(f"element_desc_{i}"), max_len=500)
        if not desc:
            continue
        if kind not in ELEMENT_KINDS:
            c.add(f"element_{i}", f"組み合わせる要素{i + 1}の種類を選んでください（{'・'.join(ELEMENT_KINDS)}）")
        if not is_field(fid):
            c.add(f"element_{i}", f"組み合わせる要素{i + 1}の分野を選んでください")
        data.elements.append({"kind": kind, "field": fid, "description": desc})
    if need and len(data.elements) < 2:
        c.add("elements", "「新結合」は異なる要素の組み合わせです：組み合わせる要素を2つ以上入力してください")
    c.done()
    return data


@dataclass
class AnswerInput:
    measure_name: str
    grant_name: str
    contact_point: str
    url: str
    comment: str


def parse_answer(form: Any) -> AnswerInput:
    c = Checker()
    data = AnswerInput(
        measure_name=c.text("measure_name", "施策名", form.get("measure_name"), required=True, max_len=200),
        grant_name=c.text("grant_name", "交付金・補助金", form.get("grant_name"), max_len=200),
        contact_point=c.text("contact_point", "窓口", form.get("contact_point"), max_len=200),
        url=c.text("url", "URL", form.get("url"), max_len=500),
        comment=c.text("comment", "コメント", form.get("comment"), required=True, max_len=4000),
    )
    if data.url and not URL.match(data.url):
        c.add("url", "URLは http:// または https:// で始まる形式で入力してください")
    c.done()
    return data


@dataclass
class MeetingInput:
    held_on: Any
    form: str
    participants: str
    notes: str


def parse_meeting(form: Any) -> MeetingInput:
    from datetime import date

    c = Checker()
    raw_date = str(form.get("held_on") or "").strip()
    held_on = None
    try:
        held_on = date.fromisoformat(raw_date)
        if not 2025 <= held_on.year <= 2100:
            c.add("held_on", "実施日は2025年以降の日付で入力してください")
    except ValueError:
        c.add("held_on", "実施日を YYYY-MM-DD の形で入力してください（例：2026-04-15）")
    kind = str(form.get("form") or "")
    if kind not in MEETING_FORMS:
        c.add("form", "形式を選んでください（オンライン・対面・電話）")
    data = MeetingInput(
        held_on=held_on,
        form=kind,
        participants=c.text("participants", "参加者", form.get("participants"), required=True, max_len=2000),
        notes=c.text("notes", "記録", form.get("notes"), max_len=8000),
    )
    c.done()
    return data
