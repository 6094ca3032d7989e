"""What frames the figures: the thresholds the wording follows, what the warehouse does not hold, the 好事例
recommended, and the sources of every figure gathered."""

from __future__ import annotations

from typing import Any

from sousei.analyst.factbook import FactBook
from sousei.analyst.phrasing import DEVIANT_SCORE, FLAT_CHANGE_PCT, LEVEL_WORDS
from sousei.domain import diagnosis
from sousei.domain.projection.labels import PATTERN1_LABEL
from sousei.query import Warehouse


def add_unloaded(wh: Warehouse, fb: FactBook) -> None:
    """What the warehouse does not hold: the limits section names it and says how to load it."""
    missing = wh.unloaded_indicators()
    common: dict[str, Any] = {"table": "out_indicators__registry", "sources": "", "comparison": "未読み込み"}
    fb.add("limits.unloaded_count", "データが読み込まれていない指標の数", len(missing), "指標", **common)
    examples = "、".join(m["name"] for m in missing[:3])
    fb.add("limits.unloaded_examples", "読み込まれていない指標の例", examples, text=examples, **common)
    fb.add(
        "limits.unloaded_sources",
        "その出典",
        ", ".join(sorted({m["sources"] for m in missing})),
        text=", ".join(sorted({m["sources"] for m in missing})),
        **common,
    )


def add_method(fb: FactBook) -> None:
    """The thresholds the wording follows, printed once in the methods section."""
    common: dict[str, Any] = {"table": "—", "sources": "", "comparison": "方法"}
    for i, (bound, word) in enumerate(LEVEL_WORDS[:-1]):
        fb.add(f"method.level.{i}", f"偏差値の下限：{word}", bound, "", **common)
    fb.add("method.flat", "横ばいとする変化の幅", FLAT_CHANGE_PCT, "%", **common)
    fb.add("method.pattern1", "パターン1の定義", PATTERN1_LABEL, text=PATTERN1_LABEL, **common)
    fb.add("method.deviant", "参考になる自治体とする類似団体内の偏差値", DEVIANT_SCORE, "", **common)
    fb.add("method.priority.level", "優先課題：水準の偏差値の基準", diagnosis.LEVEL_THRESHOLD, "", **common)
    fb.add("method.priority.trend", "優先課題：変化の偏差値の基準", diagnosis.TREND_THRESHOLD, "", **common)
    fb.add("method.priority.trend_weight", "優先課題：変化の重み", diagnosis.TREND_WEIGHT, "", 1, **common)
    fb.add("method.priority.peer_weight", "優先課題：類似団体内の重み", diagnosis.PEER_WEIGHT, "", 2, **common)
    fb.add("method.priority.per_family", "優先課題：分野ごとの上限", diagnosis.PER_FAMILY, "", **common)


# The 好事例 come from the project's catalog of the deck's cases (src/sousei/desk/catalog/cases.toml), not a table.
CATALOG = "好事例カタログ（desk/catalog/cases.toml）"
DECK = "内閣官房「地方創生をめぐる最近の動向」（2025年11月11日）"
MAX_CASES = 5


def add_cases(wh: Warehouse, fb: FactBook, code: str) -> None:
    """The deck's good practices recommended to the municipality: the same rule and reasons as the dashboard's
    好事例 tab (cases addressing its priority issues, then cases of similar municipalities), computed once per
    process for all municipalities from the committed catalog (cases the Secretariat adds in the desk are not
    included: the report must not depend on the desk's database)."""
    from sousei.desk.catalog.service import deck_recommendations

    recommendations = wh.memo("analyst:deck_recommendations", lambda: deck_recommendations(wh)).get(code, [])
    common: dict[str, Any] = {"table": CATALOG, "sources": "", "year": "2025年11月11日"}
    fb.add("cases.source", "好事例の出典", DECK, text=DECK, **common)
    ids = []
    for k, (rec, case) in enumerate(recommendations[:MAX_CASES], 1):
        kind = "優先課題" if rec.kind == "issue" else "類似団体"
        fb.add(f"case.{k}.name", "好事例", case.name, text=case.name, comparison=kind, **common)
        fb.add(f"case.{k}.place", "地域", case.place, text=case.place, comparison=kind, **common)
        fb.add(f"case.{k}.reason", "推薦の理由", rec.reason, text=rec.reason, comparison=kind, **common)
        ids.append(str(k))
    fb.lists["cases"] = ids


def add_sources(wh: Warehouse, fb: FactBook) -> None:
    used: list[str] = []
    for f in fb.facts.values():
        for s in f.sources.split(","):
            s = s.strip()
            if s and s not in used:
                used.append(s)
    notes = {n.source_id: n for n in wh.source_notes(used)}
    fb.lists["sources"] = [s for s in used if s in notes]
    fb.lists["sources_missing"] = [s for s in used if s not in notes]
    for s in fb.lists["sources"]:
        n = notes[s]
        fb.add(
            f"source.{s}",
            n.attribution,
            n.vintage,
            text=n.attribution,
            table="meta__sources",
            sources=s,
            year=n.vintage,
            comparison=n.license,
        )
