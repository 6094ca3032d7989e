"""Areas master and code crosswalks (code lists, census 2020 units, peer groups, Kondo converter) → core_areas__*."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import polars as pl

from sousei.kana import to_hiragana
from sousei.pipeline import crosswalk
from sousei.pipeline.codes import is_valid_code6, to_code6
from sousei.pipeline.context import StepContext
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

MIC_2020 = "codes/mic_code_list_2020_R2.xlsx"
MIC_2024 = "codes/mic_code_list_2024.json"
CHANGES = "codes/estat_municipal_changes_1970_2024.json"
STANDARD = "codes/estat_standard_area_codes_2016.json"
CONVERTER = "codes/municipality_converter_jp.csv"
PEERS = "peers/FITS-M-List.csv"
CENSUS = "census/2020/population_census_2020.csv"
# SSDSE-A 2022 edition: its B1101/B1103 columns are the areas of 2020 (row 2 of the file says so; checked at parse).
SSDSE_AREA = "ssdse_a/SSDSE-A-2022.csv"

CENSUS_DATE = dt.date(2020, 10, 1)
STANDARD_VINTAGE = dt.date(2016, 10, 10)
KINDS = ("政令指定都市", "中核市", "市", "特別区", "町", "村")
# Names that differ between the census list and the MIC / peer lists only by a character variant (census form first).
NAME_VARIANTS = {"39405": ("檮原町", "梼原町")}
_PEER_FULLWIDTH = str.maketrans("－０１２３４５６７８９", "-0123456789")
# 2006-03-01 上九一色村 was divided: 大字梯・古関 to 甲府市, 大字精進・本栖・富士ヶ嶺 to 富士河口湖町
# (the only division of a municipality between two 2020 municipalities since 1970 in the 統計LOD lists).
# A new one must be noticed.
PINNED_SPLITS = frozenset({"19341"})

MUNICIPALITIES = Table(
    name="core_areas__municipalities",
    description=(
        "The 1,741 municipalities of the 2020 census (1,718 市町村 with the 20 政令指定都市 as whole cities "
        "+ 23 特別区), "
        "with codes, names, readings, kind, peer group (類似団体区分) and area."
    ),
    columns=(
        C("muni_code", "VARCHAR", '5-character 全国地方公共団体コード without check digit ("01100")', nullable=False),
        C(
            "code6",
            "VARCHAR",
            '6-digit code with check digit, as in the MIC code list of 2020 ("011002")',
            nullable=False,
        ),
        C("pref_code", "VARCHAR", "2-character prefecture code", nullable=False),
        C("pref_name", "VARCHAR", "Prefecture name (北海道, 東京都, …)", nullable=False),
        C(
            "name",
            "VARCHAR",
            "Municipality name as in the 2020 census (札幌市); the MIC list writes 39405 檮原町 as 梼原町",
            nullable=False,
        ),
        C(
            "name_kana",
            "VARCHAR",
            "Reading in hiragana, converted from the half-width katakana of the MIC list of 2020",
        ),
        C(
            "name_en",
            "VARCHAR",
            "English name from the e-Stat standard area code list (vintage 2016-10-10); NULL where that list lacks the "
            "code (04216 富谷市 is there, 40231 那珂川市 of 2018 is not)",
        ),
        C(
            "kind",
            "VARCHAR",
            "政令指定都市 | 中核市 | 市 | 特別区 | 町 | 村. 中核市 as designated in the peer-group edition "
            "(about FY2022–23, 62 cities): the bundle does not date designations, so cities designated "
            "between 2020-10-01 and that edition are 中核市 here",
            nullable=False,
        ),
        C(
            "peer_group",
            "VARCHAR",
            "類似団体区分 (総務省, edition about FY2022–23): 政令指定都市, 中核市, 施行時特例市, 特別区, "
            "都市Ⅰ-0 … 町村Ⅴ-2 "
            "(the file's full-width dash and digits written as ASCII)",
            nullable=False,
        ),
        C("is_peer_unselected", "BOOLEAN", "Marked ※ (非選定) in the peer-group list", nullable=False),
        C(
            "area_km2",
            "DOUBLE",
            "Total area in km2 (総面積, 北方地域及び竹島を除く), 2020: SSDSE-A 2022 edition item B1101 (ha) / 100",
            min=0,
        ),
        C(
            "habitable_area_km2",
            "DOUBLE",
            "Habitable area in km2 (可住地面積), 2020: SSDSE-A 2022 edition item B1103 (ha) / 100",
            min=0,
        ),
    ),
    key=("muni_code",),
    checks=(
        SqlCheck(
            "municipality-count",
            "not the 1,741 municipalities of 2020 (23 特別区, 20 政令指定都市, 792 市, 743 町, 183 村)",
            """SELECT * FROM (
                 SELECT count(*) AS total,
                        count(*) FILTER (kind = '特別区') AS special_wards,
                        count(*) FILTER (kind = '政令指定都市') AS designated,
                        count(*) FILTER (kind IN ('政令指定都市', '中核市', '市')) AS cities,
                        count(*) FILTER (kind = '町') AS towns,
                        count(*) FILTER (kind = '村') AS villages
                 FROM core_areas__municipalities)
               WHERE (total, special_wards, designated, cities, towns, villages) <> (1741, 23, 20, 792, 743, 183)""",
        ),
        SqlCheck(
            "code6-check-digit",
            "code6 is not muni_code followed by a digit",
            "SELECT * FROM core_areas__municipalities WHERE left(code6, 5) <> muni_code OR length(code6) <> 6 "
            "OR left(muni_code, 2) <> pref_code",
        ),
        SqlCheck(
            "kind-known",
            "kind outside the six kinds",
            "SELECT * FROM core_areas__municipalities WHERE kind NOT IN " + str(KINDS),
        ),
        SqlCheck(
            "areas-sum",
            "municipal areas do not sum to about Japan's 377,976 km2 less the 北方地域 and 竹島 (about 372,970 km2)",
            "SELECT sum(area_km2) AS s FROM core_areas__municipalities HAVING s NOT BETWEEN 372000 AND 374000",
        ),
    ),
)

AREAS = Table(
    name="core_areas__areas",
    description=(
        "Every area unit of the 2020 census: Japan, 47 prefectures, 1,741 municipalities and the 175 wards of the 20 "
        "designated cities (浜松市 with its 7 wards of 2020, before the 2024-01-01 reorganisation)."
    ),
    columns=(
        C(
            "area_code",
            "VARCHAR",
            "5-character code: 00000 Japan, 01000 a prefecture, a municipality or a ward",
            nullable=False,
        ),
        C("code6", "VARCHAR", "6-digit code with check digit; NULL for Japan"),
        C("level", "VARCHAR", "country | prefecture | municipality | ward", nullable=False),
        C("name", "VARCHAR", "Name as in the 2020 census (wards with their city: 札幌市中央区)", nullable=False),
        C("name_kana", "VARCHAR", "Reading in hiragana (wards: the city's reading followed by the ward's)"),
        C(
            "name_en",
            "VARCHAR",
            "English name from the e-Stat standard area code list (wards: city and ward, 'Sapporo-shi Chuo-ku'); "
            "NULL where absent (Japan, prefectures, 40231)",
        ),
        C("kind", "VARCHAR", "全国 | 都道府県 | the municipality kind | 区", nullable=False),
        C(
            "parent_code",
            "VARCHAR",
            "The area one level up (ward → city, municipality → prefecture, prefecture → 00000)",
        ),
        C("pref_code", "VARCHAR", "2-character prefecture code; NULL for Japan"),
    ),
    key=("area_code",),
    checks=(
        SqlCheck(
            "area-levels",
            "not 1 country, 47 prefectures, 1,741 municipalities and 175 wards",
            """SELECT level, count(*) AS n FROM core_areas__areas GROUP BY level
               HAVING (level, count(*)) NOT IN (('country', 1), ('prefecture', 47), ('municipality', 1741),
                                                ('ward', 175))""",
        ),
        SqlCheck(
            "area-parents",
            "a parent that is not an area one level up",
            """SELECT a.* FROM core_areas__areas a LEFT JOIN core_areas__areas p ON p.area_code = a.parent_code
               WHERE (a.level = 'country') <> (a.parent_code IS NULL)
                  OR (a.level = 'prefecture' AND p.level <> 'country')
                  OR (a.level = 'municipality' AND p.level <> 'prefecture')
                  OR (a.level = 'ward' AND (p.level <> 'municipality' OR p.kind <> '政令指定都市'))""",
        ),
        SqlCheck(
            "area-municipalities",
            "municipality rows differ from core_areas__municipalities",
            """SELECT a.area_code FROM core_areas__areas a FULL JOIN core_areas__municipalities m
                 ON a.area_code = m.muni_code AND a.name = m.name AND a.kind = m.kind
               WHERE (a.level = 'municipality' OR a.level IS NULL) AND (a.area_code IS NULL OR m.muni_code IS NULL)""",
        ),
    ),
)

CONVERTER_TABLE = Table(
    name="core_areas__converter",
    description=(
        "Kondo's municipality converter in long form: each code at each census 1980–2020 and the 2020 municipality it "
        "belongs to. The converter assigns every municipality wholly to one 2020 municipality; the one division across "
        "2020 municipalities (19341 上九一色村, 2006) it assigns to 19201 甲府市 (is_split marks it, share stays 1.0)."
    ),
    columns=(
        C("census_year", "INTEGER", "Census year (1980, 1985, …, 2020)", nullable=False, min=1980, max=2020),
        C(
            "code",
            "VARCHAR",
            "5-character municipal code in that year (designated cities as whole cities)",
            nullable=False,
        ),
        C("name", "VARCHAR", "Name in that year as the converter writes it (prefecture, 支庁/郡 and municipality)"),
        C("muni_code", "VARCHAR", "The 2020 municipality (5 characters)", nullable=False),
        C("muni_name", "VARCHAR", "Name of the 2020 municipality as the converter writes it"),
        C("share", "DOUBLE", "Share of the code assigned to muni_code: always 1.0 in the converter", min=0, max=1),
        C("is_split", "BOOLEAN", "The code was later divided between several 2020 municipalities", nullable=False),
        C(
            "notes",
            "VARCHAR",
            "The converter's notes on mergers, designations, name and boundary changes (joined by ' / ')",
        ),
    ),
    key=("census_year", "code"),
    coverage=Coverage(per=("census_year",), where="census_year = 2020"),
    checks=(
        SqlCheck(
            "converter-2020-identity",
            "in 2020 the converter maps a code to another code",
            "SELECT * FROM core_areas__converter WHERE census_year = 2020 AND code <> muni_code",
        ),
        SqlCheck(
            "converter-targets",
            "a converter target that is not a 2020 municipality",
            "SELECT * FROM core_areas__converter "
            "WHERE muni_code NOT IN (SELECT muni_code FROM core_areas__municipalities)",
        ),
    ),
)

CHANGES_TABLE = Table(
    name="core_areas__changes",
    description=(
        "Dated changes of municipal (and ward and 郡) codes 1970-04-01 – 2024-01-01 from e-Stat 統計LOD: one row per "
        "(old code, new code) pair of a change."
    ),
    columns=(
        C("change_date", "DATE", "Date the change took effect", nullable=False),
        C(
            "reason",
            "VARCHAR",
            "Reason key as published (absorption, establishmentOfNewMunicipalityByMerging, …)",
            nullable=False,
        ),
        C(
            "reason_ja",
            "VARCHAR",
            "Reason in Japanese (編入合併, 新設合併, …) from the file's own legend",
            nullable=False,
        ),
        C("old_code", "VARCHAR", "5-character code before the change", nullable=False),
        C("old_name", "VARCHAR", "Name before the change"),
        C("new_code", "VARCHAR", "5-character code after the change", nullable=False),
        C("new_name", "VARCHAR", "Name after the change"),
        C("is_district", "BOOLEAN", "The change concerns a 郡 (district), not a municipality or ward", nullable=False),
        C(
            "seq",
            "INTEGER",
            "Position of the change in the published list (keeps repeated pairs apart)",
            nullable=False,
        ),
    ),
    key=("seq",),
)

CODE_TO_2020 = Table(
    name="core_areas__code_to_2020",
    description=(
        "Every municipal and ward code valid at some time 1970-04-01 – 2024-01-01 (except the 6 北方領土 "
        "villages 01695–01700, which no census covers), with its validity interval, mapped "
        "to the 2020 municipalities. Wards map to their city; codes created after 2020-10-01 map back to the 2020 "
        "municipality they came from. share is 1.0 except for a municipality divided between several 2020 "
        "municipalities (19341 上九一色村): each part gets the share of the divided municipality's census 2020 "
        "population living in it (the census lists the parts: ［北部］ 208 persons in 甲府市, ［南部］ 894 in "
        "富士河口湖町)."
    ),
    columns=(
        C("code", "VARCHAR", "5-character municipal or ward code", nullable=False),
        C(
            "valid_from",
            "DATE",
            "First day the code was valid (1970-04-01 if it was already valid then)",
            nullable=False,
        ),
        C("valid_to", "DATE", "First day it was no longer valid; NULL = still valid on 2024-01-01"),
        C("muni_code", "VARCHAR", "The 2020 municipality (5 characters)", nullable=False),
        C("share", "DOUBLE", "Share of the code's area/population assigned to muni_code", nullable=False, min=0, max=1),
        C("name", "VARCHAR", "Name of the code during the interval (latest version)"),
        C("is_ward", "BOOLEAN", "The code is a ward (区) of a designated city", nullable=False),
    ),
    key=("code", "valid_from", "muni_code"),
    coverage=Coverage(
        where="valid_from <= DATE '2020-10-01' AND (valid_to IS NULL OR valid_to > DATE '2020-10-01') AND NOT is_ward"
    ),
    checks=(
        SqlCheck(
            "shares-sum-to-one",
            "shares of a code interval do not sum to 1",
            """SELECT code, valid_from, sum(share) AS s FROM core_areas__code_to_2020 GROUP BY ALL
               HAVING abs(sum(share) - 1) > 1e-9""",
        ),
        SqlCheck(
            "intervals-disjoint",
            "two intervals of one code overlap",
            """SELECT a.code, a.valid_from, b.valid_from FROM
                 (SELECT DISTINCT code, valid_from, valid_to FROM core_areas__code_to_2020) a
               JOIN (SELECT DISTINCT code, valid_from, valid_to FROM core_areas__code_to_2020) b
                 ON a.code = b.code AND a.valid_from < b.valid_from
                AND (a.valid_to IS NULL OR a.valid_to > b.valid_from)""",
        ),
        SqlCheck(
            "2020-identity",
            "a 2020 municipality does not map to itself on 2020-10-01",
            """SELECT m.muni_code FROM core_areas__municipalities m
               LEFT JOIN core_areas__code_to_2020 c ON c.code = m.muni_code AND c.valid_from <= DATE '2020-10-01'
                 AND (c.valid_to IS NULL OR c.valid_to > DATE '2020-10-01')
               WHERE c.muni_code IS DISTINCT FROM m.muni_code OR c.share <> 1""",
        ),
        SqlCheck(
            "converter-agrees",
            "the code list mapping disagrees with Kondo's converter on a census date (other than pinned divisions)",
            """SELECT v.census_year, v.code, v.muni_code AS converter, c.muni_code AS code_list
               FROM core_areas__converter v
               LEFT JOIN core_areas__code_to_2020 c ON c.code = v.code
                 AND c.valid_from <= make_date(v.census_year, 10, 1)
                 AND (c.valid_to IS NULL OR c.valid_to > make_date(v.census_year, 10, 1))
                 AND c.muni_code = v.muni_code
               WHERE c.code IS NULL AND NOT v.is_split""",
        ),
    ),
)


# ---------------------------------------------------------------------------------------------------------- readers


def _read_mic_2020(ctx: StepContext) -> pl.DataFrame:
    sheets = pl.read_excel(ctx.path(MIC_2020), sheet_id=0, has_header=False, infer_schema_length=0)
    if len(sheets) != 1:
        raise ctx.fail("header", f"expected one sheet, found {list(sheets)}", file=MIC_2020)
    raw = next(iter(sheets.values()))
    header = [str(v).replace("\n", "") for v in raw.row(0)]
    expected = ["団体コード", "都道府県名（漢字）", "市区町村名（漢字）", "都道府県名（カナ）", "市区町村名（カナ）"]
    if header != expected:
        raise ctx.fail("header", f"header {header}, expected {expected}", file=MIC_2020, where="row 1")
    df = raw.slice(1).rename(dict(zip(raw.columns, ["code6", "pref_name", "name", "pref_kana", "kana"], strict=True)))
    for i, code6 in enumerate(df["code6"].to_list(), start=2):
        if code6 is None or not is_valid_code6(code6):
            raise ctx.fail(
                "code",
                f"団体コード {code6!r} is not a 6-digit code with a valid check digit",
                file=MIC_2020,
                where=f"row {i}",
            )
    return df.with_columns(pl.col("code6").str.slice(0, 5).alias("code"))


def _read_census_units(ctx: StepContext) -> list[tuple[str, str]]:
    """(code, name) of every area row of table 2-7-1 (total sex, total nationality), in published order."""
    return [(code, name) for code, name, _ in _read_census_rows(ctx)]


# A part of a divided 2000-boundary municipality in the census list: 「（旧：上九一色村［北部］）」.
_OLD_PART = re.compile(r"^（旧：(?P<name>[^［）]+)［(?P<part>[^］]+)］）$")


def _census_split_parts(ctx: StepContext, municipalities: set[str]) -> dict[str, dict[str, float]]:
    """Old municipality name → {2020 municipality: persons} for the 2000-boundary municipalities the census lists in
    parts (「（旧：上九一色村［北部］）」 208 persons under 19201 甲府市, 「［南部］」 894 under 19430
    富士河口湖町): each 「（旧：…）」 row follows the 2020 municipality it lies in."""
    parts: dict[str, dict[str, float]] = {}
    current: str | None = None
    for code, name, persons in _read_census_rows(ctx):
        if code in municipalities:
            current = code
            continue
        m = _OLD_PART.match(name)
        if m is None:
            continue
        if current is None or not persons.strip().isdigit():
            raise ctx.fail("split", f"part {name} ({code}): no municipality before it or no population", file=CENSUS)
        by_muni = parts.setdefault(m["name"], {})
        by_muni[current] = by_muni.get(current, 0.0) + float(persons)
    return parts


def _read_census_rows(ctx: StepContext) -> list[tuple[str, str, str]]:
    """(code, name, total persons as published) of every area row of table 2-7-1 (total sex, total nationality)."""
    text = ctx.path(CENSUS).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header_at = next((i for i, r in enumerate(rows) if r[:2] == ["表章事項 コード", "表章事項"]), None)
    if header_at is None:
        raise ctx.fail("header", "no header row starting 表章事項 コード", file=CENSUS)
    header = rows[header_at]
    if (
        header[8] != "全国，都道府県，市区町村（2000年市区町村含む） コード"
        or header[4] != "男女 コード"
        or header[11] != "総数"
    ):
        raise ctx.fail(
            "header",
            f"columns 5, 9 and 12 are {header[4]!r}, {header[8]!r}, {header[11]!r}",
            file=CENSUS,
            where=f"line {header_at + 1}",
        )
    units = []
    for i, r in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not r:
            continue
        if len(r) != len(header):
            raise ctx.fail("shape", f"{len(r)} fields, header has {len(header)}", file=CENSUS, where=f"line {i}")
        if r[4] == "0" and r[6] == "0":
            units.append((r[8], r[9], r[11]))
    return units


def _read_standard(ctx: StepContext) -> list[dict[str, Any]]:
    data = json.loads(ctx.path(STANDARD).read_text(encoding="utf-8"))
    need = {"id", "名称", "ふりがな", "英語名", "種別", "所属", "施行年月日", "廃止年月日", "施行データ", "廃止データ"}
    out = []
    for i, rec in enumerate(data):
        if not need <= set(rec):
            raise ctx.fail("shape", f"record lacks {sorted(need - set(rec))}", file=STANDARD, where=f"item {i}")
        start = _iso_date(ctx, rec["施行年月日"], STANDARD, f"item {i} 施行年月日")
        end = None if rec["廃止年月日"].startswith("9999") else _iso_date(ctx, rec["廃止年月日"], STANDARD, f"item {i}")
        out.append(
            {
                "code": f"{int(rec['id']):05d}",
                "name": rec["名称"],
                "kana": rec["ふりがな"],
                "en": rec["英語名"] or None,
                "type": int(rec["種別"]),
                "parent": f"{int(rec['所属']):05d}" if rec["所属"] else None,
                "county": rec.get("郡名称") or None,
                "start": start,
                "end": end,
                "start_events": list(rec["施行データ"]),
                "end_events": list(rec["廃止データ"]),
            }
        )
    return out


def _iso_date(ctx: StepContext, text: str, file: str, where: str) -> dt.date:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(T00:00:00)?", text)
    if not m:
        raise ctx.fail("date", f"not a date: {text!r}", file=file, where=where)
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def _read_peers(ctx: StepContext) -> pl.DataFrame:
    text = ctx.path(PEERS).read_bytes().decode("cp932")
    rows = list(csv.reader(io.StringIO(text)))
    if rows[1] != ["団体コード", "都道府県名", "市区町村名", "非選定", "区分"]:
        raise ctx.fail("header", f"header {rows[1]}", file=PEERS, where="line 2")
    recs = []
    for i, r in enumerate(rows[2:], start=3):
        if not r:
            continue
        if len(r) != 5 or not is_valid_code6(r[0]):
            raise ctx.fail("shape", f"bad row {r}", file=PEERS, where=f"line {i}")
        if r[3] not in ("", "※"):
            raise ctx.fail("value", f"非選定 {r[3]!r} is neither empty nor ※", file=PEERS, where=f"line {i}")
        # The file writes 都市Ⅲ－３ (full-width dash and digit): kept with '-' and ASCII digits (Ⅲ stays as is).
        group = r[4].translate(_PEER_FULLWIDTH)
        if not re.fullmatch(r"政令指定都市|中核市|施行時特例市|特別区|(都市|町村)[ⅠⅡⅢⅣⅤ]-[0-3]", group):
            raise ctx.fail("code", f"unknown 区分 {r[4]!r}", file=PEERS, where=f"line {i}, column 区分")
        recs.append(
            {
                "muni_code": r[0][:5],
                "code6": r[0],
                "peer_name": r[2],
                "peer_group": group,
                "is_peer_unselected": r[3] == "※",
            }
        )
    return pl.DataFrame(recs)


def _read_ssdse_area(ctx: StepContext) -> pl.DataFrame:
    rows = list(csv.reader(io.StringIO(ctx.path(SSDSE_AREA).read_bytes().decode("cp932"))))
    codes, years, names = rows[0], rows[1], rows[2]
    cols = {}
    for item, label in (("B1101", "総面積（北方地域及び竹島を除く）"), ("B1103", "可住地面積")):
        if codes.count(item) != 1:
            raise ctx.fail("header", f"item {item} not found once in row 1", file=SSDSE_AREA)
        j = codes.index(item)
        if names[j] != label or years[j] != "2020":
            raise ctx.fail(
                "header",
                f"{item} is {names[j]!r} for {years[j]!r}, expected {label!r} for 2020",
                file=SSDSE_AREA,
                where=f"column {j + 1}",
            )
        cols[item] = j
    recs = []
    for i, r in enumerate(rows[3:], start=4):
        if not r:
            continue
        if not re.fullmatch(r"R\d{5}", r[0]):
            raise ctx.fail("code", f"area code {r[0]!r} is not R + 5 digits", file=SSDSE_AREA, where=f"line {i}")
        vals = {}
        for item, j in cols.items():
            try:
                vals[item] = round(float(r[j]) / 100, 2)  # published in ha
            except ValueError:
                raise ctx.fail(
                    "value", f"{item} {r[j]!r} is not a number", file=SSDSE_AREA, where=f"line {i}, column {j + 1}"
                ) from None
        recs.append({"muni_code": r[0][1:], "area_km2": vals["B1101"], "habitable_area_km2": vals["B1103"]})
    return pl.DataFrame(recs)


# ---------------------------------------------------------------------------------------------------------- builders


def _kind_of(code: str, name: str, peer_group: str) -> str:
    if peer_group == "政令指定都市":
        return "政令指定都市"
    if peer_group == "特別区":
        return "特別区"
    if peer_group == "中核市":
        return "中核市"
    if name.endswith("市"):
        return "市"
    if name.endswith("町"):
        return "町"
    if name.endswith("村"):
        return "村"
    raise ValueError(f"{code} {name}: cannot tell the kind")


def _build_areas(ctx: StepContext, standard: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    mic = _read_mic_2020(ctx)
    units = _read_census_units(ctx)
    peers = _read_peers(ctx)
    area = _read_ssdse_area(ctx)
    mic24 = json.loads(ctx.path(MIC_2024).read_text(encoding="utf-8"))["items"]
    type24 = {it["s"]: it["t"] for it in mic24}

    prefs = mic.filter(pl.col("code").str.ends_with("000"))
    munis = mic.filter(~pl.col("code").str.ends_with("000"))
    if prefs.height != 47 or munis.height != 1741:
        raise ctx.fail(
            "count",
            f"{prefs.height} prefectures and {munis.height} municipalities, expected 47 and 1,741",
            file=MIC_2020,
        )
    muni_set = set(munis["code"].to_list())
    pref_set = set(prefs["code"].to_list())

    census_names: dict[str, str] = {}
    ward_codes: list[str] = []
    for code, name in units:
        if name.startswith("（旧：") or code == "13100":  # 2000-boundary units and 特別区部 (a sum, not a unit)
            continue
        if not re.fullmatch(r"\d{5}", code):
            raise ctx.fail("code", f"unexpected area code {code!r} ({name})", file=CENSUS)
        census_names[code] = name
        if code != "00000" and code not in pref_set and code not in muni_set:
            ward_codes.append(code)
    missing = sorted((muni_set | pref_set) - set(census_names))
    if missing:
        raise ctx.fail("coverage", f"MIC 2020 codes absent from the census list: {missing[:10]}", file=CENSUS)

    # Latest version of each code valid on the census date (the standard list's vintage is 2016-10-10).
    current: dict[str, dict[str, Any]] = {}
    for v in standard:
        if v["start"] <= STANDARD_VINTAGE and v["end"] is None:
            current[v["code"]] = v

    peer_by = {r["muni_code"]: r for r in peers.iter_rows(named=True)}
    area_by = {r["muni_code"]: r for r in area.iter_rows(named=True)}
    for label, keys in (("peer-group list", set(peer_by)), ("SSDSE-A 2022", set(area_by))):
        if keys != muni_set:
            raise ctx.fail(
                "coverage",
                f"the {label} differs from the 1,741: only there {sorted(keys - muni_set)[:5]}, "
                f"missing {sorted(muni_set - keys)[:5]}",
                file=PEERS if label.startswith("peer") else SSDSE_AREA,
            )

    muni_rows = []
    for r in munis.iter_rows(named=True):
        code = r["code"]
        name = census_names[code]
        if name != r["name"] and NAME_VARIANTS.get(code) != (name, r["name"]):
            raise ctx.fail("name", f"{code}: census name {name!r}, MIC name {r['name']!r}", file=MIC_2020)
        peer = peer_by[code]
        if peer["peer_name"] != r["name"] or peer["code6"] != r["code6"]:
            raise ctx.fail("name", f"{code}: peer list has {peer['code6']} {peer['peer_name']!r}", file=PEERS)
        try:
            kind = _kind_of(code, name, peer["peer_group"])
        except ValueError as exc:
            raise ctx.fail("kind", str(exc), file=MIC_2020) from None
        expected24 = {"町": "town", "村": "village", "特別区": "special_ward", "政令指定都市": "designated_city"}.get(
            kind, "city"
        )
        if code in type24 and type24[code] != expected24:
            raise ctx.fail("kind", f"{code} {name}: kind {kind} but the 2024 list says {type24[code]}", file=MIC_2024)
        std = current.get(code)
        muni_rows.append(
            {
                "muni_code": code,
                "code6": r["code6"],
                "pref_code": code[:2],
                "pref_name": r["pref_name"],
                "name": name,
                "name_kana": to_hiragana(r["kana"]) if r["kana"] else None,
                # 28221 丹波篠山市 was 篠山市 in 2016: its English name then is not its name now.
                "name_en": std["en"] if std and std["name"] == name else None,
                "kind": kind,
                "peer_group": peer["peer_group"],
                "is_peer_unselected": peer["is_peer_unselected"],
                "area_km2": area_by[code]["area_km2"],
                "habitable_area_km2": area_by[code]["habitable_area_km2"],
            }
        )
    municipalities = pl.DataFrame(muni_rows, schema_overrides={"name_en": pl.String})

    area_rows: list[dict[str, Any]] = [
        {
            "area_code": "00000",
            "code6": None,
            "level": "country",
            "name": census_names["00000"],
            "name_kana": "ぜんこく",
            "name_en": None,
            "kind": "全国",
            "parent_code": None,
            "pref_code": None,
        }
    ]
    for r in prefs.iter_rows(named=True):
        area_rows.append(
            {
                "area_code": r["code"],
                "code6": r["code6"],
                "level": "prefecture",
                "name": r["pref_name"],
                "name_kana": to_hiragana(r["pref_kana"]),
                "name_en": None,
                "kind": "都道府県",
                "parent_code": "00000",
                "pref_code": r["code"][:2],
            }
        )
    by_muni = {m["muni_code"]: m for m in muni_rows}
    for m in muni_rows:
        area_rows.append(
            {
                "area_code": m["muni_code"],
                "code6": m["code6"],
                "level": "municipality",
                "name": m["name"],
                "name_kana": m["name_kana"],
                "name_en": m["name_en"],
                "kind": m["kind"],
                "parent_code": m["pref_code"] + "000",
                "pref_code": m["pref_code"],
            }
        )
    for code in ward_codes:
        std = current.get(code)
        if std is None or std["type"] != 8 or std["parent"] not in by_muni:
            raise ctx.fail(
                "code",
                f"census unit {code} {census_names[code]} is neither a 2020 municipality nor a ward of "
                "the standard area code list",
                file=CENSUS,
            )
        city = by_muni[std["parent"]]
        if city["kind"] != "政令指定都市" or census_names[code] != city["name"] + std["name"]:
            raise ctx.fail(
                "name", f"ward {code}: census {census_names[code]!r} vs {city['name']}{std['name']}", file=CENSUS
            )
        area_rows.append(
            {
                "area_code": code,
                "code6": to_code6(code),
                "level": "ward",
                "name": census_names[code],
                "name_kana": (city["name_kana"] or "") + std["kana"],
                "name_en": f"{city['name_en']} {std['en']}" if city["name_en"] and std["en"] else None,
                "kind": "区",
                "parent_code": city["muni_code"],
                "pref_code": code[:2],
            }
        )
    areas = pl.DataFrame(
        area_rows,
        schema_overrides={"code6": pl.String, "name_en": pl.String, "parent_code": pl.String, "pref_code": pl.String},
    )
    return municipalities, areas


# 北方領土 villages (色丹村, 泊村, 留夜別村, 留別村, 紗那村, 蘂取村): valid codes, but no census unit covers them.
NORTHERN_TERRITORIES = frozenset(f"0{n}" for n in range(1695, 1701))
CONVERTER_YEARS = (1980, 1985, 1990, 1995, 2000, 2005, 2010, 2015, 2020)
CONVERTER_NOTES = (
    "note_merge_consol",
    "note_merge_incorp",
    "note_seirei",
    "note_city",
    "note_town",
    "note_change_zone",
    "note_change_name",
)
DISTRICT_REASONS = frozenset({"abolishmentOfDistrict", "changesOfBoundariesOfDistrict", "establishmentOfNewDistrict"})


def _build_converter(ctx: StepContext, municipalities: set[str]) -> pl.DataFrame:
    raw = pl.read_csv(ctx.path(CONVERTER), infer_schema=False)
    expected = (
        ["merge_id_muni"]
        + [f"id_muni{y}" for y in CONVERTER_YEARS]
        + [f"name_muni{y}" for y in CONVERTER_YEARS]
        + list(CONVERTER_NOTES)
    )
    if raw.columns != expected:
        raise ctx.fail("header", f"columns {raw.columns}, expected {expected}", file=CONVERTER)
    code_cols = [f"id_muni{y}" for y in CONVERTER_YEARS]
    for col in code_cols:
        bad = raw.with_row_index("line", offset=2).filter(
            pl.col(col).is_not_null() & ~pl.col(col).str.contains(r"^[1-9][0-9]{3,4}$")
        )
        if bad.height:
            r = bad.row(0, named=True)
            raise ctx.fail(
                "code", f"{col} {r[col]!r} is not a municipal code", file=CONVERTER, where=f"line {r['line']}"
            )
    notes = pl.concat_list([pl.col(c) for c in CONVERTER_NOTES]).list.drop_nulls()
    long = pl.concat(
        raw.select(
            pl.lit(y, dtype=pl.Int32).alias("census_year"),
            pl.col(f"id_muni{y}").str.zfill(5).alias("code"),
            pl.col(f"name_muni{y}").alias("name"),
            pl.col("id_muni2020").str.zfill(5).alias("muni_code"),
            pl.col("name_muni2020").alias("muni_name"),
            notes.alias("notes"),
        ).filter(pl.col("code").is_not_null())
        for y in CONVERTER_YEARS
    )
    conflicts = (
        long.group_by("census_year", "code").agg(pl.col("muni_code").n_unique().alias("n")).filter(pl.col("n") > 1)
    )
    if conflicts.height:
        raise ctx.fail("crosswalk", f"codes mapped to several 2020 codes: {conflicts.head(5).rows()}", file=CONVERTER)
    unknown = sorted(set(long["muni_code"].to_list()) - municipalities)
    if unknown:
        raise ctx.fail("coverage", f"2020 codes that are not 2020 municipalities: {unknown[:10]}", file=CONVERTER)
    out = (
        long.group_by("census_year", "code", maintain_order=True)
        .agg(
            pl.col("name").first(),
            pl.col("muni_code").first(),
            pl.col("muni_name").first(),
            pl.col("notes").list.explode(keep_nulls=False, empty_as_null=False).unique(maintain_order=True),
        )
        .with_columns(
            pl.lit(1.0).alias("share"),
            pl.lit(False).alias("is_split"),
            pl.when(pl.col("notes").list.len() > 0).then(pl.col("notes").list.join(" / ")).alias("notes"),
        )
        .sort("census_year", "code")
    )
    return out.select(CONVERTER_TABLE.column_names)


def _read_changes(ctx: StepContext) -> pl.DataFrame:
    data = json.loads(ctx.path(CHANGES).read_text(encoding="utf-8"))
    if set(data) != {"fetched_at", "source", "reasons", "changes"}:
        raise ctx.fail("shape", f"top-level keys {sorted(data)}", file=CHANGES)
    reasons: dict[str, str] = data["reasons"]
    rows = []
    for i, c in enumerate(data["changes"]):
        where = f"changes[{i}]"
        if c.get("reason") not in reasons:
            raise ctx.fail("code", f"unknown reason {c.get('reason')!r}", file=CHANGES, where=where)
        for side in ("old", "new"):
            if not re.fullmatch(r"\d{5}", str(c.get(side, {}).get("code", ""))):
                raise ctx.fail("code", f"{side} code {c.get(side)!r} is not 5 digits", file=CHANGES, where=where)
        rows.append(
            {
                "change_date": _iso_date(ctx, c["date"], CHANGES, where),
                "reason": c["reason"],
                "reason_ja": reasons[c["reason"]],
                "old_code": c["old"]["code"],
                "old_name": c["old"].get("name"),
                "new_code": c["new"]["code"],
                "new_name": c["new"].get("name"),
                "is_district": c["reason"] in DISTRICT_REASONS,
                "seq": i + 1,
            }
        )
    df = pl.DataFrame(rows, schema_overrides={"seq": pl.Int32})
    if not df["change_date"].is_sorted():
        raise ctx.fail("order", "changes are not in date order", file=CHANGES)
    return df


def _build_code_to_2020(
    ctx: StepContext,
    standard: list[dict[str, Any]],
    changes: pl.DataFrame,
    municipalities: set[str],
    ward_parent: dict[str, str],
) -> pl.DataFrame:
    versions = crosswalk.dedupe_versions(
        [
            crosswalk.CodeVersion(
                code=v["code"],
                name=v["name"],
                start=v["start"],
                end=v["end"],
                is_ward=v["type"] == 8,  # 種別 8 = 政令指定都市の区 (7 = 特別区, a municipality)
                parent=v["parent"],
                start_events=v["start_events"],
                end_events=v["end_events"],
            )
            for v in standard
            if v["code"] not in NORTHERN_TERRITORIES
        ]
    )
    successors = crosswalk.link_versions(versions)
    later = changes.filter((pl.col("change_date") > STANDARD_VINTAGE) & ~pl.col("is_district"))
    try:
        crosswalk.apply_changes(
            versions,
            successors,
            [
                crosswalk.Change(r["change_date"], r["old_code"], r["new_code"], r["new_name"])
                for r in later.iter_rows(named=True)
            ],
        )
        targets = crosswalk.resolve_targets(versions, successors, municipalities, ward_parent, CENSUS_DATE)
    except crosswalk.CrosswalkError as exc:
        raise ctx.fail("crosswalk", str(exc), file=STANDARD) from None
    table = crosswalk.code_intervals(versions, targets)
    splits = set(table.filter(pl.col("share") < 1)["code"].to_list())
    if splits != PINNED_SPLITS:
        raise ctx.fail(
            "crosswalk",
            f"codes divided between several 2020 municipalities are {sorted(splits)}, pinned {sorted(PINNED_SPLITS)}",
            file=STANDARD,
        )
    # The change lists give no population of the parts; the census 2020 lists each part with its population.
    parts = _census_split_parts(ctx, municipalities)
    weights: dict[str, dict[str, float]] = {}
    for code in sorted(splits):
        name = table.filter(pl.col("code") == code)["name"][0]
        if name not in parts:
            raise ctx.fail("crosswalk", f"the census lists no parts of the divided {code} {name}", file=CENSUS)
        weights[code] = parts[name]
    try:
        table = crosswalk.reweight_splits(table, weights)
    except crosswalk.CrosswalkError as exc:
        raise ctx.fail("crosswalk", str(exc), file=CENSUS) from None
    valid_2024 = set(table.filter(pl.col("valid_to").is_null())["code"].to_list())
    listed_2024 = {
        it["s"]
        for it in json.loads(ctx.path(MIC_2024).read_text(encoding="utf-8"))["items"]
        if it["t"] != "prefecture" and not it["u"]  # u: the 6 北方領土 villages, not in the statistical lists
    }
    if valid_2024 != listed_2024:
        raise ctx.fail(
            "crosswalk",
            f"codes valid on 2024-01-01 differ from the MIC list of 2024: only in the change lists "
            f"{sorted(valid_2024 - listed_2024)[:10]}, only in the MIC list {sorted(listed_2024 - valid_2024)[:10]}",
            file=MIC_2024,
        )
    return table


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    standard = _read_standard(ctx)
    municipalities, areas = _build_areas(ctx, standard)
    muni_set = set(municipalities["muni_code"].to_list())
    ctx.progress(1, 3, "areas")
    converter = _build_converter(ctx, muni_set)
    changes = _read_changes(ctx)
    ctx.progress(2, 3, "converter")
    wards = areas.filter(pl.col("level") == "ward")
    ward_parent = dict(zip(wards["area_code"].to_list(), wards["parent_code"].to_list(), strict=True))
    code_to_2020 = _build_code_to_2020(ctx, standard, changes, muni_set, ward_parent)
    converter = converter.with_columns(pl.col("code").is_in(sorted(PINNED_SPLITS)).alias("is_split"))
    ctx.progress(3, 3, "code_to_2020")
    return {
        MUNICIPALITIES.name: municipalities,
        AREAS.name: areas,
        CONVERTER_TABLE.name: converter,
        CHANGES_TABLE.name: changes,
        CODE_TO_2020.name: code_to_2020,
    }


STEP = Step(
    name="areas",
    description="Areas master (1,741 municipalities of 2020, prefectures, wards) and code crosswalks 1970–2024",
    sources=("municipal_codes", "municipality_converter", "peer_groups", "census_2020_sex_age5", "ssdse_a"),
    tables=(MUNICIPALITIES, AREAS, CONVERTER_TABLE, CHANGES_TABLE, CODE_TO_2020),
    parse=parse,
)
