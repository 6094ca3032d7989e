"""こども家庭庁 保育所等関連状況取りまとめ 2025-04-01, 参考 sheets → core_childcare__capacity_2025, __applicants_2025.

The workbook names municipalities (都道府県 + 市区町村), never codes: rows are coded by the pair through the 2020
municipality master, and a name the master does not know stops the build. Both sheets end in a 計 row, which is
checked against the sum of the municipal rows rather than loaded.
"""

from __future__ import annotations

import re
import unicodedata

import fastexcel
import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.errors import BuildError
from sousei.pipeline.fields import field
from sousei.pipeline.reference import NAME_VARIANTS
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

FILE = "childcare/hoiku_torimatome_r7_04.xlsx"
CAPACITY_SHEET = "定員の状況"
APPLICANTS_SHEET = "申込者の状況"
# 0-based rows of the published layout: group header (row 5 in Excel), column header (row 6), first data row (row 8).
GROUP_ROW, HEADER_ROW, FIRST_DATA_ROW = 4, 5, 7
FIRST_VALUE_COLUMN = 4  # A 都道府県+市区町村, B serial number, C 都道府県, D 市区町村

FACILITIES = (
    "保育所",
    "幼保連携型認定こども園",
    "幼稚園型認定こども園等",
    "地域型保育事業",
    "特例保育等",
    "企業主導型保育事業",
    "地方単独事業",
)
CAPACITY_AGE_GROUPS = ("合計", "0歳児", "1,2歳児", "3歳以上児")
APPLICANT_AGE_GROUPS = ("合計", "0歳児", "1歳児", "2歳児", "3歳以上児")
MUNI_CODE = field("muni_code", "Municipality of 2020, matched from the published 都道府県 and 市区町村 names")

# Applicant columns: (column of the table, header as published). Using a facility, then the three groups counted as
# applicants but not as 待機児童 (the usual 「隠れ待機児童」), then 待機児童 itself.
APPLICANT_COLUMNS = (
    ("applicants", "申込者数"),
    ("using_nursery", "保育所を利用している者"),
    ("using_integrated_center", "幼保連携型認定こども園を利用している者"),
    ("using_kindergarten_center", "幼稚園型認定こども園等を利用している者"),
    ("using_community_care", "地域型保育事業を利用している者"),
    ("using_special_care", "特例保育等を利用している者"),
    ("using_company_led", "企業主導型保育事業を利用している者"),
    ("using_local_program", "地方単独事業を利用している者"),
    ("on_parental_leave", "育児休業中の者"),
    ("specific_facility_only", "特定の保育園等のみ希望している者"),
    ("job_search_suspended", "求職活動を休止している者"),
    ("waiting", "待機児童"),
)
APPLICANT_LABELS = dict(APPLICANT_COLUMNS)

CAPACITY = Table(
    name="core_childcare__capacity_2025",
    description=(
        "Capacity (定員) of licensed childcare by facility type and age group on 2025-04-01, per municipality "
        "(こども家庭庁「保育所等関連状況取りまとめ（令和7年4月1日）」参考「定員の状況」, as published; "
        "designated cities as whole cities). age_group 合計 is the published total block, not recomputed."
    ),
    columns=(
        MUNI_CODE,
        field("age_group", "Published age group: 合計 | 0歳児 | 1,2歳児 | 3歳以上児 (NFKC of the header)"),
        C("facility", "VARCHAR", "Facility type as published: " + " | ".join(FACILITIES), nullable=False),
        C("capacity", "INTEGER", "定員 (children)", nullable=False, min=0),
    ),
    key=("muni_code", "age_group", "facility"),
    coverage=Coverage(per=("age_group", "facility")),
)

