"""Recommendations on golden municipalities of the real warehouse, and the rules that make them."""

from __future__ import annotations

from pathlib import Path

import pytest

from sousei.desk.catalog.data import deck_cases
from sousei.desk.catalog.recommend import (
    CaseFacts,
    Issue,
    MuniFacts,
    issue_themes,
    recommend_all,
    recommend_one,
    size_band,
    theme_map,
)
from sousei.desk.catalog.service import warehouse_inputs
from sousei.query import Warehouse


@pytest.fixture(scope="module")
def computed(warehouse_path: Path):  # type: ignore[no-untyped-def]
    wh = Warehouse(warehouse_path)
    munis, issues = warehouse_inputs(wh)
    cases = [CaseFacts(c.id, c.name, c.place, c.themes, c.muni_codes) for c in deck_cases()]
    recs = recommend_all(munis, issues, cases)
    yield wh, issues, recs
    wh.close()


def _reasons(recs, code):  # type: ignore[no-untyped-def]
    return {r.case_id: r.reason for r in recs[code]}


def test_every_municipality_gets_recommendations(computed) -> None:  # type: ignore[no-untyped-def]
    _, _, recs = computed
    assert len(recs) == 1741
    assert all(recs[c] for c in recs)


def test_ama_town_shopping_support_for_food_access(computed) -> None:  # type: ignore[no-untyped-def]
    """海士町 (町村Ⅰ-2): its priority issues include food access of the elderly → the 共助型買物サービス (its reason
    names the highest-ranked issue sharing the case's themes, which since the robust 偏差値 may be another one)."""
    wh, issues, recs = computed
    by_name = {i.name: i for i in issues["32525"]}
    food = by_name["食料品アクセス困難人口割合（65歳以上）"]
    reasons = _reasons(recs, "32525")
    otagai = next(c for c in deck_cases() if c.id == "nara-otagai-market")
    assert set(issue_themes(food)) & set(otagai.themes)
    assert reasons["nara-otagai-market"].startswith("優先課題『")
    assert "ama-town-planning" not in reasons  # its own case is not recommended to itself
    # every issue reason names one of its priority issues whose themes the case shares
    cases = {c.id: c for c in deck_cases()}
    for r in recs["32525"]:
        if r.kind == "issue":
            issue = by_name[r.reason.removeprefix("優先課題『").removesuffix("』に関連")]
            assert set(issue_themes(issue)) & set(cases[r.case_id].themes)


def test_mishima_village_sees_ama_as_a_similar_municipality(computed) -> None:  # type: ignore[no-untyped-def]
    """三島村 (鹿児島県, 町村Ⅰ-2, under 10,000 people) shares 海士町's peer group."""
    wh, _, recs = computed
    assert wh.municipality("46303")["peer_group"] == "町村Ⅰ-2"
    assert _reasons(recs, "46303")["ama-town-planning"] == "類似団体（人口1万人未満・町村Ⅰ-2）の事例"


def test_kobe_sees_other_designated_cities_not_itself(computed) -> None:  # type: ignore[no-untyped-def]
    """神戸市 (政令指定都市): STATION Ai (名古屋市) and 京丸園 (浜松市) are its peers' cases; its own is left out."""
    _, _, recs = computed
    reasons = _reasons(recs, "28100")
    assert reasons["nagoya-station-ai"] == "類似団体（人口30万人以上・政令指定都市）の事例"
    assert reasons["hamamatsu-kyomaruen"] == "類似団体（人口30万人以上・政令指定都市）の事例"
    assert "kobe-women-work" not in reasons


def test_issue_reason_goes_to_the_most_pressing_issue() -> None:
    cases = [CaseFacts("a", "A", "", ("employment",), ("99999",)), CaseFacts("b", "B", "", ("tourism",), ())]
    issues = [Issue(2, "women_employment_rate_pct", "women_work", "女性の就業率（15歳以上）"),
              Issue(1, "econ_unemployment_rate_pct", "economy", "完全失業率")]  # fmt: skip
    muni = MuniFacts("00001", "町村Ⅳ-1", 20_000)
    recs = recommend_one(muni, issues, cases, {"99999": MuniFacts("99999", "町村Ⅳ-1", 30_000)})
    assert [(r.case_id, r.kind, r.reason) for r in recs] == [("a", "issue", "優先課題『完全失業率』に関連")]
    recs = recommend_one(muni, [], cases, {"99999": MuniFacts("99999", "町村Ⅳ-1", 30_000)})
    assert [(r.case_id, r.reason) for r in recs] == [("a", "類似団体（人口1〜5万人・町村Ⅳ-1）の事例")]


def test_size_bands_and_theme_map() -> None:
    assert [size_band(v) for v in (9_999, 10_000, 49_999, 50_000, 300_000, None)] == [
        "人口1万人未満", "人口1〜5万人", "人口1〜5万人", "人口5〜10万人", "人口30万人以上", None]  # fmt: skip
    by_family, _ = theme_map()
    assert set(by_family) == {"population", "births", "migration", "women_work", "economy", "living"}


def test_offline_recommendations_match_the_computed_ones(computed) -> None:  # type: ignore[no-untyped-def]
    from sousei.desk.catalog.service import deck_recommendations

    wh, _, recs = computed
    offline = deck_recommendations(wh)
    assert [(r.case_id, r.reason) for r, _ in offline["32525"]] == [(r.case_id, r.reason) for r in recs["32525"]]
    names = {c.id: c.name for c in deck_cases()}
    assert [case.name for _, case in offline["32525"]] == [names[r.case_id] for r in recs["32525"]]
