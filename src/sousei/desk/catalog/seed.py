"""Seed the desk with the deck's cases (cases.toml): each missing case is added, published, as version 1."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sousei.desk.catalog.data import catalog_version, deck_cases
from sousei.desk.catalog.models import ORIGIN_DECK, PUBLISHED, CatalogCase, CatalogCaseVersion
from sousei.desk.catalog.search import index_case


def seed_deck_cases(db: Session) -> int:
    """Add the deck's cases that the desk does not hold yet; cases already there (perhaps edited) are left alone.

    Returns how many were added. The caller commits.
    """
    present = set(db.scalars(select(CatalogCase.id)).all())
    added = 0
    for case in deck_cases():
        if case.id in present:
            continue
        rec = case.as_record()
        row = CatalogCase(**rec, origin=ORIGIN_DECK, status=PUBLISHED, version=1)
        db.add(row)
        db.flush()
        db.add(
            CatalogCaseVersion(
                case_id=case.id,
                version=1,
                status=PUBLISHED,
                content=rec,
                edited_by="deck",
                note=f"cases.toml {catalog_version()}",
            )
        )
        index_case(db, row)
        added += 1
    return added