APPLICANTS = Table(
    name="core_childcare__applicants_2025",
    description=(
        "Applicants for licensed childcare and what became of them on 2025-04-01, per municipality and age group "
        "(「申込者の状況」, as published). 待機児童 excludes those on parental leave, those who want only a "
        "particular facility and those who suspended their job search: the three groups usually called "
        "「隠れ待機児童」."
    ),
    columns=(
        MUNI_CODE,
        field("age_group", "Published age group: 合計 | 0歳児 | 1歳児 | 2歳児 | 3歳以上児"),
        *(C(name, "INTEGER", f"{label} (children)", nullable=False, min=0) for name, label in APPLICANT_COLUMNS),
    ),
    key=("muni_code", "age_group"),
    coverage=Coverage(per=("age_group",)),
    checks=(
        SqlCheck(
            "childcare-age-groups-add-up",
            "the published 合計 block differs from the sum of its age groups",
            """WITH s AS (
                 SELECT muni_code, sum(applicants) FILTER (WHERE age_group <> '合計') AS parts,
                        any_value(applicants) FILTER (WHERE age_group = '合計') AS total,
                        sum(waiting) FILTER (WHERE age_group <> '合計') AS waiting_parts,
                        any_value(waiting) FILTER (WHERE age_group = '合計') AS waiting_total
                 FROM core_childcare__applicants_2025 GROUP BY muni_code)
               SELECT * FROM s WHERE parts <> total OR waiting_parts <> waiting_total""",
        ),
        SqlCheck(
            "childcare-applicants-accounted-for",
            "申込者数 is not the placed (7 facility types) plus the four groups not placed",
            f"""SELECT * FROM core_childcare__applicants_2025
                WHERE applicants <> {" + ".join(name for name, _ in APPLICANT_COLUMNS[1:])}""",
        ),
    ),
)


