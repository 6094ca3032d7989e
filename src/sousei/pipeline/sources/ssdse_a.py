"""SSDSE-A editions 2018–2026 (cp932 CSV, 3 header rows) → core_ssdse__items, core_ssdse__values (item × data year)."""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.errors import BuildError
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

FILE_RE = re.compile(r"ssdse_a/SSDSE-A-(\d{4})\.csv")
AREA_HEADER = ["地域コード", "都道府県", "市区町村"]
# 那珂川町 became 那珂川市 on 2018-10-01 with a new code; the 2018 and 2019 editions still use the old one.
CODE_CHANGES = {"40305": "40231"}

# Industry items: the 2018–2020 editions carry 経済センサス-基礎調査 2014 under C2107…/C2207… (all establishments,
# public ones included, with 公務 as C210725/C220725); from the 2021 edition 経済センサス-活動調査 2016/2021 under
# C2108…/C2208… (民営, private establishments only). The JSIC major groups are the same, numbered differently, so
# the older codes are mapped onto the newer ones: one item per industry, the data year tells which census it is
# (2014 = 基礎調査 incl. public; 2016, 2021 = 活動調査, private only). 公務 and the 第1/2/3次産業 subtotals
# (C2110–C2112, C2210–C2212) exist only in the old editions and keep their codes. The original code stays in
# core_ssdse__values.item_code_original.
_INDUSTRY_SUFFIX = {
    "": "",  # total
    "03": "32",  # 農業，林業
    "08": "36",  # 建設業
    "09": "37",  # 製造業
    "10": "38",  # 電気・ガス・熱供給・水道業
    "11": "39",  # 情報通信業
    "12": "40",  # 運輸業，郵便業
    "13": "41",  # 卸売業，小売業
    "16": "44",  # 金融業，保険業
    "17": "45",  # 不動産業，物品賃貸業
    "18": "46",  # 学術研究，専門・技術サービス業
    "19": "47",  # 宿泊業，飲食サービス業
    "20": "48",  # 生活関連サービス業，娯楽業
    "21": "49",  # 教育，学習支援業
    "22": "50",  # 医療，福祉
    "23": "51",  # 複合サービス事業
    "24": "52",  # サービス業（他に分類されないもの）
}
CODE_MAP = {
    f"{old}{s_old}": f"{new}{s_new}"
    for old, new in (("C2107", "C2108"), ("C2207", "C2208"))
    for s_old, s_new in _INDUSTRY_SUFFIX.items()
}
MAPPED_NOTE = (
    "2014 figures (editions 2018–2020, original code {old}) are 経済センサス-基礎調査 and include public "
    "establishments; 2016 and 2021 figures are 経済センサス-活動調査, private (民営) only"
)

# The unit of every known item; a code not listed here stops the build (a new item needs a look at its definition).
_UNITS_BY_CODE = {
    "persons": """A1101 A110101 A110102 A1102 A110201 A110202 A1301 A130101 A130102 A1302 A130201 A130202 A1303
        A130301 A130302 A1419 A141901 A141902 A1700 A4101 A4200 A5101 A5102 A710201 D1202 E1501 E2401 E2501 E3401
        E3501 E3904 E3905 E3906 E4501 F1102 F110201 F110202 F1107 F110701 F110702 F1108 F110801 F110802 F2201 F2211
        F2221 H5507 H550701 I6100 I6200 I6300 J2506 C2208 C220832 C220833 C220835 C220836 C220837 C220838 C220839
        C220840 C220841 C220844 C220845 C220846 C220847 C220848 C220849 C220850 C220851 C220852 C220725 C2210 C2211
        C2212""",
    "households": "A7101 A710101 A810102 A810105 A811102 A8201 A8301",
    "farm_households": "C310201 C310202",
    "cases": "A9101 A9201",
    "ha": "B1101 B1103",
    "establishments": """C2108 C210832 C210833 C210835 C210836 C210837 C210838 C210839 C210840 C210841 C210844
        C210845 C210846 C210847 C210848 C210849 C210850 C210851 C210852 C210725 C2110 C2111 C2112""",
    "pct": "D2203 D2211",
    "thousand_yen": "D3201 D320101 D3203 D320303 D320308 D320310 D320311",
    "facilities": """E1101 E2101 E3101 E3901 E4101 G1201 G1401 H6130 H6131 H6132 I510120 I5102 I5103 J2503
        J250302""",
}
UNITS = {code: unit for unit, codes in _UNITS_BY_CODE.items() for code in codes.split()}

