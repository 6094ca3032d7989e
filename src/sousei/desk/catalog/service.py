"""The catalog as the pages use it: published cases from the desk database, filters, and the recommendations
precomputed from the warehouse (priority issues, peer groups, populations) for every municipality at once."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sousei.desk.catalog.models import PUBLISHED, CatalogCase
from sousei.desk.catalog.recommend import (
    SIZE_BANDS,
    CaseFacts,
    Issue,
    MuniFacts,
    Recommendation,
    recommend_all,
    size_band,
)
from sousei.desk.catalog.search import ranked_ids

POPULATION_INDICATOR = "pop_total"


@dataclass(frozen=True)
class Filters:
    pillar: int | None = None
    theme: str | None = None
    pref: str | None = None
    size: str | None = None  # a SIZE_BANDS label

    def as_query(self) -> dict[str, str]:
        out = {
            "pillar": str(self.pillar or ""),
            "theme": self.theme or "",
            "pref": self.pref or "",
            "size": self.size or "",
        }
        return {k: v for k, v in out.items() if v}


SIZE_LABELS = tuple(label for _, label in SIZE_BANDS)


def populations(warehouse: Any) -> dict[str, float | None]:
    """Total population by municipality code (the registry's pop_total, its latest year)."""
    if warehouse is None:
        return {}
    ind = warehouse.indicator(POPULATION_INDICATOR)
    return ind.value_map() if ind is not None else {}


def case_size_bands(case: CatalogCase, population: dict[str, float | None]) -> set[str]:
    return {b for b in (size_band(population.get(c)) for c in case.muni_codes) if b}


def matches(case: CatalogCase, f: Filters, population: dict[str, float | None]) -> bool:
    if f.pillar is not None and case.pillar != f.pillar:
        return False
    if f.theme and f.theme not in case.themes:
        return False
    if f.pref and f.pref not in case.pref_codes:
        return False
    return not (f.size and f.size not in case_size_bands(case, population))


@dataclass
class SearchResult:
    cases: list[CatalogCase]
    scores: dict[str, float]
    no_terms: bool  # the query held no searchable word


def search(db: Session, query: str, f: Filters, population: dict[str, float | None]) -> SearchResult:
    """Published cases matching the query (every word) and the filters; best first, or by pillar without a query."""
    query = query.strip()
    published_only = select(CatalogCase).where(CatalogCase.status == PUBLISHED)
    if query:
        ranked = ranked_ids(db, query)
        if ranked is None:
            return SearchResult([], {}, True)
        # only the hits are loaded (the index query already kept published cases only)
        found = {c.id: c for c in db.scalars(published_only.where(CatalogCase.id.in_([i for i, _ in ranked])))}
        order = [(found[i], s) for i, s in ranked if i in found]
    else:
        listed = sorted(db.scalars(published_only), key=lambda c: (c.pillar, c.deck_page or 999, c.id))
        order = [(c, 0.0) for c in listed]
    hits = [(c, s) for c, s in order if matches(c, f, population)]
    return SearchResult([c for c, _ in hits], {c.id: s for c, s in hits}, False)


def catalog_stamp(db: Session) -> tuple[Any, ...]:
    """Changes whenever a published case is added, edited or withdrawn (the recommendations are then recomputed)."""
    row = db.execute(
        select(func.count(), func.max(CatalogCase.updated_at), func.sum(CatalogCase.version)).where(
            CatalogCase.status == PUBLISHED
        )
    ).one()
    return tuple(row)


def warehouse_inputs(warehouse: Any) -> tuple[list[MuniFacts], dict[str, list[Issue]]]:
    """Municipalities (peer group, population) and their priority issues from the warehouse, in one pass."""
    population = populations(warehouse)
    munis = [
        MuniFacts(m["muni_code"], m["peer_group"], population.get(m["muni_code"])) for m in warehouse.municipalities()
    ]
    issues: dict[str, list[Issue]] = {}
    names = {i["indicator_id"]: i["name"] for i in warehouse.indicators()}
    for code, rank, indicator_id, family in warehouse.all_priority_issues():
        name = names.get(indicator_id, indicator_id)
        issues.setdefault(code, []).append(Issue(int(rank), indicator_id, family, name))
    return munis, issues


def case_facts(cases: list[CatalogCase]) -> list[CaseFacts]:
    return [CaseFacts(c.id, c.name, c.place, tuple(c.themes), tuple(c.muni_codes)) for c in cases]


class Recommender:
    """Recommendations for all municipalities, computed once per catalog state (the warehouse is read-only)."""

    def __init__(self, warehouse: Any):
        self.warehouse = warehouse
        self._lock = threading.Lock()
        self._stamp: tuple[Any, ...] | None = None
        self._all: dict[str, list[Recommendation]] = {}
        self._inputs: tuple[list[MuniFacts], dict[str, list[Issue]]] | None = None

    def for_municipality(self, db: Session, code: str) -> list[tuple[Recommendation, CatalogCase]]:
        stamp = catalog_stamp(db)
        with self._lock:
            if stamp != self._stamp:
                self._recompute(db)
                self._stamp = stamp
            recs = self._all.get(code, [])
        cases = {
            c.id: c for c in db.scalars(select(CatalogCase).where(CatalogCase.id.in_([r.case_id for r in recs]))).all()
        }
        return [(r, cases[r.case_id]) for r in recs if r.case_id in cases]

    def _recompute(self, db: Session) -> None:
        if self._inputs is None:
            self._inputs = warehouse_inputs(self.warehouse)
        munis, issues = self._inputs
        published = db.scalars(select(CatalogCase).where(CatalogCase.status == PUBLISHED)).all()
        self._all = recommend_all(munis, issues, case_facts(list(published)))


def deck_recommendations(warehouse: Any) -> dict[str, list[tuple[Recommendation, CaseFacts]]]:
    """The same recommendations from the committed catalog alone (no desk database): for `sousei report`'s
    参考になる自治体 section and other offline uses. Cases the Secretariat added in the desk are not included."""
    from sousei.desk.catalog.data import deck_cases

    facts = [CaseFacts(c.id, c.name, c.place, c.themes, c.muni_codes) for c in deck_cases()]
    by_id = {f.id: f for f in facts}
    munis, issues = warehouse_inputs(warehouse)
    return {code: [(r, by_id[r.case_id]) for r in recs] for code, recs in recommend_all(munis, issues, facts).items()}
