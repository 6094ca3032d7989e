"""Input a parser cannot even decode (wrong text encoding, broken JSON, a damaged Excel file) as a BuildError that
names the file and, where it can be known, the line.

Checksums make this rare (the published files decode), but a user who replaces a file and updates its checksum, or
a bundle file saved again in another encoding, must get the same kind of message as any other parse error, not a
trace. Steps read through `StepContext.path`, which records what they opened; the failing file is found among those.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import fastexcel

from sousei.pipeline.errors import BuildError

# Errors of decoding a file's bytes, as opposed to a parser's own logic (which stays a trace: it is a bug).
UNREADABLE_INPUT: tuple[type[Exception], ...] = (
    UnicodeDecodeError,
    json.JSONDecodeError,
    fastexcel.FastExcelError,
    zipfile.BadZipFile,
)
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def unreadable_input(exc: Exception, data_dir: Path, opened: list[str]) -> BuildError:
    """The BuildError for `exc` (one of UNREADABLE_INPUT) raised while reading the files `opened` (in order)."""
    if isinstance(exc, UnicodeDecodeError):
        return _undecodable(exc, data_dir, opened)
    if isinstance(exc, json.JSONDecodeError):
        rel = _last(opened, (".json",))
        return BuildError(
            "json", f"not valid JSON: {exc.msg}", file=rel, where=f"line {exc.lineno}, column {exc.colno}"
        )
    rel = _last(opened, EXCEL_SUFFIXES)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return BuildError("excel", f"the workbook cannot be read (damaged or not an Excel file): {first}", file=rel)


def _undecodable(exc: UnicodeDecodeError, data_dir: Path, opened: list[str]) -> BuildError:
    bad = bytes(exc.object[exc.start : exc.start + 4])
    hint = " (it looks like Shift-JIS/cp932)" if _is_cp932(bytes(exc.object)) else ""
    message = f"not {exc.encoding} text{hint}: bytes {bad!r} at offset {exc.start} cannot be decoded ({exc.reason})"
    for rel in reversed(opened):
        try:
            data = (data_dir / rel).read_bytes()
        except OSError:
            continue
        at = data.find(bytes(exc.object)) if exc.object else -1
        if at >= 0:
            offset = at + exc.start
            line = data.count(b"\n", 0, offset) + 1
            return BuildError(
                "encoding", message.replace(f"offset {exc.start}", f"offset {offset}"), file=rel, where=f"line {line}"
            )
    return BuildError("encoding", message, file=opened[-1] if opened else None)


def _is_cp932(data: bytes) -> bool:
    try:
        data.decode("cp932")
    except UnicodeDecodeError:
        return False
    return True


def _last(opened: list[str], suffixes: tuple[str, ...]) -> str | None:
    for rel in reversed(opened):
        if rel.lower().endswith(suffixes):
            return rel
    return opened[-1] if opened else None
