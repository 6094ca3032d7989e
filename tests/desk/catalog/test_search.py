"""Search quality on a fixed set of Japanese queries, on SQLite (FTS5) and PostgreSQL (tsvector) alike."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from sousei.desk.catalog.search import ranked_ids
from sousei.desk.catalog.tokens import document_tokens, query_terms

# query → cases that must be found (the whole hit list must contain them), from the deck's wording
EXPECTED_HITS: dict[str, set[str]] = {
    # two-character words inside longer compounds: 観光 in 観光客, 運転 in 自動運転
    "観光": {"michinoku-coastal-trail", "tsuruoka-paddy-inbound", "tonosho-terraces", "obama-wakasa-saba-kaido"},
    "運転": {"sakai-autonomous-bus", "kamishihoro-autobus-biogas"},
    "人事": {"doto-regional-hr"},
    "高専": {"kamiyama-kosen", "mitoyo-ai-kosen"},
    # spelling variants folded by the normalised form: りんご / リンゴ / 林檎, サバ / 鯖
    "りんご": {"hirosaki-apples"},
    "リンゴ": {"hirosaki-apples"},
    "サバ": {"obama-wakasa-saba-kaido"},
    # hiragana for a katakana name, half-width katakana
    "ひだすけ": {"hida-hidasuke"},
    "ﾄﾞﾛｰﾝ": {"setouchi-drone-fleet", "fukushima-robot-test-field"},
    # several words: every word must occur
    "女性 就業": {"kobe-women-work"},
    "自動運転 バイオガス": {"kamishihoro-autobus-biogas"},
}
EXACT_HITS: dict[str, list[str]] = {
    "女性 就業": ["kobe-women-work"],
    "棚田": ["tonosho-terraces"],
    "宇宙エレベーター": [],  # no case speaks of it
}


def _ids(sessions: sessionmaker[Session], query: str) -> list[str]:
    with sessions() as db:
        found = ranked_ids(db, query)
    assert found is not None, query
    return [case_id for case_id, _ in found]


@pytest.mark.parametrize("query", sorted(EXPECTED_HITS))
def test_expected_cases_are_found(catalog_sessions: sessionmaker[Session], query: str) -> None:
    assert EXPECTED_HITS[query] <= set(_ids(catalog_sessions, query))


@pytest.mark.parametrize("query", sorted(EXACT_HITS))
def test_exact_hit_lists(catalog_sessions: sessionmaker[Session], query: str) -> None:
    assert _ids(catalog_sessions, query) == EXACT_HITS[query]


def test_the_name_ranks_first(catalog_sessions: sessionmaker[Session]) -> None:
    # the case named after the word outranks cases that only mention it in passing
    assert _ids(catalog_sessions, "ヒダスケ")[0] == "hida-hidasuke"
    assert _ids(catalog_sessions, "えちぜん鉄道")[0] == "echizen-railway"


def test_a_query_of_particles_only_has_no_searchable_word(catalog_sessions: sessionmaker[Session]) -> None:
    with catalog_sessions() as db:
        assert ranked_ids(db, "の と は") is None
        assert ranked_ids(db, "") is None


def test_compounds_carry_their_finer_units() -> None:
    assert document_tokens(["観光客"]) == ["観光客", "観光", "客"]
    assert query_terms("りんご") == query_terms("林檎")
    assert query_terms("観光  まちづくり")[0] == [["観光"]]


def test_both_backends_give_the_same_hits(catalog_sessions: sessionmaker[Session]) -> None:
    """Run on every backend: the hit sets are compared with SQLite's, computed on a fresh SQLite database."""
    from tests.desk.catalog.parity import sqlite_hits

    for query in [*EXPECTED_HITS, *EXACT_HITS, "まちづくり", "DX", "農業 デジタル", "ドローン"]:
        assert set(_ids(catalog_sessions, query)) == sqlite_hits(query), query
