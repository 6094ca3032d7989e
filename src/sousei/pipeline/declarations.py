"""The project's declaration of each source (sources.toml) and of each file's sha256 (checksums.sha256)."""

from __future__ import annotations

import fnmatch
import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sousei.pipeline.errors import BuildError

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    producer: str
    official: str
    license: str
    attribution: str
    vintage: str
    files: tuple[str, ...]
    via: str = ""

    def declared_files(self) -> list[str]:
        """The bundle paths (relative) this source owns, from the checksum declaration."""
        sums = declared_checksums()
        return sorted(p for p in sums if any(fnmatch.fnmatchcase(p, g) for g in self.files))


@cache
def declared_sources() -> dict[str, Source]:
    raw = tomllib.loads((HERE / "sources.toml").read_text(encoding="utf-8"))
    return {
        sid: Source(
            id=sid,
            title=v["title"],
            producer=v["producer"],
            official=v.get("official", ""),
            license=v["license"],
            attribution=v["attribution"],
            vintage=v["vintage"],
            files=tuple(v["files"]),
            via=v.get("via", ""),
        )
        for sid, v in raw.items()
    }


@cache
def declared_checksums() -> dict[str, str]:
    sums: dict[str, str] = {}
    for line in (HERE / "checksums.sha256").read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, path = line.split(maxsplit=1)
            sums[path.strip()] = digest
    return sums


def source(source_id: str) -> Source:
    try:
        return declared_sources()[source_id]
    except KeyError:
        raise BuildError("declaration", f"unknown source id {source_id!r}") from None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_source_files(data_dir: Path, src: Source) -> dict[str, str]:
    """Hash every file of a source; stop on a missing file, a changed checksum or an undeclared file."""
    files = src.declared_files()
    if not files:
        raise BuildError("declaration", f"source {src.id} declares no files matching {list(src.files)}")
    sums = declared_checksums()
    found: dict[str, str] = {}
    for rel in files:
        path = data_dir / rel
        if not path.is_file():
            raise BuildError("missing-file", f"source {src.id} needs this file, but it is not in {data_dir}", file=rel)
        digest = sha256_file(path)
        if digest != sums[rel]:
            raise BuildError(
                "checksum",
                f"sha256 is {digest}, declared {sums[rel]}: the file differs from the published one",
                file=rel,
            )
        found[rel] = digest
    # A file that matches the source's globs but has no declared checksum is unknown input: refuse it.
    for glob in src.files:
        for path in sorted(data_dir.glob(glob)):
            rel = path.relative_to(data_dir).as_posix()
            if path.is_file() and rel not in sums:
                raise BuildError("undeclared-file", f"belongs to source {src.id} but has no declared sha256", file=rel)
    return found
