"""Placeholder replaced below."""

from __future__ import annotations

from sousei.analyst.factbook import FactBook
from sousei.analyst.narrative import Section


def maybe_polish(fb: FactBook, sections: list[Section]) -> list[Section]:
    return sections
