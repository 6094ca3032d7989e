"""The facts file: every figure a report uses, with the string as printed and where it comes from."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sousei.analyst.numbers import fmt, fmt_signed


@dataclass(frozen=True)
class Fact:
    id: str
    label: str  # what the figure is, in Japanese (an indicator's name, 「総人口」 …)
    value: float | int | str | bool | None
    unit: str
    printed: str  # exactly as the text prints it (without the unit)
    table: str  # the warehouse table it is read from
    sources: str  # source ids (meta__sources), comma-separated
    year: str  # the data year or period, as printed
    comparison: str  # what it is, or is compared with: 当該団体, 全国, 都道府県, 類似団体, 差(全国) …


@dataclass
class FactBook:
    """The facts of one municipality's report, in the order they were gathered."""

    code: str
    facts: dict[str, Fact] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)  # ordered ids of repeated findings (issues, peers)
    meta: dict[str, Any] = field(default_factory=dict)  # warehouse version, analyst version

    def add(
        self,
        id: str,
        label: str,
        value: Any,
        unit: str = "",
        digits: int = 0,
        *,
        table: str,
        sources: str,
        year: Any = "",
        comparison: str = "当該団体",
        signed: bool = False,
        text: str | None = None,
    ) -> Fact:
        """Record a figure; the printed string is made here, once (`text` for a figure that is a word)."""
        if isinstance(value, float) and value != value:
            value = None
        if text is not None:
            printed = text
        elif value is None:
            printed = "データなし"
        elif signed:
            printed = fmt_signed(float(value), digits)
        else:
            printed = fmt(float(value), digits)
        if isinstance(value, float) and text is None:
            value = round(value, max(digits, 0) + 3)
        fact = Fact(id, label, value, unit, printed, table, sources, str(year), comparison)
        self.facts[id] = fact
        return fact

    def __contains__(self, id: str) -> bool:
        return id in self.facts

    def get(self, id: str) -> Fact | None:
        return self.facts.get(id)

    def p(self, id: str) -> str:
        """The printed figure of a fact (KeyError for a fact never gathered: a bug, never a silent gap)."""
        return self.facts[id].printed

    def year(self, id: str) -> str:
        """The data year or period of a fact, as printed."""
        return self.facts[id].year

    def label(self, id: str) -> str:
        return self.facts[id].label

    def v(self, id: str) -> Any:
        f = self.facts.get(id)
        return None if f is None else f.value

    def has_value(self, id: str) -> bool:
        return self.v(id) is not None

    def to_json(self) -> str:
        doc = {
            "muni_code": self.code,
            "meta": self.meta,
            "facts": [asdict(f) for f in self.facts.values()],
            "lists": self.lists,
        }
        return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def facts_text(fb: FactBook) -> str:
    """One fact per line (id, printed, unit, year, comparison, table, sources): the golden file, diffable.
    The warehouse build time (meta) is left out so that a rebuild with equal figures leaves it unchanged."""
    lines = ["id\tprinted\tunit\tyear\tcomparison\ttable\tsources"]
    for f in fb.facts.values():
        lines.append("\t".join((f.id, f.printed, f.unit, f.year, f.comparison, f.table, f.sources)))
    for k, v in fb.lists.items():
        lines.append(f"list:{k}\t{' '.join(v)}")
    return "\n".join(lines) + "\n"
