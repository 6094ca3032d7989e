"""No sentence states a number that is not in the facts: every number of the generated text of a sample of
municipalities is found in their facts file as printed."""

from __future__ import annotations

import re

import pytest

from sousei.analyst.factbook import FactBook
from sousei.analyst.facts import gather
from sousei.analyst.narrative import Section, write
from sousei.query import Warehouse

from .conftest import GOLDEN_CODES

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def sample(wh: Warehouse) -> list[str]:
    """The golden three, every 50th municipality, the smallest and the joint-projection (浜通り) members."""
    codes = [m["muni_code"] for m in wh.municipalities()]
    return sorted({*GOLDEN_CODES, *codes[::50], "13362", "07543", "07204", "47356"} & set(codes))


def texts(sections: list[Section]) -> list[str]:
    return [t for s in sections for t in (*s.texts(), *s.notes)]


def printed_numbers(fb: FactBook) -> tuple[set[str], set[str]]:
    """Numbers in the printed figures (and the printed text facts: names, periods, attributions), and the numbers
    in the facts' labels and years (ages in an indicator's name, data years)."""
    printed, context = set(), set()
    for f in fb.facts.values():
        printed.update(NUMBER.findall(f.printed))
        printed.update(NUMBER.findall(f.comparison))
        context.update(NUMBER.findall(f.label))
        context.update(NUMBER.findall(f.year))
    return printed, context


def unfound(fb: FactBook, sections: list[Section]) -> list[tuple[str, str]]:
    printed, context = printed_numbers(fb)
    missing = []
    for text in texts(sections):
        for token in NUMBER.findall(text):
            # a figure with decimals or thousands separators must be a printed figure; a bare integer may also be a
            # year or an age that a fact's label or period carries
            ok = token in printed or ("," not in token and "." not in token and token in context)
            if not ok:
                missing.append((token, text))
    return missing


def test_every_number_in_the_text_is_in_the_facts(warehouse: Warehouse) -> None:
    codes = sample(warehouse)
    assert len(codes) >= 35
    problems = {}
    for code in codes:
        fb = gather(warehouse, code)
        bad = unfound(fb, write(fb))
        if bad:
            problems[code] = bad[:3]
    assert not problems, problems


def test_the_check_catches_a_number_not_in_the_facts(warehouse: Warehouse) -> None:
    fb = gather(warehouse, "31201")
    sections = write(fb)
    sections[0].paragraphs.append("総人口は12,345.6人である。")
    assert ("12,345.6", "総人口は12,345.6人である。") in unfound(fb, sections)


def test_printed_figures_agree_with_values(warehouse: Warehouse) -> None:
    """The printed string of every numeric fact is its value rounded (the text cannot round differently)."""
    fb = gather(warehouse, "31201")
    checked = 0
    for f in fb.facts.values():
        if isinstance(f.value, float) and f.printed != "データなし":
            shown = float(f.printed.replace(",", "").replace("−", "-").replace("+", ""))
            decimals = len(f.printed.split(".")[1]) if "." in f.printed else 0
            assert shown == pytest.approx(round(f.value, decimals), abs=10**-decimals), f
            checked += 1
    assert checked > 100


def test_unknown_code_is_refused(warehouse: Warehouse) -> None:
    with pytest.raises(ValueError, match="99999"):
        gather(warehouse, "99999")
