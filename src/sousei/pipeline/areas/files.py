"""The bundle files the areas step reads, and the readers both the 2020 master and the code history use."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

from sousei.pipeline.context import StepContext

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


def read_census_rows(ctx: StepContext) -> list[tuple[str, str, str]]:
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


def read_standard(ctx: StepContext) -> list[dict[str, Any]]:
    data = json.loads(ctx.path(STANDARD).read_text(encoding="utf-8"))
    need = {"id", "名称", "ふりがな", "英語名", "種別", "所属", "施行年月日", "廃止年月日", "施行データ", "廃止データ"}
    out = []
    for i, rec in enumerate(data):
        if not need <= set(rec):
            raise ctx.fail("shape", f"record lacks {sorted(need - set(rec))}", file=STANDARD, where=f"item {i}")
        start = iso_date(ctx, rec["施行年月日"], STANDARD, f"item {i} 施行年月日")
        end = None if rec["廃止年月日"].startswith("9999") else iso_date(ctx, rec["廃止年月日"], STANDARD, f"item {i}")
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


def iso_date(ctx: StepContext, text: str, file: str, where: str) -> dt.date:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(T00:00:00)?", text)
    if not m:
        raise ctx.fail("date", f"not a date: {text!r}", file=file, where=where)
    return dt.date(int(m[1]), int(m[2]), int(m[3]))
