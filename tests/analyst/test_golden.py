"""Golden files: the facts and the narrative of 札幌市 (政令指定都市), 鳥取市 (中核市) and 日吉津村 (村), committed as
text under tests/golden/analyst/ so that a change of a figure or of the wording is reviewed as a diff.

Regenerate after an intended change (a new warehouse from issues that change the figures, or new wording):

    SOUSEI_UPDATE_GOLDEN=1 SOUSEI_TEST_DB=var/sousei.duckdb .venv/bin/pytest -q tests/analyst/test_golden.py

and review `git diff tests/golden/analyst/` before committing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from sousei.analyst.factbook import facts_text
from sousei.analyst.facts import gather
from sousei.analyst.narrative import to_text, write
from sousei.query import Warehouse

from .conftest import GOLDEN_CODES

GOLDEN_DIR = Path(__file__).parents[1] / "golden" / "analyst"
UPDATE = os.environ.get("SOUSEI_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("code", GOLDEN_CODES)
def test_facts_and_narrative_match_the_golden_files(warehouse: Warehouse, code: str) -> None:
    fb = gather(warehouse, code)
    produced = {f"{code}.facts.tsv": facts_text(fb), f"{code}.narrative.md": to_text(write(fb))}
    for name, text in produced.items():
        path = GOLDEN_DIR / name
        if UPDATE:
            GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.is_file(), f"{path} is missing: regenerate with SOUSEI_UPDATE_GOLDEN=1 (see this module)"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{name} differs from the golden file: review, then regenerate (see this module)"


def test_wording_varies_between_municipalities_but_not_between_runs(warehouse: Warehouse) -> None:
    a1, a2 = (to_text(write(gather(warehouse, "31201"))) for _ in range(2))
    assert a1 == a2
    forms = set()
    for code in ("31201", "31202", "31203", "31204", "31302", "31325", "31328", "31329"):
        text = to_text(write(gather(warehouse, code)))
        line = next(line for line in text.splitlines() if "合計特殊出生率（ベイズ推定値）" in line)
        forms.add(re.sub(r"[−+]?\d[\d,.]*", "X", line.split("。")[0]))  # the sentence form, numbers aside
    assert len(forms) >= 2, forms