# Pairs (total, male, female) that must add up in every row (census counts: sex is never unknown).
SEX_SUMS = (
    ("A1101", "A110101", "A110102"),
    ("A1102", "A110201", "A110202"),
    ("A1301", "A130101", "A130102"),
    ("A1302", "A130201", "A130202"),
    ("A1303", "A130301", "A130302"),
    ("A1419", "A141901", "A141902"),
    ("F1102", "F110201", "F110202"),
    ("F1107", "F110701", "F110702"),
    ("F1108", "F110801", "F110802"),
)

ITEMS = Table(
    name="core_ssdse__items",
    description=(
        "SSDSE-A items (教育用標準データセット, 市区町村): one row per item code, normalised across the editions "
        "2018–2026 (full-width digits to ASCII; industry codes C2107…/C2207… of the 2018–2020 editions mapped onto "
        "C2108…/C2208…). The name is the latest edition's."
    ),
    columns=(
        C("item_code", "VARCHAR", "SSDSE item code, normalised (e.g. A1101 総人口)", nullable=False),
        C(
            "item_name",
            "VARCHAR",
            "Japanese item name in the latest edition carrying it (digits in ASCII)",
            nullable=False,
        ),
        C(
            "unit",
            "VARCHAR",
            "Unit: persons, households, farm_households, cases, ha, establishments, pct, thousand_yen, facilities",
            nullable=False,
        ),
        C("first_edition", "INTEGER", "First SSDSE-A edition carrying the item", nullable=False, min=2018),
        C("last_edition", "INTEGER", "Last SSDSE-A edition carrying the item", nullable=False, min=2018),
        C(
            "original_codes",
            "VARCHAR",
            "Codes as published, with their editions (differs from item_code where mapped)",
            nullable=False,
        ),
        C("note", "VARCHAR", "What changes across editions (definition or source), where it matters"),
    ),
    key=("item_code",),
)

VALUES = Table(
    name="core_ssdse__values",
    description=(
        "SSDSE-A figures per municipality (1,741, 2020 codes) × item × data year, from the editions 2018–2026. "
        "Where several editions carry the same item and data year (416,099 cells), they agree (checked at parse "
        "time) and the latest edition is kept."
    ),
    columns=(
        field("muni_code", "Municipal code (5 characters, 2020 codes; 'R' prefix removed, 40305 → 40231)"),
        C("item_code", "VARCHAR", "Normalised item code (core_ssdse__items)", nullable=False),
        C(
            "data_year",
            "INTEGER",
            "Year (or fiscal year) of the data as printed in the edition's second header row",
            nullable=False,
            min=2000,
            max=2100,
        ),
        C(
            "edition",
            "INTEGER",
            "SSDSE-A edition the value is taken from (the latest carrying this item × year)",
            nullable=False,
            min=2018,
        ),
        C("n_editions", "INTEGER", "How many editions carry this item × year (all agree)", nullable=False, min=1),
        C("item_code_original", "VARCHAR", "Item code as published in that edition", nullable=False),
        C("value", "DOUBLE", "The figure, in the item's unit", nullable=False),
    ),
    key=("muni_code", "item_code", "data_year"),
    coverage=Coverage(per=("item_code", "data_year")),
    checks=(
        SqlCheck(
            "sexes-sum",
            "male + female ≠ total",
            "WITH v AS (SELECT * FROM core_ssdse__values) "
            + " UNION ALL ".join(
                f"""SELECT t.muni_code, '{tot}' AS item_code, t.data_year, t.value, m.value + f.value AS summed
                    FROM v t JOIN v m ON m.muni_code = t.muni_code AND m.data_year = t.data_year AND m.item_code = '{m}'
                    JOIN v f ON f.muni_code = t.muni_code AND f.data_year = t.data_year AND f.item_code = '{f}'
                    WHERE t.item_code = '{tot}' AND t.value <> m.value + f.value"""
                for tot, m, f in SEX_SUMS
            ),
        ),
        SqlCheck(
            "items-known",
            "a value whose item is not in core_ssdse__items",
            "SELECT DISTINCT item_code FROM core_ssdse__values EXCEPT SELECT item_code FROM core_ssdse__items",
        ),
    ),
)


