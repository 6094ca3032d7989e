"""Comparisons per municipality × indicator × data year (pure): value against Japan, its prefecture and its
類似団体 group; 偏差値 over the 1,741 and within the peer group; ranks; change since the previous data year.

Inputs are frames, not the warehouse:

- `values`: indicator_id, muni_code, year, numerator, denominator, value (value NULL/NaN = no data);
- `areas`: muni_code, pref_code, peer_group (the 1,741 municipalities);
- `meta`: indicator_id, direction, aggregate, scale and optionally standardisation (one row per indicator);
- `published` (optional): indicator_id, level ('national' | 'prefecture'), pref_code, year, value — the national
  and prefecture values of indicators whose entry gives a national_query / prefecture_query.

National and prefecture values: from `published` where the entry gives them; the total for a count (aggregate
"sum"); otherwise the ratio of the summed numerators and denominators (× scale) over the municipalities with a value,
which for a rate is the rate of the whole country / prefecture. The peer value is the simple mean of the group's values
(類似団体 mean).

`values` may carry the columns of `reference.mark_reference` (is_reference, reference_reason, in_totals): a 参考値
gets no 偏差値 and no rank and is left out of every comparison set and peer mean; a row with in_totals false is also
left out of the national and prefecture values. 偏差値 are robust (`scores.standardised_scores`, the entry's
standardisation) and lie in 0–100; a count (aggregate "sum") has none.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sousei.domain.indicators.reference import REFERENCE_COLUMNS
from sousei.domain.scores import oriented, ranks, standardised_scores

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
    "is_reference",
    "reference_reason",
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
    v = values.filter(pl.col("value").is_not_null())
    if "in_totals" in v.columns:
        v = v.filter(pl.col("in_totals"))
    v = v.join(areas.select("muni_code", "pref_code"), on="muni_code")
    v = v.join(meta.select("indicator_id", "scale", "aggregate"), on="indicator_id")
    ratio = (
        pl.when(pl.col("aggregate").first() == "sum")
        .then(pl.col("value").sum())
        .otherwise(pl.col("numerator").sum() / pl.col("denominator").sum() * pl.col("scale").first())
        .alias("value")
    )
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
    if "is_reference" not in values.columns:
        values = values.with_columns(
            pl.lit(False).alias("is_reference"),
            pl.lit(None, dtype=pl.Utf8).alias("reference_reason"),
            pl.lit(True).alias("in_totals"),
        )
    keep = ("indicator_id", "muni_code", "year", "numerator", "denominator", "value", *REFERENCE_COLUMNS)
    v = (
        values.select(keep)
        .filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
        .join(areas, on="muni_code", how="inner")
        .sort("indicator_id", "muni_code", "year")
    )
    if v.height == 0:
        return pl.DataFrame(schema={c: pl.Float64 for c in COMPARISON_COLUMNS})
    nat, pref = aggregate_values(v, areas, meta, published)
    direction = dict(zip(meta["indicator_id"], meta["direction"], strict=True))
    scored = dict(zip(meta["indicator_id"], meta["aggregate"] != "sum", strict=True))
    method = dict.fromkeys(meta["indicator_id"], "winsorised")
    if "standardisation" in meta.columns:
        method.update(zip(meta["indicator_id"], meta["standardisation"], strict=True))

    # change since the previous data year of the same indicator and municipality (rows are in that order)
    same = (pl.col("indicator_id") == pl.col("indicator_id").shift(1)) & (
        pl.col("muni_code") == pl.col("muni_code").shift(1)
    )
    v = v.with_columns(
        pl.when(same).then(pl.col("year").shift(1)).alias("previous_year"),
        pl.when(same).then(pl.col("value").shift(1)).alias("previous_value"),
        pl.when(same).then(pl.col("is_reference").shift(1)).fill_null(False).alias("_previous_reference"),
        (pl.col("indicator_id").cast(pl.Categorical).to_physical().cast(pl.Int64) * 10_000 + pl.col("year")).alias(
            "_set"
        ),
        pl.col("peer_group").fill_null("").cast(pl.Categorical).to_physical().alias("_peer"),
        pl.col("pref_code").cast(pl.Categorical).to_physical().alias("_pref"),
    ).with_columns((pl.col("value") - pl.col("previous_value")).alias("change"))

    # One pass over the (indicator, year) comparison sets, on numpy index slices; groups as integer codes.
    # a 参考値 (and a change from or to one) is in no comparison set: NaN leaves it out of scores and ranks
    ref_all = v["is_reference"].to_numpy()
    x_all = np.where(ref_all, np.nan, v["value"].to_numpy().astype(np.float64))
    ch_all = np.where(
        ref_all | v["_previous_reference"].to_numpy(),
        np.nan,
        v["change"].fill_null(np.nan).to_numpy().astype(np.float64),
    )
    peer_all = v["_peer"].to_numpy()
    pref_all = v["_pref"].to_numpy()
    sets = v["_set"].to_numpy()
    ids = v["indicator_id"].to_list()
    order = np.argsort(sets, kind="stable")
    cols = {k: np.full(v.height, np.nan) for k in ("dj", "dp", "oj", "op", "rj", "rp", "oc")}
    bounds = np.flatnonzero(np.diff(sets[order])) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, v.height], strict=True):
        idx = order[lo:hi]
        ind = ids[idx[0]]
        d = direction[ind]
        x, ch = x_all[idx], ch_all[idx]
        cols["rj"][idx] = ranks(x, d)  # type: ignore[arg-type]
        cols["rp"][idx] = ranks(x, d, pref_all[idx])  # type: ignore[arg-type]
        if not scored[ind]:
            continue  # a count is ranked by size but never scored
        m = method[ind]
        dj = standardised_scores(x, m)  # type: ignore[arg-type]
        dp = standardised_scores(x, m, peer_all[idx])  # type: ignore[arg-type]
        # a change is a difference (any sign): always the winsorised standardisation
        dch = standardised_scores(ch) if np.isfinite(ch).sum() > 1 else np.full(ch.shape, np.nan)
        cols["dj"][idx] = dj
        cols["dp"][idx] = dp
        cols["oj"][idx] = oriented(dj, d)  # type: ignore[arg-type]
        cols["op"][idx] = oriented(dp, d)  # type: ignore[arg-type]
        cols["oc"][idx] = oriented(dch, d)  # type: ignore[arg-type]
    compared = (~pl.col("is_reference")).cast(pl.Int32)
    out = v.with_columns(
        pl.Series("deviation_japan", cols["dj"]).fill_nan(None),
        pl.Series("deviation_peer", cols["dp"]).fill_nan(None),
        pl.Series("oriented_japan", cols["oj"]).fill_nan(None),
        pl.Series("oriented_peer", cols["op"]).fill_nan(None),
        pl.Series("rank_japan", cols["rj"]).fill_nan(None).cast(pl.Int32),
        pl.when(~pl.col("is_reference")).then(compared.sum().over("_set")).cast(pl.Int32).alias("n_japan"),
        pl.Series("rank_prefecture", cols["rp"]).fill_nan(None).cast(pl.Int32),
        pl.when(~pl.col("is_reference"))
        .then(compared.sum().over("_set", "pref_code"))
        .cast(pl.Int32)
        .alias("n_prefecture"),
        pl.when(~pl.col("is_reference")).then(pl.col("value")).mean().over("_set", "peer_group").alias("peer_mean"),
        pl.Series("oriented_change_score", cols["oc"]).fill_nan(None),
    )
    out = out.join(nat, on=["indicator_id", "year"], how="left", maintain_order="left").join(
        pref, on=["indicator_id", "pref_code", "year"], how="left", maintain_order="left"
    )
    return out.select(COMPARISON_COLUMNS)
