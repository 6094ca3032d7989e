"""docs/validation/projection.md is what the validation computes from a fresh build: a change to the engine that
moves a figure fails here until the report is regenerated (python -m sousei.validation.projection)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from sousei.validation.projection import validate

REPORT = Path(__file__).resolve().parents[2] / "docs" / "validation" / "projection.md"


def _without_timing(text: str) -> list[str]:
    # the one figure that depends on the machine
    return re.sub(r"Run time for all units: \d+ ms", "Run time for all units: … ms", text).splitlines()


def test_the_projection_validation_report_is_current(warehouse_path: Path):
    computed, figures = validate(warehouse_path)
    written = REPORT.read_text(encoding="utf-8")
    diff = list(
        difflib.unified_diff(
            _without_timing(written), _without_timing(computed), "written", "computed", n=0, lineterm=""
        )
    )
    assert not diff, "docs/validation/projection.md is out of date; regenerate it:\n" + "\n".join(diff[:12])
    assert figures["median_total"] > 0 and figures["ipss2023_median"] > 0
