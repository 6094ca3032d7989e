"""All indicators in one ordered registry: the entries of every family module, ids checked unique."""

from __future__ import annotations

import importlib
from functools import cache

from sousei.domain.indicators.model import FAMILY_NAMES_JA, Indicator

# Family modules in display order, one per family of FAMILY_NAMES_JA (women.py holds women_work); none is optional.
FAMILY_MODULES: tuple[str, ...] = ("population", "births", "migration", "women", "economy", "living")


class RegistryError(ValueError):
    """The registry is inconsistent (duplicate id, unknown family, missing metadata)."""


def _module_entries(name: str) -> tuple[Indicator, ...]:
    full = f"sousei.domain.indicators.{name}"
    module = importlib.import_module(full)
    # Family modules name their list INDICATORS or ENTRIES.
    for attr in ("INDICATORS", "ENTRIES"):
        if hasattr(module, attr):
            return tuple(getattr(module, attr))
    raise RegistryError(f"{full} defines neither INDICATORS nor ENTRIES")


def validate(entries: tuple[Indicator, ...]) -> None:
    seen: set[str] = set()
    for ind in entries:
        if ind.id in seen:
            raise RegistryError(f"two indicators have the id {ind.id}")
        seen.add(ind.id)
        if ind.family not in FAMILY_NAMES_JA:
            raise RegistryError(f"{ind.id}: unknown family {ind.family}")
        for field in ("name_ja", "name_en", "formula", "query"):
            if not getattr(ind, field).strip():
                raise RegistryError(f"{ind.id}: empty {field}")
        # unit "" = a pure number shown without a unit (合計特殊出生率, 財政力指数); otherwise no stray spaces
        if ind.unit != ind.unit.strip():
            raise RegistryError(f"{ind.id}: unit {ind.unit!r} has surrounding spaces")
        if not ind.sources:
            raise RegistryError(f"{ind.id}: no sources")
        if ind.aggregate == "source_value" and not ind.national_query:
            raise RegistryError(f"{ind.id}: aggregate source_value needs a national_query")


@cache
def indicators() -> tuple[Indicator, ...]:
    """Every indicator, family by family in FAMILY_MODULES order, each family in its module's order."""
    entries = tuple(ind for name in FAMILY_MODULES for ind in _module_entries(name))
    validate(entries)
    return entries


def by_id() -> dict[str, Indicator]:
    return {ind.id: ind for ind in indicators()}