def _label(value: object) -> str:
    """Header text as compared: NFKC (０歳児 → 0歳児) without whitespace or line breaks."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value or "")))


def _count(value: object, where: str) -> int:
    text = _label(value)
    if not re.fullmatch(r"\d+(?:\.0+)?", text):
        raise BuildError("childcare-value", f"not a count: {value!r}", file=FILE, where=where)
    return int(float(text))


def _blocks(rows: list[tuple], groups: tuple[str, ...], headers: tuple[str, ...], sheet: str) -> list[tuple[str, int]]:
    """(age group, first column) of each block, after checking every group and column header against the layout."""
    width = len(headers)
    found = []
    for k, group in enumerate(groups):
        col = FIRST_VALUE_COLUMN + k * width
        got_group = _label(rows[GROUP_ROW][col]) if col < len(rows[GROUP_ROW]) else ""
        if got_group != group:
            raise BuildError(
                "childcare-header",
                f"group {got_group!r}, expected {group!r}",
                file=FILE,
                where=f"sheet {sheet}, row {GROUP_ROW + 1}, column {col + 1}",
            )
        for j, header in enumerate(headers):
            got = _label(rows[HEADER_ROW][col + j])
            if got != header:
                raise BuildError(
                    "childcare-header",
                    f"column {got!r}, expected {header!r}",
                    file=FILE,
                    where=f"sheet {sheet}, row {HEADER_ROW + 1}, column {col + j + 1}",
                )
        found.append((group, col))
    for label, cell in (("都道府県", rows[HEADER_ROW][2]), ("市区町村", rows[HEADER_ROW][3])):
        if _label(cell) != label:
            raise BuildError(
                "childcare-header",
                f"column {cell!r}, expected {label!r}",
                file=FILE,
                where=f"sheet {sheet}, row {HEADER_ROW + 1}",
            )
    return found


def _municipal_rows(
    rows: list[tuple], codes: dict[tuple[str, str], str], sheet: str
) -> tuple[list[tuple[str, tuple]], tuple]:
    """(muni_code, row) for every municipal row, and the closing 計 row; unknown names stop the build."""
    out: list[tuple[str, tuple]] = []
    total: tuple | None = None
    for r, row in enumerate(rows[FIRST_DATA_ROW:], start=FIRST_DATA_ROW + 1):
        pref, name = _label(row[2]), _label(row[3])
        if pref == "計":
            total = row
            break
        if not pref and not name:
            continue
        code = codes.get((pref, name))
        if code is None:
            raise BuildError(
                "childcare-name",
                f"{pref} {name} is not a 2020 municipality",
                file=FILE,
                where=f"sheet {sheet}, row {r}",
            )
        out.append((code, row))
    if total is None:
        raise BuildError("childcare-format", "no closing 計 row", file=FILE, where=f"sheet {sheet}")
    seen: dict[str, int] = {}
    for code, _ in out:
        seen[code] = seen.get(code, 0) + 1
    repeated = sorted(c for c, n in seen.items() if n > 1)
    if repeated:
        raise BuildError(
            "childcare-name", f"municipalities listed twice: {repeated[:5]}", file=FILE, where=f"sheet {sheet}"
        )
    return out, total


def _check_total(sums: dict[str, int], published: dict[str, int], sheet: str) -> None:
    """The published 計 row must equal the sum of the municipal rows, column by column."""
    for column, value in published.items():
        if sums[column] != value:
            raise BuildError(
                "childcare-total",
                f"{column}: municipalities add up to {sums[column]:,}, the 計 row says {value:,}",
                file=FILE,
                where=f"sheet {sheet}",
            )


def parse_capacity(rows: list[tuple], codes: dict[tuple[str, str], str]) -> pl.DataFrame:
    blocks = _blocks(rows, CAPACITY_AGE_GROUPS, FACILITIES, CAPACITY_SHEET)
    municipal, total_row = _municipal_rows(rows, codes, CAPACITY_SHEET)
    records = []
    for code, row in municipal:
        for group, col in blocks:
            for j, facility in enumerate(FACILITIES):
                where = f"sheet {CAPACITY_SHEET}, {code} {group} {facility}"
                records.append((code, group, facility, _count(row[col + j], where)))
    frame = pl.DataFrame(
        records,
        schema={"muni_code": pl.Utf8, "age_group": pl.Utf8, "facility": pl.Utf8, "capacity": pl.Int32},
        orient="row",
    )
    for group, col in blocks:
        block = frame.filter(pl.col("age_group") == group)
        sums = {f: int(v) for f, v in block.group_by("facility").agg(pl.col("capacity").sum()).iter_rows()}
        total = {f: _count(total_row[col + j], f"sheet {CAPACITY_SHEET}, 計 {group}") for j, f in enumerate(FACILITIES)}
        _check_total(sums, total, f"{CAPACITY_SHEET} ({group})")
    return frame


def parse_applicants(rows: list[tuple], codes: dict[tuple[str, str], str]) -> pl.DataFrame:
    headers = tuple(label for _, label in APPLICANT_COLUMNS)
    blocks = _blocks(rows, APPLICANT_AGE_GROUPS, headers, APPLICANTS_SHEET)
    municipal, total_row = _municipal_rows(rows, codes, APPLICANTS_SHEET)
    names = [name for name, _ in APPLICANT_COLUMNS]
    records = []
    for code, row in municipal:
        for group, col in blocks:
            where = f"sheet {APPLICANTS_SHEET}, {code} {group}"
            records.append((code, group, *(_count(row[col + j], where) for j in range(len(names)))))
    schema = {"muni_code": pl.Utf8, "age_group": pl.Utf8, **dict.fromkeys(names, pl.Int32)}
    frame = pl.DataFrame(records, schema=schema, orient="row")
    for group, col in blocks:
        block = frame.filter(pl.col("age_group") == group)
        total = {n: _count(total_row[col + j], f"sheet {APPLICANTS_SHEET}, 計 {group}") for j, n in enumerate(names)}
        sums = {n: int(block[n].sum()) for n in names}
        _check_total(sums, total, f"{APPLICANTS_SHEET} ({group})")
    return frame


def name_to_code(municipalities: pl.DataFrame) -> dict[tuple[str, str], str]:
    """(都道府県, 市区町村) → code, names compared as NFKC without spaces, as the workbook's are.

    The spellings the master's sources disagree on (檮原町 / 梼原町) are accepted in either form.
    """
    out = {}
    for code, pref, name in municipalities.select("muni_code", "pref_name", "name").iter_rows():
        for spelling in (name, *NAME_VARIANTS.get(code, ())):
            out[(_label(pref), _label(spelling))] = code
    return out


def _sheet(reader: fastexcel.ExcelReader, name: str) -> list[tuple]:
    if name not in reader.sheet_names:
        raise BuildError("childcare-format", f"no sheet {name!r} (sheets: {reader.sheet_names})", file=FILE)
    return reader.load_sheet(name, header_row=None, dtypes="string").to_polars().rows()


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    codes = name_to_code(ctx.table("core_areas__municipalities"))
    reader = fastexcel.read_excel(ctx.path(FILE))
    return {
        CAPACITY.name: parse_capacity(_sheet(reader, CAPACITY_SHEET), codes),
        APPLICANTS.name: parse_applicants(_sheet(reader, APPLICANTS_SHEET), codes),
    }


STEP = Step(
    name="childcare",
    description="Childcare capacity and applicants (待機児童 and its hidden components) per municipality, 2025-04-01",
    sources=("childcare_waiting_2025",),
    tables=(CAPACITY, APPLICANTS),
    parse=parse,
    depends=("areas",),
)
