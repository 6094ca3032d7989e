"""Reading a published one-sheet Excel file (xls or xlsx) as text cells, with errors that name the row and column."""

from __future__ import annotations

import unicodedata

import fastexcel
import polars as pl

from sousei.pipeline.context import StepContext


def read_sheet(ctx: StepContext, rel: str) -> pl.DataFrame:
    """The file's only sheet as strings, columns c0 … cN, with its 1-based sheet row in `row`.

    A second sheet stops the build: the figures could be on either, and guessing is how a table goes wrong quietly.
    """
    reader = fastexcel.read_excel(str(ctx.path(rel)))
    if len(reader.sheet_names) != 1:
        raise ctx.fail("sheets", f"expected one sheet, found {reader.sheet_names}", file=rel)
    df = reader.load_sheet(0, header_row=None, dtypes="string").to_polars()
    df.columns = [f"c{j}" for j in range(df.width)]
    return df.with_row_index("row", offset=1)


def normalize_label(value: object) -> str | None:
    """A header label as compared: NFKC (full-width brackets, Ａ and ～ become ASCII), whitespace and control
    characters removed; None for an empty cell."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cc")
    return text or None


def column_letter(j: int) -> str:
    """The spreadsheet letter of 0-based column j (0 → A, 26 → AA), as a reader of the file would look for it."""
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def cells_to_int(
    ctx: StepContext, rel: str, df: pl.DataFrame, cols: dict[str, str], nullable: set[str]
) -> pl.DataFrame:
    """Columns `cols` (cN → name) as integers ('1234', '1234.0'); a blank where a number is due (a name not in
    `nullable`) or any other text stops the build naming the row and column. Other columns are kept, `row` first."""
    texts = {src: pl.col(src).str.strip_chars() for src in cols}
    bad = df.select(
        "row",
        *[
            (
                (t.is_null() if cols[src] not in nullable else pl.lit(False))
                | ~t.str.contains(r"^-?\d+(\.0+)?$").fill_null(True)
            ).alias(src)
            for src, t in texts.items()
        ],
    )
    if bad.select(pl.any_horizontal(pl.all().exclude("row")).any()).item():
        for src, name in cols.items():
            hit = bad.filter(pl.col(src))
            if hit.height:
                row = int(hit["row"][0])
                value = df.filter(pl.col("row") == row)[src][0]
                raise ctx.fail(
                    "number",
                    f"{hit.height} cells of {name} are not counts, e.g. {value!r}",
                    file=rel,
                    where=f"row {row}, column {column_letter(int(src[1:]))}",
                )
    exprs = [t.str.replace(r"\.0+$", "").cast(pl.Int64).alias(cols[src]) for src, t in texts.items()]
    return df.select("row", *[c for c in df.columns if c not in cols and c != "row"], *exprs)
