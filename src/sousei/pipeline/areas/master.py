"""The 2020 master: the 1,741 municipalities of the 2020 census and every area unit (Japan, prefectures, wards)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import polars as pl

from sousei.kana import to_hiragana
from sousei.pipeline.areas.files import (
    CENSUS,
    MIC_2020,
    MIC_2024,
    PEERS,
    SSDSE_AREA,
    STANDARD_VINTAGE,
    read_census_rows,
)
from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.reference import NAME_VARIANTS, is_valid_code6, to_code6
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import SqlCheck, Table

KINDS = ("政令指定都市", "中核市", "市", "特別区", "町", "村")
_PEER_FULLWIDTH = str.maketrans("－０１２３４５６７８９", "-0123456789")

MUNICIPALITIES = Table(
    name="core_areas__municipalities",
    description=(
        "The 1,741 municipalities of the 2020 census (1,718 市町村 with the 20 政令指定都市 as whole cities "
        "+ 23 特別区), "
        "with codes, names, readings, kind, peer group (類似団体区分) and area."
    ),
    columns=(
        field("muni_code"),
        field("code6", '6-digit code with check digit, as in the MIC code list of 2020 ("011002")', nullable=False),
        field("pref_code"),
        field("pref_name"),
        field("name", "Municipality name as in the 2020 census (札幌市); the MIC list writes 39405 檮原町 as 梼原町"),
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
        field("area_code"),
        field("code6"),
        C("level", "VARCHAR", "country | prefecture | municipality | ward", nullable=False),
        field("name", "Name as in the 2020 census (wards with their city: 札幌市中央区)"),
        C("name_kana", "VARCHAR", "Reading in hiragana (wards: the city's reading followed by the ward's)"),
        C(
            "name_en",
            "VARCHAR",
            "English name from the e-Stat standard area code list (wards: city and ward, 'Sapporo-shi Chuo-ku'); "
            "NULL where absent (Japan, prefectures, 40231)",
        ),
        C("kind", "VARCHAR", "全国 | 都道府県 | the municipality kind | 区", nullable=False),
        field("parent_code"),
        field("pref_code", nullable=True),
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
    return [(code, name) for code, name, _ in read_census_rows(ctx)]


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


def build_areas(ctx: StepContext, standard: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
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
        # The census and the MIC / peer lists differ in name only where name_variants.toml says why.
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
