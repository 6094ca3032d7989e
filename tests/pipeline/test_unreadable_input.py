"""A bundle file that passes its checksum (a user replaced it and updated the sum) but cannot be decoded stops the
build with a BuildError naming the file and the line, never a trace (UnicodeDecodeError, CalamineError)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sousei.pipeline import build as build_mod
from sousei.pipeline import declarations
from sousei.pipeline.declarations import declared_sources
from sousei.pipeline.errors import BuildError
from sousei.pipeline.registry import steps

MIC_2024 = "codes/mic_code_list_2024.json"
MIC_2020 = "codes/mic_code_list_2020_R2.xlsx"
TOKYO_FILE = "national/tokyo_area_net_migration_japanese_2010_2025.csv"


def _bundle_for(step_name: str, data_dir: Path, root: Path) -> Path:
    """A bundle of links to the real files of one step's sources (a test then replaces one of them)."""
    for sid in steps()[step_name].sources:
        for rel in declared_sources()[sid].declared_files():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).symlink_to((data_dir / rel).resolve())
    return root


def _replace(bundle: Path, rel: str, data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """Put `data` in place of a bundle file and declare its checksum, as a user who updated the sum would."""
    (bundle / rel).unlink()
    (bundle / rel).write_bytes(data)
    sums = {**declarations.declared_checksums(), rel: hashlib.sha256(data).hexdigest()}
    monkeypatch.setattr(declarations, "declared_checksums", lambda: sums)


def _build(step_name: str, bundle: Path, db: Path) -> BuildError:
    with pytest.raises(BuildError) as err:
        build_mod.build(db, bundle, only=lambda s: s.name == step_name)
    assert not db.exists()
    return err.value


def test_a_shift_jis_json_where_utf8_is_expected_names_the_file_and_line(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = _bundle_for("areas", data_dir, tmp_path / "bundle")
    text = (data_dir / MIC_2024).read_text(encoding="utf-8")
    _replace(bundle, MIC_2024, text.encode("cp932"), monkeypatch)
    err = _build("areas", bundle, tmp_path / "w.duckdb")
    assert err.check == "encoding"
    assert err.file == MIC_2024
    first_kanji_line = next(i for i, line in enumerate(text.splitlines(), 1) if any(ord(c) > 0x7F for c in line))
    assert err.where == f"line {first_kanji_line}"
    assert "Shift-JIS" in str(err) and "not utf-8 text" in str(err)


def test_a_shift_jis_csv_names_the_file_and_line(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = _bundle_for("tokyo_area_migration", data_dir, tmp_path / "bundle")
    text = (data_dir / TOKYO_FILE).read_text(encoding="utf-8")
    _replace(bundle, TOKYO_FILE, text.encode("cp932"), monkeypatch)
    err = _build("tokyo_area_migration", bundle, tmp_path / "w.duckdb")
    assert (err.check, err.file, err.where) == ("encoding", TOKYO_FILE, "line 1")


def test_a_damaged_xlsx_member_names_the_workbook(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = _bundle_for("areas", data_dir, tmp_path / "bundle")
    data = bytearray((data_dir / MIC_2020).read_bytes())
    member = data.find(b"xl/worksheets/sheet1.xml") + 64  # inside the sheet's compressed stream
    for i in range(member + 100, member + 400):
        data[i] ^= 0x55
    _replace(bundle, MIC_2020, bytes(data), monkeypatch)
    err = _build("areas", bundle, tmp_path / "w.duckdb")
    assert err.check == "excel"
    assert err.file == MIC_2020
    assert "cannot be read" in str(err)
