"""ふるさと納税に関する現況調査 (wide xlsx) → core_furusato__donations (受入額 FY2016–2020), core_furusato__deductions.

Headline columns, chosen from the multi-row headers:
- donations (*_gain.xlsx): block ① 「(年度)に受け入れた寄附件数、金額」, its 寄附件数 and 寄附金額 (yen),
  found by label.
- deductions (*_loss.xlsx): the block 「ふるさと納税に係る寄附金税額控除」 (H28: 「…寄附金控除額（推計を含む。）」)
  at the right of the sheet: 市町村民税 人数 and 控除額 plus 道府県民税 控除額;
  住民税控除額 = 市町村民税 + 道府県民税 控除額.
  The files have no 団体コード: municipalities are coded by 都道府県 + 市区町村 name through the codes printed in the
  donation files of the same survey (all five years, so renamed municipalities such as 那珂川町 → 那珂川市 match).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath

import fastexcel
import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.reference import PREF_CODE, PREFECTURES, is_valid_code6, name_key
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table
from sousei.pipeline.sources.fiscal_sheets import fiscal_year_of

SOURCE = "furusato_nozei"

DONATIONS = Table(
    name="core_furusato__donations",
    description=(
        "ふるさと納税 受入額 per municipality and fiscal year (現況調査, block ① 受け入れた寄附件数、金額; "
        "決算見込). Prefectural governments' own receipts are not included."
    ),
    columns=(
        field("muni_code"),
        field("fiscal_year", "Fiscal year of receipt (年度)", min=2016, max=2020),
        C("amount_yen", "BIGINT", "寄附金額 received (yen)", min=0),
        C("count", "BIGINT", "寄附件数 received", min=0),
    ),
    key=("muni_code", "fiscal_year"),
    coverage=Coverage(per=("fiscal_year",)),
)

DEDUCTIONS = Table(
    name="core_furusato__deductions",
    description=(
        "住民税 deductions for ふるさと納税 claimed by each municipality's residents (寄附金税額控除の適用状況, block "
        "「ふるさと納税に係る寄附金税額控除」): the municipality's tax loss. year = 課税年度 (donations of the "
        "previous calendar year)."
    ),
    columns=(
        field("muni_code"),
        field("year", "課税年度 (H28 = 2016 … R3 = 2021)", min=2016, max=2021),
        field(
            "persons",
            "Residents with the deduction (市町村民税 人数; H29 岩手県住田町 prints an estimate 5.5)",
            type="DOUBLE",
            nullable=True,
        ),
        C("donations_yen", "DOUBLE", "Their ふるさと納税 donations (市町村民税 寄附金額, yen)", min=0),
        C("municipal_tax_yen", "DOUBLE", "市町村民税 控除額 (yen; includes estimates, fractional as published)", min=0),
        C("prefectural_tax_yen", "DOUBLE", "道府県民税 控除額 (yen; includes estimates)", min=0),
        C("amount_yen", "DOUBLE", "住民税控除額 = 市町村民税 + 道府県民税 控除額 (yen)", min=0),
    ),
    key=("muni_code", "year"),
    coverage=Coverage(per=("year",)),
    checks=(
        SqlCheck(
            "furusato-deduction-sum",
            "amount_yen ≠ municipal + prefectural",
            "SELECT * FROM core_furusato__deductions WHERE abs(amount_yen - municipal_tax_yen - prefectural_tax_yen) "
            "> 0.01",
        ),
    ),
)


def _clean(v: object) -> str | None:
    if v is None:
        return None
    s = re.sub(r"\s", "", str(v))
    return s or None


def _int(ctx: StepContext, text: str | None, rel: str, where: str) -> int | None:
    if text is None:
        return None
    if not re.fullmatch(r"\d+(?:\.0+)?", text):
        raise ctx.fail("furusato-value", f"not a count or yen amount: {text!r}", file=rel, where=where)
    return int(float(text))


def _num(ctx: StepContext, text: str | None, rel: str, where: str) -> float | None:
    if text is None:
        return None
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        raise ctx.fail("furusato-value", f"not a number: {text!r}", file=rel, where=where)
    return float(text)


def _rows(ctx: StepContext, rel: str) -> list[tuple]:
    reader = fastexcel.read_excel(ctx.path(rel))
    # R2_loss opens with the blank survey form (調査票Ｂ); the figures are on 集計表. Elsewhere the first sheet.
    sheet = "集計表" if "集計表" in reader.sheet_names else 0
    return reader.load_sheet(sheet, header_row=None, dtypes="string").to_polars().rows()


def parse_donations(ctx: StepContext, rel: str) -> tuple[list[dict], dict[tuple[str, str], str]]:
    year = fiscal_year_of(rel.replace("_gain", ""))
    rows = _rows(ctx, rel)
    block = [(i, j) for i, row in enumerate(rows[:30]) for j, v in enumerate(row) if (_clean(v) or "").startswith("①")]
    if not block:
        raise ctx.fail("furusato-header", "no block ① (受け入れた寄附件数、金額)", file=rel)
    hi, hj = block[0]
    label = _clean(rows[hi][hj]) or ""
    if "受け入れた寄附件数" not in label:
        raise ctx.fail("furusato-header", f"block ① is {label!r}", file=rel, where=f"row {hi + 1}")
    if _clean(rows[hi + 1][hj]) != "寄附件数" or _clean(rows[hi + 1][hj + 1]) != "寄附金額":
        raise ctx.fail("furusato-header", f"under ①: {rows[hi + 1][hj : hj + 2]}", file=rel, where=f"row {hi + 2}")
    out, names = [], {}
    for r, row in enumerate(rows[hi + 2 :], start=hi + 3):
        code6 = _clean(row[0])
        if code6 is None and all(_clean(v) is None for v in row[:5]):
            continue
        if code6 is None or not is_valid_code6(code6):
            raise ctx.fail("furusato-code", f"団体コード {code6!r}", file=rel, where=f"row {r}, column 1")
        pref, name = _clean(row[1]), _clean(row[2])
        if pref is None or PREF_CODE.get(pref) != code6[:2]:
            raise ctx.fail("furusato-code", f"都道府県 {pref!r} for code {code6}", file=rel, where=f"row {r}")
        if code6[2:5] == "000":
            continue  # the prefectural government itself (some years print its name in the 市区町村 column)
        if name is None:
            raise ctx.fail("furusato-layout", f"municipal code {code6} without a name", file=rel, where=f"row {r}")
        # Names compare through name_key: H30_loss prints 宝塚市 with the compatibility ideograph U+FA10 for 塚.
        names[(pref, name_key(name))] = code6[:5]
        out.append(
            {
                "muni_code": code6[:5],
                "fiscal_year": year,
                "count": _int(ctx, _clean(row[hj]), rel, f"row {r}, column {hj + 1}"),
                "amount_yen": _int(ctx, _clean(row[hj + 1]), rel, f"row {r}, column {hj + 2}"),
            }
        )
    return out, names


def _pref_of(text: str | None) -> str | None:
    """Prefecture of a data row; R1 prints a few without 県 ('沖縄', '青森')."""
    if text is None:
        return None
    for p in PREFECTURES:
        if text == p or (len(text) >= 2 and p.startswith(text) and p[len(text) :] in ("県", "府", "都")):
            return p
    return None


def parse_deductions(ctx: StepContext, rel: str, codes: dict[tuple[str, str], str]) -> list[dict]:
    year = fiscal_year_of(rel.replace("_loss", ""))
    rows = _rows(ctx, rel)
    head = [i for i, row in enumerate(rows[:30]) if _clean(row[0]) == "都道府県" and _clean(row[1]) == "市区町村"]
    if not head:
        raise ctx.fail("furusato-header", "no header row 都道府県 | 市区町村", file=rel)
    h = head[0]
    starts = [
        (i, j)
        for i in range(h, h + 3)
        for j, v in enumerate(rows[i])
        if (_clean(v) or "").startswith("ふるさと納税に係る寄附金")
    ]
    if len(starts) != 1:
        raise ctx.fail("furusato-header", f"block ふるさと納税に係る寄附金税額控除 found {len(starts)} times", file=rel)
    bi, bj = starts[0]
    taxes: dict[str, int] = {}
    for i in range(bi + 1, bi + 4):
        for j in range(bj, len(rows[i])):
            v = _clean(rows[i][j])
            if v in ("市町村民税", "道府県民税") and v not in taxes:
                taxes[v] = j
    if set(taxes) != {"市町村民税", "道府県民税"}:
        raise ctx.fail("furusato-header", f"市町村民税/道府県民税 under the block: {taxes}", file=rel)
    cols: dict[str, int] = {}
    for tax, j in taxes.items():
        sub = next(i for i in range(bi + 1, bi + 5) if (_clean(rows[i][j]) or "").startswith("人数"))
        labels = [_clean(rows[sub][j + k]) or "" for k in range(3)]
        if not (labels[0].startswith("人数") and labels[1].startswith("寄附金額") and labels[2].startswith("控除額")):
            raise ctx.fail("furusato-header", f"{tax}: {labels}", file=rel, where=f"row {sub + 1}")
        cols[tax] = j
    mj, pj = cols["市町村民税"], cols["道府県民税"]
    out = []
    national: tuple[int, tuple] | None = None
    for r, row in enumerate(rows[h + 1 :], start=h + 2):
        first, name = _clean(row[0]), _clean(row[1])
        pref = _pref_of(first)
        if pref is None or name is None:
            if first in ("全国合計", "総計"):
                national = (r, row)
                continue
            if first is not None and name is None and ("計" in first or _pref_of(first) is not None):
                continue  # 合計 (prefecture subtotals), '北海道 集計' rows
            if first is None and name is None:
                continue
            if first is None and name is not None:
                raise ctx.fail(
                    "furusato-layout", f"a municipality without prefecture: {name}", file=rel, where=f"row {r}"
                )
            if pref is None and name is not None:
                raise ctx.fail("furusato-prefecture", f"unknown prefecture {first!r}", file=rel, where=f"row {r}")
            continue
        code = codes.get((pref, name_key(name)))
        if code is None and name.endswith(("町", "村")):
            # 町/村 promoted to 市 before the first donation file (2016-10-10 宮城県富谷町 → 富谷市)
            code = codes.get((pref, name_key(name[:-1] + "市")))
        if code is None:
            raise ctx.fail(
                "furusato-name", f"{pref} {name} is in no donation file's code list", file=rel, where=f"row {r}"
            )
        municipal = _num(ctx, _clean(row[mj + 2]), rel, f"row {r}, column {mj + 3}")
        prefectural = _num(ctx, _clean(row[pj + 2]), rel, f"row {r}, column {pj + 3}")
        out.append(
            {
                "muni_code": code,
                "year": year,
                "persons": _num(ctx, _clean(row[mj]), rel, f"row {r}, column {mj + 1}"),
                "donations_yen": _num(ctx, _clean(row[mj + 1]), rel, f"row {r}, column {mj + 2}"),
                "municipal_tax_yen": municipal,
                "prefectural_tax_yen": prefectural,
                "amount_yen": None if municipal is None or prefectural is None else municipal + prefectural,
            }
        )
    _check_national_total(ctx, rel, out, national, mj, pj)
    return out


def _check_national_total(
    ctx: StepContext, rel: str, out: list[dict], national: tuple[int, tuple] | None, mj: int, pj: int
) -> None:
    """The municipalities must sum to the file's 全国合計/総計 row (persons and both deductions, to 1 yen)."""
    if national is None:
        raise ctx.fail("furusato-total", "no 全国合計/総計 row", file=rel)
    r, row = national
    for key, col in (("persons", mj), ("municipal_tax_yen", mj + 2), ("prefectural_tax_yen", pj + 2)):
        printed = _num(ctx, _clean(row[col]), rel, f"row {r}, column {col + 1}") or 0.0
        summed = sum(x[key] or 0.0 for x in out)
        if abs(printed - summed) > 1.0:
            raise ctx.fail(
                "furusato-total",
                f"{key}: municipalities sum to {summed:,.2f}, the national row prints {printed:,.2f}",
                file=rel,
                where=f"row {r}, column {col + 1}",
            )


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    files = ctx.files(SOURCE)
    gains = [f for f in files if PurePosixPath(f).parent.name == "donations"]
    losses = [f for f in files if PurePosixPath(f).parent.name == "deductions"]
    donations: list[dict] = []
    codes: dict[tuple[str, str], str] = {}
    for rel in gains:
        rows, names = parse_donations(ctx, rel)
        donations += rows
        for key, code in names.items():
            if codes.setdefault(key, code) != code:
                raise ctx.fail("furusato-name", f"{key} has codes {codes[key]} and {code}", file=rel)
    deductions: list[dict] = []
    for rel in losses:
        deductions += parse_deductions(ctx, rel, codes)
    d = pl.DataFrame(
        donations,
        schema={"muni_code": pl.String, "fiscal_year": pl.Int32, "amount_yen": pl.Int64, "count": pl.Int64},
    )
    l_ = pl.DataFrame(
        deductions,
        schema={
            "muni_code": pl.String,
            "year": pl.Int32,
            "persons": pl.Float64,
            "donations_yen": pl.Float64,
            "municipal_tax_yen": pl.Float64,
            "prefectural_tax_yen": pl.Float64,
            "amount_yen": pl.Float64,
        },
    )
    to_2020 = _code_to_2020(ctx)
    for frame, label in ((d, "donations"), (l_, "deductions")):
        unknown = sorted(set(frame["muni_code"]) - set(to_2020))
        if unknown:
            raise ctx.fail("furusato-code", f"{label}: codes with no single 2020 municipality: {unknown[:10]}")
    d = d.with_columns(pl.col("muni_code").replace_strict(to_2020))
    l_ = l_.with_columns(pl.col("muni_code").replace_strict(to_2020))
    return {DONATIONS.name: d, DEDUCTIONS.name: l_}


def _code_to_2020(ctx: StepContext) -> dict[str, str]:
    """Code → its 2020 municipality, for codes that map wholly to one (2016–2021 saw renames such as 40305 那珂川町 →
    40231 那珂川市 on 2018-10-01, no mergers)."""
    # Only intervals still valid in the survey years: codes were reused (47361 城辺町 until 1972, 久米島町 since 2002).
    cw = ctx.table("core_areas__code_to_2020").filter(
        ~pl.col("is_ward") & (pl.col("valid_to").is_null() | (pl.col("valid_to") > dt.date(2016, 4, 1)))
    )
    single = cw.group_by("code").agg(pl.col("muni_code").unique(), pl.col("share").min())
    single = single.filter((pl.col("muni_code").list.len() == 1) & (pl.col("share") == 1.0))
    return dict(zip(single["code"], single["muni_code"].list.first(), strict=True))


STEP = Step(
    name="furusato",
    description="ふるさと納税 受入額 (FY2016–2020) and 住民税控除額 (課税年度 2016–2021) per municipality",
    sources=(SOURCE,),
    depends=("areas",),
    tables=(DONATIONS, DEDUCTIONS),
    parse=parse,
)
