"""Comparisons per municipality × indicator × data year (pure): value against Japan, its prefecture and its
類似団体 group; 偏差値 over the 1,741 and within the peer group; ranks; change since the previous data year.

Inputs are frames, not the warehouse:

- `values`: indicator_id, muni_code, year, numerator, denominator, value (value NULL/NaN = no data);
- `areas`: muni_code, pref_code, peer_group (the 1,741 municipalities);
- `meta`: indicator_id, direction, aggregate, scale (one row per indicator);
- `published` (optional): indicator_id, level ('national' | 'prefecture'), pref_code, year, value — the national
  and prefecture values of indicators whose entry gives a national_query / prefecture_query.

National and prefecture values: from `published` where the entry gives them; otherwise the ratio of the summed
numerators and denominators (× scale) over the municipalities with a value, which for a rate is the rate of the whole
country / prefecture. The peer value is the simple mean of the group's values (類似団体 mean).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sousei.domain.scores import deviation_scores, oriented, ranks

COMPARISON_COLUMNS = (
    "indicator_id",
    "muni_code",
    "year",
    "value",
    "national_value",
    "prefecture_value",
    "peer_group",
    "peer_mean",
    "deviation_japan",
    "deviation_peer",
    "oriented_japan",
    "oriented_peer",
    "rank_japan",
    "n_japan",
    "rank_prefecture",
    "n_prefecture",
    "previous_year",
    "previous_value",
    "change",
    "oriented_change_score",
)


def compute_values(raw: pl.DataFrame, scale: dict[str, float]) -> pl.DataFrame:
    """value = numerator / denominator × scale; NULL where the denominator is 0 or missing or the result is not
    finite."""
    sc = pl.col("indicator_id").replace_strict(scale, return_dtype=pl.Float64)
    value = pl.col("numerator") / pl.col("denominator") * sc
    return raw.with_columns(
        pl.when(pl.col("denominator").is_not_null() & (pl.col("denominator") != 0) & value.is_finite())
        .then(value)
        .otherwise(None)
        .alias("value")
    )


def aggregate_values(
    values: pl.DataFrame, areas: pl.DataFrame, meta: pl.DataFrame, published: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(national: indicator_id, year, national_value; prefecture: indicator_id, pref_code, year, prefecture_value)."""
    v = values.filter(pl.col("value").is_not_null()).join(areas.select("muni_code", "pref_code"), on="muni_code")
    v = v.join(meta.select("indicator_id", "scale"), on="indicator_id")
    ratio = (pl.col("numerator").sum() / pl.col("denominator").sum() * pl.col("scale").first()).alias("value")
    nat = v.group_by("indicator_id", "year").agg(ratio)
    pref = v.group_by("indicator_id", "pref_code", "year").agg(ratio)
    if published is not None and published.height:
        pub_nat = published.filter(pl.col("level") == "national").select("indicator_id", "year", "value")
        pub_pref = published.filter(pl.col("level") == "prefecture").select(
            "indicator_id", "pref_code", "year", "value"
        )
        overridden = published.select("indicator_id").unique()
        nat = pl.concat(
            [
                nat.join(overridden, on="indicator_id", how="anti"),
                pub_nat.with_columns(pl.col("value").cast(pl.Float64)),
            ]
        )
        pref = pl.concat(
            [
                pref.join(overridden, on="indicator_id", how="anti"),
                pub_pref.with_columns(pl.col("value").cast(pl.Float64)),
            ]
        )
    return (
        nat.rename({"value": "national_value"}),
        pref.rename({"value": "prefecture_value"}),
    )