def _ascii_digits(text: str) -> str:
    """Full-width digits (and only them) to ASCII: '１５歳未満人口' → '15歳未満人口'."""
    return "".join(unicodedata.normalize("NFKC", ch) if ch.isdigit() else ch for ch in text).strip()


def parse_edition(text: str, edition: int, file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One edition: its figures wide (muni_code + one column per normalised item code) and its item rows."""
    rows = list(itertools.islice(csv.reader(io.StringIO(text)), 4))
    if len(rows) < 4:
        raise BuildError("format", f"{len(rows)} lines, expected 3 header rows and the municipalities", file=file)
    codes_row, years_row, names_row = rows[0], rows[1], rows[2]
    width = len(codes_row)
    if [c.strip() for c in names_row[:3]] != AREA_HEADER:
        raise BuildError("header", f"row 3 starts {names_row[:3]}, expected {AREA_HEADER}", file=file, where="row 3")
    first = codes_row[0].strip()
    if first.startswith("SSDSE") and first != f"SSDSE-A-{edition}":
        raise BuildError(
            "header", f"first cell {first!r} names another edition than {edition}", file=file, where="row 1, column 1"
        )
    items = []
    for col in range(3, width):
        original = _ascii_digits(codes_row[col])
        where = f"row 1, column {col + 1} ({original})"
        code = CODE_MAP.get(original, original)
        if code not in UNITS:
            raise BuildError(
                "item",
                f"unknown item code {original!r} (not among the {len(UNITS)} known items)",
                file=file,
                where=where,
            )
        year = _ascii_digits(years_row[col])
        if not re.fullmatch(r"(19|20)\d\d", year):
            raise BuildError(
                "header",
                f"data year {years_row[col]!r} is not a year",
                file=file,
                where=f"row 2, column {col + 1} ({original})",
            )
        items.append((code, original, _ascii_digits(names_row[col]), int(year)))
    if len({i[0] for i in items}) != len(items):
        raise BuildError("item", "an item code appears twice", file=file, where="row 1")

    body = pl.read_csv(
        io.StringIO(text),
        skip_rows=3,
        has_header=False,
        infer_schema=False,
        new_columns=[f"c{i}" for i in range(width)],
    )
    if body.width != width:
        raise BuildError("format", f"{body.width} fields in the data rows, expected {width}", file=file)
    codes = body["c0"].map_elements(_ascii_digits, return_dtype=pl.Utf8)
    bad = body.with_row_index("i").filter(~codes.str.contains(r"^R\d{5}$"))
    if bad.height:
        r = bad.row(0, named=True)
        raise BuildError(
            "code", f"area code {r['c0']!r} is not R + 5 digits", file=file, where=f"row {r['i'] + 4}, column 1"
        )
    munis = codes.str.slice(1).replace(CODE_CHANGES)
    if munis.is_duplicated().any():
        dup = sorted(set(munis.filter(munis.is_duplicated()).to_list()))
        raise BuildError("code", f"municipal codes repeat (after 40305 → 40231): {dup[:5]}", file=file)
    cells = body.select(pl.col(f"c{i}") for i in range(3, width))
    numbers = cells.select(pl.all().str.strip_chars().cast(pl.Float64, strict=False))
    for i, (raw, num) in enumerate(zip(cells.iter_columns(), numbers.iter_columns(), strict=True)):
        bad_rows = (num.is_null()).arg_true()
        if len(bad_rows):
            row = int(bad_rows[0])
            raise BuildError(
                "value",
                f"{raw[row]!r} is not a number",
                file=file,
                where=f"row {row + 4} ({codes[row]}), column {i + 4} ({items[i][1]})",
            )
    wide = (
        numbers.rename({c: items[i][0] for i, c in enumerate(numbers.columns)})
        .with_columns(munis.alias("muni_code"))
        .sort("muni_code")
    )
    item_rows = pl.DataFrame(
        {
            "item_code": [it[0] for it in items],
            "item_code_original": [it[1] for it in items],
            "item_name": [it[2] for it in items],
            "data_year": pl.Series([it[3] for it in items], dtype=pl.Int32),
            "edition": pl.Series([edition] * len(items), dtype=pl.Int32),
        }
    )
    return wide, item_rows


def combine_editions(editions: list[tuple[pl.DataFrame, pl.DataFrame]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Items × data year from the latest edition carrying them, after checking that every older edition agrees.

    `editions` holds, per edition, the wide figures (muni_code + one column per item) and its item rows.
    """
    wide_by_edition = {int(rows["edition"][0]): wide for wide, rows in editions}
    item_rows = pl.concat([rows for _, rows in editions]).sort("edition")
    pieces, differences, compared = [], [], 0
    for (code, year), grp in item_rows.group_by("item_code", "data_year", maintain_order=True):
        eds = grp["edition"].to_list()
        kept = wide_by_edition[eds[-1]].select("muni_code", pl.col(code).alias("value"))
        for ed in eds[:-1]:
            other = wide_by_edition[ed].select("muni_code", pl.col(code).alias("other"))
            if other["muni_code"].equals(kept["muni_code"]):  # same municipalities in the same order: no join
                joined = kept.with_columns(other["other"])
            else:
                joined = kept.join(other, on="muni_code", how="full", coalesce=True)
            compared += joined.height
            bad = joined.filter(pl.col("value").ne_missing(pl.col("other")))
            differences += [f"{m} {code} {year}: edition {ed} {o}, edition {eds[-1]} {v}" for m, v, o in bad.rows()]
        pieces.append(
            kept.with_columns(
                pl.lit(code).alias("item_code"),
                pl.lit(year, pl.Int32).alias("data_year"),
                pl.lit(eds[-1], pl.Int32).alias("edition"),
                pl.lit(len(eds), pl.Int32).alias("n_editions"),
                pl.lit(grp["item_code_original"][-1]).alias("item_code_original"),
            )
        )
    if differences:
        raise BuildError(
            "editions",
            f"{len(differences)} of {compared} (municipality, item, year) cells carried by several editions differ: "
            + "; ".join(differences[:5]),
            file="ssdse_a/SSDSE-A-*.csv",
        )
    values = pl.concat(pieces).sort("item_code", "data_year", "muni_code")
    per_item = (
        item_rows.sort("edition")
        .group_by("item_code", maintain_order=True)
        .agg(
            pl.col("item_name").last(),
            pl.col("edition").min().alias("first_edition"),
            pl.col("edition").max().alias("last_edition"),
            pl.struct("item_code_original", "edition").alias("versions"),
        )
    )
    items = []
    for r in per_item.iter_rows(named=True):
        spans: dict[str, list[int]] = {}
        for v in r["versions"]:
            spans.setdefault(v["item_code_original"], []).append(v["edition"])
        original = ", ".join(f"{c} ({min(e)}–{max(e)})" for c, e in spans.items())
        old = [c for c in spans if c != r["item_code"]]
        note = MAPPED_NOTE.format(old=old[0]) if old else None
        if r["item_code"] in ("A5101", "A5102"):
            note = (
                "named 転入者数/転出者数 in the 2018–2019 editions (data 2016–2017), （日本人移動者） from the 2020 "
                "edition; the older label does not say whether foreign movers are included"
            )
        items.append(
            (
                r["item_code"],
                r["item_name"],
                UNITS[r["item_code"]],
                r["first_edition"],
                r["last_edition"],
                original,
                note,
            )
        )
    items_df = pl.DataFrame(
        items,
        schema={
            "item_code": pl.Utf8,
            "item_name": pl.Utf8,
            "unit": pl.Utf8,
            "first_edition": pl.Int32,
            "last_edition": pl.Int32,
            "original_codes": pl.Utf8,
            "note": pl.Utf8,
        },
        orient="row",
    ).sort("item_code")
    return items_df, values


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    files = ctx.files("ssdse_a")
    editions = []
    for i, rel in enumerate(files):
        m = FILE_RE.fullmatch(rel)
        if not m:
            raise ctx.fail("declaration", "file name does not give the edition (SSDSE-A-YYYY.csv)", file=rel)
        ctx.progress(i, len(files), rel)
        text = ctx.path(rel).read_bytes().decode("cp932")
        editions.append(parse_edition(text, int(m.group(1)), rel))
    items_df, values = combine_editions(editions)
    return {ITEMS.name: items_df, VALUES.name: values.select(VALUES.column_names)}


STEP = Step(
    name="ssdse_a",
    description="SSDSE-A editions 2018–2026: municipal items × data year (独立行政法人統計センター)",
    sources=("ssdse_a",),
    tables=(ITEMS, VALUES),
    parse=parse,
)
