"""docs/indicators.md, generated from the registry: `python -m sousei.domain.indicators.docs [PATH]`."""

from __future__ import annotations

import sys
from pathlib import Path

from sousei.domain.indicators.model import DIRECTION_JA, FAMILY_NAMES_JA, Indicator
from sousei.domain.indicators.registry import indicators
from sousei.domain.indicators.sql import tables_read
from sousei.domain.scores import STANDARDISATIONS

AGGREGATE_TEXT = {
    "sum": "total of the municipalities (a count: never scored)",
    "ratio_of_sums": "ratio of the summed numerators and denominators",
    "population_weighted_mean": "population-weighted mean",
    "source_value": "as the source publishes it (national_query / prefecture_query)",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _entry(ind: Indicator) -> list[str]:
    tables = sorted(set().union(*(tables_read(q or "") for q in (ind.query, ind.national_query, ind.prefecture_query))))
    national = AGGREGATE_TEXT[ind.aggregate] if not ind.national_query else AGGREGATE_TEXT["source_value"]
    lines = [
        f"### `{ind.id}` — {ind.name_ja}",
        "",
        f"*{ind.name_en}*",
        "",
        "| | |",
        "|---|---|",
        f"| Unit | {_cell(ind.unit)} |",
        f"| Direction | {ind.direction} ({DIRECTION_JA[ind.direction]}) |",
        f"| Formula | {_cell(ind.formula)} |",
        f"| Scale | value = numerator ÷ denominator × {ind.scale:g} |",
        f"| National / prefecture value | {national} |",
        (
            f"| 偏差値 | {ind.effective_standardisation}: {STANDARDISATIONS[ind.effective_standardisation]} |"
            if ind.scored
            else "| 偏差値 | none (a count) |"
        ),
        f"| Decimals shown | {ind.display_decimals} |",
        f"| Sources | {', '.join(ind.sources)} |",
        f"| Tables | {', '.join(f'`{t}`' for t in tables)} |",
    ]
    if ind.min_denominator:
        lines.append(f"| 参考値 | {_cell(ind.min_denominator_ja)} < {ind.min_denominator:g} |")
    if ind.registered_over_census:
        lines.append(
            "| 参考値 | registered ÷ census population outside 0.7–1.3 (numerator registered, denominator census) |"
        )
    if ind.caveat:
        lines.append(f"| Caveat | {_cell(ind.caveat)} |")
    if ind.coverage_note:
        lines.append(f"| Coverage | {_cell(ind.coverage_note)} |")
    return [*lines, ""]


def render_markdown() -> str:
    entries = indicators()
    out = [
        "# Indicators",
        "",
        "<!-- Generated from src/sousei/domain/indicators (the registry) by "
        "`python -m sousei.domain.indicators.docs`; do not edit by hand. -->",
        "",
        f"{len(entries)} indicators in {len({i.family for i in entries})} families. Each is one registry entry: its "
        "SQL returns numerator and denominator per 2020 municipality and data year; the build "
        "(`out_indicators__values`) divides and scales, and `out_indicators__comparisons` sets each value against "
        "Japan, the prefecture and the 類似団体 group (偏差値, ranks, change since the previous data year). "
        "偏差値 are robust and lie in 0–100; 参考値 are shown but not compared: see "
        "[methods/deviation.md](methods/deviation.md). "
        "Priority issues: see [methods/priority.md](methods/priority.md).",
        "",
        "| Family | 日本語 | Indicators |",
        "|---|---|---|",
    ]
    families = list(dict.fromkeys(i.family for i in entries))
    for fam in families:
        out.append(f"| {fam} | {FAMILY_NAMES_JA[fam]} | {sum(i.family == fam for i in entries)} |")
    out.append("")
    for fam in families:
        out += [f"## {FAMILY_NAMES_JA[fam]} ({fam})", ""]
        for ind in entries:
            if ind.family == fam:
                out += _entry(ind)
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else Path(__file__).resolve().parents[4] / "docs" / "indicators.md"
    path.write_text(render_markdown(), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
