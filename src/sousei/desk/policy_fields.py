"""THE maintained list of policy fields (政策分野) of the desk: 相談カルテ, 伴走支援 and 好事例 all use these ids.

Ids are stable (stored in the database): rename a field's Japanese name freely, never reuse or renumber an id.
The list follows the fields the deck names for 「新結合」 and the 地方創生 2.0 基本構想 (観光, 産業, 農林水産業,
まちづくり, 交通, 教育, 医療・福祉, デジタル, 脱炭素, 防災 …).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyField:
    id: str
    name: str


POLICY_FIELDS: tuple[PolicyField, ...] = (
    PolicyField("tourism", "観光"),
    PolicyField("industry", "産業振興"),
    PolicyField("agriculture", "農林水産業"),
    PolicyField("town_planning", "まちづくり"),
    PolicyField("transport", "交通"),
    PolicyField("education", "教育"),
    PolicyField("health_welfare", "医療・福祉"),
    PolicyField("digital", "デジタル"),
    PolicyField("decarbonization", "脱炭素"),
    PolicyField("disaster", "防災"),
    PolicyField("childcare", "子育て・少子化対策"),
    PolicyField("employment", "雇用・人材"),
    PolicyField("migration", "移住・定住"),
    PolicyField("related_population", "関係人口"),
    PolicyField("culture_sports", "文化・スポーツ"),
    PolicyField("startup", "起業・スタートアップ"),
    PolicyField("housing", "住まい・空き家"),
    PolicyField("community", "地域コミュニティ"),
    PolicyField("wide_area", "広域連携"),
    PolicyField("administration", "行政運営・DX"),
    PolicyField("other", "その他"),
)

BY_ID: dict[str, PolicyField] = {f.id: f for f in POLICY_FIELDS}


def field_name(field_id: str) -> str:
    """The Japanese name of a field id (the id itself if it is no longer listed, so old records still print)."""
    found = BY_ID.get(field_id)
    return found.name if found else field_id


def is_field(field_id: str) -> bool:
    return field_id in BY_ID