def compare(
    values: pl.DataFrame, areas: pl.DataFrame, meta: pl.DataFrame, published: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per indicator × municipality × year with a value (see the module docstring)."""
    areas = areas.select("muni_code", "pref_code", "peer_group")
    v = (
        values.select("indicator_id", "muni_code", "year", "numerator", "denominator", "value")
        .filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
        .join(areas, on="muni_code", how="inner")
        .sort("indicator_id", "muni_code", "year")
    )
    if v.height == 0:
        return pl.DataFrame(schema={c: pl.Float64 for c in COMPARISON_COLUMNS})
    nat, pref = aggregate_values(v, areas, meta, published)
    direction = dict(zip(meta["indicator_id"], meta["direction"], strict=True))

    # change since the previous data year of the same indicator and municipality (rows are in that order)
    same = (pl.col("indicator_id") == pl.col("indicator_id").shift(1)) & (
        pl.col("muni_code") == pl.col("muni_code").shift(1)
    )
    v = v.with_columns(
        pl.when(same).then(pl.col("year").shift(1)).alias("previous_year"),
        pl.when(same).then(pl.col("value").shift(1)).alias("previous_value"),
        (pl.col("indicator_id").cast(pl.Categorical).to_physical().cast(pl.Int64) * 10_000 + pl.col("year")).alias(
            "_set"
        ),
        pl.col("peer_group").fill_null("").cast(pl.Categorical).to_physical().alias("_peer"),
        pl.col("pref_code").cast(pl.Categorical).to_physical().alias("_pref"),
    ).with_columns((pl.col("value") - pl.col("previous_value")).alias("change"))

    # One pass over the (indicator, year) comparison sets, on numpy index slices; groups as integer codes.
    x_all = v["value"].to_numpy().astype(np.float64)
    ch_all = v["change"].fill_null(np.nan).to_numpy().astype(np.float64)
    peer_all = v["_peer"].to_numpy()
    pref_all = v["_pref"].to_numpy()
    sets = v["_set"].to_numpy()
    ids = v["indicator_id"].to_list()
    order = np.argsort(sets, kind="stable")
    cols = {k: np.full(v.height, np.nan) for k in ("dj", "dp", "oj", "op", "rj", "rp", "oc")}
    bounds = np.flatnonzero(np.diff(sets[order])) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, v.height], strict=True):
        idx = order[lo:hi]
        d = direction[ids[idx[0]]]
        x, ch = x_all[idx], ch_all[idx]
        dj = deviation_scores(x)
        dp = deviation_scores(x, peer_all[idx])
        dch = deviation_scores(ch) if np.isfinite(ch).sum() > 1 else np.full(ch.shape, np.nan)
        cols["dj"][idx] = dj
        cols["dp"][idx] = dp
        cols["oj"][idx] = oriented(dj, d)  # type: ignore[arg-type]
        cols["op"][idx] = oriented(dp, d)  # type: ignore[arg-type]
        cols["rj"][idx] = ranks(x, d)  # type: ignore[arg-type]
        cols["rp"][idx] = ranks(x, d, pref_all[idx])  # type: ignore[arg-type]
        cols["oc"][idx] = oriented(dch, d)  # type: ignore[arg-type]
    out = v.with_columns(
        pl.Series("deviation_japan", cols["dj"]),
        pl.Series("deviation_peer", cols["dp"]),
        pl.Series("oriented_japan", cols["oj"]),
        pl.Series("oriented_peer", cols["op"]),
        pl.Series("rank_japan", cols["rj"]).cast(pl.Int32),
        pl.len().over("_set").cast(pl.Int32).alias("n_japan"),
        pl.Series("rank_prefecture", cols["rp"]).cast(pl.Int32),
        pl.len().over("_set", "pref_code").cast(pl.Int32).alias("n_prefecture"),
        pl.col("value").mean().over("_set", "peer_group").alias("peer_mean"),
        pl.Series("oriented_change_score", cols["oc"]).fill_nan(None),
    )
    out = out.join(nat, on=["indicator_id", "year"], how="left", maintain_order="left").join(
        pref, on=["indicator_id", "pref_code", "year"], how="left", maintain_order="left"
    )
    return out.select(COMPARISON_COLUMNS)
