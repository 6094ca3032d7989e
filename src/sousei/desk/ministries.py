"""THE maintained list of 府省庁 a カルテ can be shared with and a ministry account can belong to.

Ids are stable (stored in the database); the Japanese names are the official short names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ministry:
    id: str
    name: str


MINISTRIES: tuple[Ministry, ...] = (
    Ministry("cas", "内閣官房"),
    Ministry("cao", "内閣府"),
    Ministry("digital", "デジタル庁"),
    Ministry("reconstruction", "復興庁"),
    Ministry("soumu", "総務省"),
    Ministry("moj", "法務省"),
    Ministry("mofa", "外務省"),
    Ministry("mof", "財務省"),
    Ministry("mext", "文部科学省"),
    Ministry("mhlw", "厚生労働省"),
    Ministry("maff", "農林水産省"),
    Ministry("meti", "経済産業省"),
    Ministry("mlit", "国土交通省"),
    Ministry("env", "環境省"),
    Ministry("mod", "防衛省"),
    Ministry("cfa", "こども家庭庁"),
    Ministry("fsa", "金融庁"),
    Ministry("caa", "消費者庁"),
    Ministry("jta", "観光庁"),
    Ministry("sports", "スポーツ庁"),
    Ministry("bunka", "文化庁"),
    Ministry("rinya", "林野庁"),
    Ministry("jfa", "水産庁"),
    Ministry("sme", "中小企業庁"),
    Ministry("fdma", "消防庁"),
)

BY_ID: dict[str, Ministry] = {m.id: m for m in MINISTRIES}
BY_NAME: dict[str, Ministry] = {m.name: m for m in MINISTRIES}


def ministry_name(ministry_id: str) -> str:
    found = BY_ID.get(ministry_id)
    return found.name if found else ministry_id


def resolve(value: str) -> Ministry:
    """A ministry by id or Japanese name; a clear message otherwise."""
    found = BY_ID.get(value) or BY_NAME.get(value.strip())
    if found is None:
        raise ValueError(f"府省庁 {value!r} は一覧にありません（src/sousei/desk/ministries.py）")
    return found
