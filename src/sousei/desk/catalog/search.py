"""Full-text search over the published cases: the same Python tokens indexed by SQLite FTS5 (bm25) or by a
PostgreSQL tsvector with a GIN index (ts_rank_cd).

The tokens reach PostgreSQL as a tsvector *literal* (`'観光':1 '客':2`) rather than through to_tsvector: the
'simple' parser would split Japanese again by rules that depend on the server's locale, and then the two
backends would no longer index the same tokens. The query is built the same way (a tsquery literal), so both
backends match exactly the token sets of sousei.desk.catalog.tokens. Ranking weighs the title (name, place)
above the body (summary, themes, region): FTS5 column weights 3:1, PostgreSQL weights A and D.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from sousei.desk.catalog.models import PUBLISHED, CatalogCase, CatalogCaseSearch
from sousei.desk.catalog.tokens import document_tokens, query_terms
from sousei.desk.policy_fields import field_name

FTS_TABLE = "desk_catalog_case_fts"
TITLE_WEIGHT = 3.0
BODY_WEIGHT = 1.0


def create_index_sql(dialect: str) -> list[str]:
    """The statements that add the backend's full-text index to desk_catalog_case_search (run by the migration)."""
    if dialect == "sqlite":
        return [
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(case_id UNINDEXED, title, body, "
            "tokenize = 'unicode61 remove_diacritics 0')"
        ]
    if dialect == "postgresql":
        return [
            "ALTER TABLE desk_catalog_case_search ADD COLUMN document tsvector",
            "CREATE INDEX ix_desk_catalog_case_search_document ON desk_catalog_case_search USING GIN (document)",
        ]
    raise ValueError(f"full-text search is implemented for SQLite and PostgreSQL, not {dialect}")


def outside_the_models(name: str | None, type_: str, parent_names: Mapping[Any, str | None]) -> bool:
    """The search index's backend objects, which the migration makes with SQL and no model declares (the FTS5
    table and its shadow tables on SQLite; the tsvector column and its GIN index on PostgreSQL): autogenerate
    (`alembic check`) leaves them alone."""
    if type_ == "table":
        return bool(name and name.startswith(FTS_TABLE))
    if type_ == "column":
        return name == "document" and parent_names.get("table_name") == "desk_catalog_case_search"
    return type_ == "index" and name == "ix_desk_catalog_case_search_document"


def drop_index_sql(dialect: str) -> list[str]:
    return [f"DROP TABLE IF EXISTS {FTS_TABLE}"] if dialect == "sqlite" else []


def case_texts(case: CatalogCase) -> tuple[list[str], list[str]]:
    """The texts of a case: (title, body)."""
    title = [case.name, case.deck_name, case.place]
    body = [case.summary, case.region, " ".join(case.combination), " ".join(field_name(t) for t in case.themes)]
    return title, body


def _tsvector_literal(tokens: list[str], start: int) -> str:
    # tokens hold only letters and digits (tokens._clean), so no quote needs escaping; positions cap at 16383
    return " ".join(f"'{t}':{min(start + i, 16383)}" for i, t in enumerate(tokens))


def index_case(db: Session, case: CatalogCase) -> None:
    """Store the case's tokens and refresh its entry in the backend's index (within the caller's transaction)."""
    title_texts, body_texts = case_texts(case)
    title, body = document_tokens(title_texts), document_tokens(body_texts)
    row = db.get(CatalogCaseSearch, case.id)
    if row is None:
        row = CatalogCaseSearch(case_id=case.id, title_tokens="", body_tokens="")
        db.add(row)
    row.title_tokens, row.body_tokens = " ".join(title), " ".join(body)
    db.flush()
    write_index_entry(db.connection(), case.id, title, body)


def write_index_entry(con: Connection, case_id: str, title: list[str], body: list[str]) -> None:
    if con.dialect.name == "sqlite":
        con.execute(text(f"DELETE FROM {FTS_TABLE} WHERE case_id = :id"), {"id": case_id})
        con.execute(
            text(f"INSERT INTO {FTS_TABLE} (case_id, title, body) VALUES (:id, :t, :b)"),
            {"id": case_id, "t": " ".join(title), "b": " ".join(body)},
        )
    else:
        con.execute(
            text(
                "UPDATE desk_catalog_case_search SET document = setweight(CAST(:t AS tsvector), 'A') || "
                "setweight(CAST(:b AS tsvector), 'D') WHERE case_id = :id"
            ),
            {"id": case_id, "t": _tsvector_literal(title, 1), "b": _tsvector_literal(body, len(title) + 1)},
        )


def fts5_query(groups: list[list[list[str]]]) -> str:
    def alt(tokens: list[str]) -> str:
        return "(" + " AND ".join(f'"{t}"' for t in tokens) + ")"

    return " AND ".join("(" + " OR ".join(alt(a) for a in g) + ")" for g in groups)


def tsquery_literal(groups: list[list[list[str]]]) -> str:
    def alt(tokens: list[str]) -> str:
        return "(" + " & ".join(f"'{t}'" for t in tokens) + ")"

    return " & ".join("(" + " | ".join(alt(a) for a in g) + ")" for g in groups)


def ranked_ids(db: Session, query: str) -> list[tuple[str, float]] | None:
    """Published cases matching every word of the query, best first, with the backend's score (higher = better).

    None when the query has no searchable word (empty, or only particles and symbols).
    """
    groups = query_terms(query)
    if not groups:
        return None
    con = db.connection()
    if con.dialect.name == "sqlite":
        rows = con.execute(
            text(
                f"SELECT f.case_id, -bm25({FTS_TABLE}, 0.0, :tw, :bw) AS score FROM {FTS_TABLE} f "
                f"JOIN desk_catalog_cases c ON c.id = f.case_id WHERE {FTS_TABLE} MATCH :q AND c.status = :st "
                "ORDER BY score DESC, f.case_id"
            ),
            {"q": fts5_query(groups), "st": PUBLISHED, "tw": TITLE_WEIGHT, "bw": BODY_WEIGHT},
        ).all()
    else:
        rows = con.execute(
            text(
                "SELECT s.case_id, ts_rank_cd(s.document, q) AS score FROM desk_catalog_case_search s "
                "JOIN desk_catalog_cases c ON c.id = s.case_id, CAST(:q AS tsquery) q "
                "WHERE s.document @@ q AND c.status = :st ORDER BY score DESC, s.case_id"
            ),
            {"q": tsquery_literal(groups), "st": PUBLISHED},
        ).all()
    return [(r[0], float(r[1])) for r in rows]
