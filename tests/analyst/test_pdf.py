"""The PDF: A4, Japanese fonts embedded, text extractable (pdftotext finds the name and the section titles), and the
first pages rendered to PNG in the screenshot folder (pdftoppm) for a person to look at."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from sousei.analyst.narrative import SECTIONS
from sousei.analyst.pdf import Printer
from sousei.analyst.report import build, write_files
from sousei.query import Warehouse

SHOTS = Path(os.environ.get("SOUSEI_SCREENSHOTS", tempfile.gettempdir())) / "sousei-screenshots"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: bash scripts/system-packages.sh installs poppler-utils")
    return path


@pytest.fixture(scope="module")
def pdfs(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    with Printer() as printer:
        return {code: write_files(build(warehouse, code), out, printer)["pdf"] for code in ("31384", "01100")}


@pytest.mark.parametrize("code", ["31384", "01100"])
def test_pdf_text_has_the_name_and_every_section(pdfs: dict[str, Path], warehouse: Warehouse, code: str) -> None:
    text = subprocess.run([need("pdftotext"), "-layout", str(pdfs[code]), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    name = warehouse.municipality(code)["name"]  # type: ignore[index]
    assert name in text
    for _, title in SECTIONS:
        assert title in text, title
    assert "データなし（この団体" not in text or code == "31384"  # a city has every chart's data


def test_pdf_is_a4_with_embedded_fonts(pdfs: dict[str, Path]) -> None:
    info = subprocess.run([need("pdfinfo"), str(pdfs["31384"])], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 4 <= pages <= 20
    fonts = subprocess.run([need("pdffonts"), str(pdfs["31384"])], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows)  # every font embedded


def test_first_pages_rendered_to_png(pdfs: dict[str, Path]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    prefix = SHOTS / "report-31384"
    subprocess.run([need("pdftoppm"), "-png", "-r", "70", "-f", "1", "-l", "3", str(pdfs["31384"]), str(prefix)],
                   check=True)  # fmt: skip
    pngs = sorted(SHOTS.glob("report-31384-*.png"))
    assert len(pngs) >= 3 and all(p.stat().st_size > 10_000 for p in pngs)
