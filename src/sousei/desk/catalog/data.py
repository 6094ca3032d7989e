"""The committed data files of the 好事例 catalog: cases, the 基本構想's five pillars and its KPI targets.

They are read and checked here (one loader per file); a file that breaks a rule stops with a message naming the
record and the field, so a bad edit never reaches the desk half-loaded.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from sousei.desk.policy_fields import BY_ID as POLICY_FIELDS

HERE = Path(__file__).parent
CASES_FILE = HERE / "cases.toml"
PILLARS_FILE = HERE / "pillars.toml"
TARGETS_FILE = HERE / "kpi_targets.toml"
DECK_NAMES_FILE = HERE / "deck_case_names.txt"

CASE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
MUNI_CODE = re.compile(r"^\d{5}$")
PREF_CODE = re.compile(r"^(0[1-9]|[1-3]\d|4[0-7])$")
TARGET_KINDS = ("at_least", "at_most", "milestone")


class CatalogDataError(ValueError):
    """A catalog data file breaks one of its rules."""


@dataclass(frozen=True)
class Pillar:
    id: int
    name: str
    short: str


@dataclass(frozen=True)
class Case:
    id: str
    deck_name: str
    name: str
    place: str
    muni_codes: tuple[str, ...]
    pref_codes: tuple[str, ...]
    region: str
    pillar: int
    themes: tuple[str, ...]
    combination: tuple[str, ...]
    summary: str
    deck_page: int | None

    def as_record(self) -> dict[str, Any]:
        """The case as plain values (what the desk stores and versions)."""
        return case_record(self)


# A case's editable content, in the order the desk's versions and audit log keep it.
CASE_FIELDS = (
    "id",
    "name",
    "deck_name",
    "place",
    "muni_codes",
    "pref_codes",
    "region",
    "pillar",
    "themes",
    "combination",
    "summary",
    "deck_page",
)


def case_record(case: Any) -> dict[str, Any]:
    """A case of the catalog file or a desk row as plain values (sequences as lists, as JSON stores them)."""
    return {f: list(v) if isinstance(v, list | tuple) else v for f in CASE_FIELDS for v in (getattr(case, f),)}


@dataclass(frozen=True)
class Target:
    id: str
    pillar: int
    measure: str
    indicator: str
    unit: str
    baseline: float | None
    baseline_year: int | None
    target: float | None
    target_kind: str
    target_period: str
    target_date: date | None
    statement: str
    deck_page: int

    @property
    def is_numeric(self) -> bool:
        return self.target_kind != "milestone" and self.target is not None


def _fail(where: str, message: str) -> CatalogDataError:
    return CatalogDataError(f"{where}: {message}")


def _text(rec: dict[str, Any], key: str, where: str, required: bool = True) -> str:
    value = rec.get(key, "")
    if not isinstance(value, str):
        raise _fail(where, f"{key} must be text, got {value!r}")
    if required and not value.strip():
        raise _fail(where, f"{key} is empty")
    return value.strip()


def _codes(rec: dict[str, Any], key: str, pattern: re.Pattern[str], where: str) -> tuple[str, ...]:
    value = rec.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and pattern.match(v) for v in value):
        raise _fail(where, f"{key} must be a list of codes like {pattern.pattern}, got {value!r}")
    return tuple(value)


def validate_case(rec: dict[str, Any], pillar_ids: set[int], where: str = "case") -> Case:
    """One case record (from the file or from the desk's form) checked and turned into a Case."""
    case_id = rec.get("id")
    if not isinstance(case_id, str) or not CASE_ID.match(case_id):
        raise _fail(where, f"id must be lower-case letters, digits and '-', got {case_id!r}")
    where = f"{where} {case_id}"
    pillar = rec.get("pillar")
    if pillar not in pillar_ids:
        raise _fail(where, f"pillar must be one of {sorted(pillar_ids)}, got {pillar!r}")
    themes = rec.get("themes", [])
    if not isinstance(themes, list) or not themes:
        raise _fail(where, "themes must be a non-empty list of policy-field ids")
    unknown = [t for t in themes if t not in POLICY_FIELDS]
    if unknown:
        raise _fail(where, f"unknown theme(s) {unknown}: use the ids of sousei.desk.policy_fields")
    combination = rec.get("combination", [])
    if not isinstance(combination, list) or not all(isinstance(c, str) and c for c in combination):
        raise _fail(where, f"combination must be a list of field names, got {combination!r}")
    muni_codes = _codes(rec, "muni_codes", MUNI_CODE, where)
    pref_codes = _codes(rec, "pref_codes", PREF_CODE, where)
    if not muni_codes and not pref_codes:
        raise _fail(where, "a case needs a municipality code or a prefecture code")
    stray = [c for c in muni_codes if c[:2] not in pref_codes]
    if stray:
        raise _fail(where, f"municipality code(s) {stray} lie outside pref_codes {list(pref_codes)}")
    page = rec.get("deck_page")
    if page is not None and (not isinstance(page, int) or page < 1):
        raise _fail(where, f"deck_page must be a positive slide number, got {page!r}")
    return Case(
        id=case_id,
        deck_name=_text(rec, "deck_name", where, required=False),
        name=_text(rec, "name", where),
        place=_text(rec, "place", where),
        muni_codes=muni_codes,
        pref_codes=pref_codes,
        region=_text(rec, "region", where, required=False),
        pillar=pillar,
        themes=tuple(themes),
        combination=tuple(combination),
        summary=_text(rec, "summary", where),
        deck_page=page,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise CatalogDataError(f"{path.name}: not valid TOML ({e})") from None


@cache
def pillars() -> tuple[Pillar, ...]:
    data = _read_toml(PILLARS_FILE)
    out = tuple(Pillar(int(p["id"]), str(p["name"]), str(p["short"])) for p in data.get("pillar", []))
    if [p.id for p in out] != [1, 2, 3, 4, 5]:
        raise CatalogDataError(f"{PILLARS_FILE.name}: the five pillars 1..5 in order are expected")
    return out


def pillar_name(pillar_id: int) -> str:
    return next((p.name for p in pillars() if p.id == pillar_id), str(pillar_id))


@cache
def catalog_version() -> str:
    return str(_read_toml(CASES_FILE)["version"])


@cache
def deck_cases() -> tuple[Case, ...]:
    """The cases of cases.toml (the deck's 好事例), checked."""
    data = _read_toml(CASES_FILE)
    ids = {p.id for p in pillars()}
    out = tuple(validate_case(rec, ids, f"{CASES_FILE.name} case #{i + 1}") for i, rec in enumerate(data["case"]))
    seen: set[str] = set()
    for c in out:
        if c.id in seen:
            raise CatalogDataError(f"{CASES_FILE.name}: id {c.id} is used twice")
        seen.add(c.id)
    return out


def deck_case_names() -> list[str]:
    """The committed list of the deck's case labels (deck_case_names.txt)."""
    lines = DECK_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def _number(rec: dict[str, Any], key: str, where: str) -> float | None:
    value = rec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(where, f"{key} must be a number, got {value!r}")
    return float(value)


@cache
def targets() -> tuple[Target, ...]:
    """The 基本構想's KPI targets (kpi_targets.toml), checked."""
    data = _read_toml(TARGETS_FILE)
    ids = {p.id for p in pillars()}
    out: list[Target] = []
    for i, rec in enumerate(data["target"]):
        where = f"{TARGETS_FILE.name} target {rec.get('id', '#' + str(i + 1))}"
        kind = rec.get("target_kind")
        if kind not in TARGET_KINDS:
            raise _fail(where, f"target_kind must be one of {TARGET_KINDS}, got {kind!r}")
        if rec.get("pillar") not in ids:
            raise _fail(where, f"pillar must be one of {sorted(ids)}")
        target = _number(rec, "target", where)
        if kind != "milestone" and target is None:
            raise _fail(where, "a numeric target needs `target`")
        raw_date = rec.get("target_date")
        try:
            target_date = date.fromisoformat(raw_date) if raw_date else None
        except ValueError:
            raise _fail(where, f"target_date must be YYYY-MM-DD, got {raw_date!r}") from None
        out.append(
            Target(
                id=_text(rec, "id", where),
                pillar=rec["pillar"],
                measure=_text(rec, "measure", where),
                indicator=_text(rec, "indicator", where),
                unit=_text(rec, "unit", where, required=False),
                baseline=_number(rec, "baseline", where),
                baseline_year=rec.get("baseline_year"),
                target=target,
                target_kind=kind,
                target_period=_text(rec, "target_period", where),
                target_date=target_date,
                statement=_text(rec, "statement", where),
                deck_page=int(rec["deck_page"]),
            )
        )
    if len({t.id for t in out}) != len(out):
        raise CatalogDataError(f"{TARGETS_FILE.name}: a target id is used twice")
    return tuple(out)


def targets_decided_on() -> date:
    """The 基本構想's decision date: the start of a straight path whose baseline has no year."""
    return date.fromisoformat(str(_read_toml(TARGETS_FILE)["decided_on"]))
