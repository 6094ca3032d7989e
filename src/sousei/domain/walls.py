"""The walls (結婚の壁, 第2子以降の壁): a municipality's births gap against Japan split into a marriage factor and a
marital-fertility factor, with flags; and the environment indicators that move with the gap. Pure numpy / polars.

Method and thresholds: docs/methods/walls.md.

    G = B / W = m · f        B births, W women 25–39, m = married (ever-married) share of W, f = B / (m · W)
    ln(G_i / G_jp) = ln(m_i / m_jp) + ln(f_i / f_jp)      (exact: the two factors add up to the gap)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from sousei.domain.scores import deviation_scores

# A factor at or below −0.05 (log points: about 5% below Japan) flags the wall.
MARRIAGE_WALL_THRESHOLD = -0.05
SECOND_CHILD_WALL_THRESHOLD = -0.05


def decompose_births_gap(
    births: npt.ArrayLike, women: npt.ArrayLike, married_share: npt.ArrayLike, *, national: tuple[float, float, float]
) -> dict[str, np.ndarray]:
    """Factors of each municipality's births gap against `national` = (births, women, married share).

    Returns arrays: fertility (B/W), marital_fertility (B/(m·W)), births_gap, marriage_factor,
    marital_fertility_factor (log points), is_marriage_wall, is_second_child_wall. NaN (and flags False) where
    births, women or the married share are 0 or missing: a log gap is not defined there.
    """
    b = np.asarray(births, dtype=np.float64)
    w = np.asarray(women, dtype=np.float64)
    m = np.asarray(married_share, dtype=np.float64)
    nb, nw, nm = national
    if not (nb > 0 and nw > 0 and 0 < nm <= 1):
        raise ValueError(f"national figures must be positive (births, women) and a share in (0, 1]: {national}")
    if np.any(m[~np.isnan(m)] < 0) or np.any(m[~np.isnan(m)] > 1):
        raise ValueError("married_share must lie in [0, 1]")
    ok = (b > 0) & (w > 0) & (m > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(ok, b / w, np.nan)
        f = np.where(ok, b / (m * w), np.nan)
        g_n = nb / nw
        f_n = nb / (nm * nw)
        gap = np.log(g / g_n)
        marriage = np.log(m / nm)
        marriage = np.where(ok, marriage, np.nan)
        marital = np.log(f / f_n)
    return {
        "fertility": g,
        "marital_fertility": f,
        "births_gap": gap,
        "marriage_factor": marriage,
        "marital_fertility_factor": marital,
        "is_marriage_wall": np.where(ok, marriage <= MARRIAGE_WALL_THRESHOLD, False),
        "is_second_child_wall": np.where(ok, marital <= SECOND_CHILD_WALL_THRESHOLD, False),
    }


def married_share_from_unmarried(unmarried_pct: pl.DataFrame, women: pl.DataFrame) -> pl.DataFrame:
    """Ever-married share of women 25–39: 1 − Σ (unmarried % × women of the age group) / Σ women.

    `unmarried_pct`: muni_code, age_group, unmarried_pct; `women`: muni_code, age_group, women. A municipality with
    a missing rate for one of its groups, or no women, gets NULL (not a share over the other groups only).
    """
    j = women.join(unmarried_pct, on=["muni_code", "age_group"], how="left")
    return j.group_by("muni_code").agg(
        pl.when((pl.col("unmarried_pct").null_count() > 0) | (pl.col("women").sum() <= 0))
        .then(None)
        .otherwise(1 - (pl.col("unmarried_pct") / 100 * pl.col("women")).sum() / pl.col("women").sum())
        .alias("married_share"),
        pl.col("women").sum().alias("women"),
    )


def correlate_with_gap(gap: npt.ArrayLike, values: npt.ArrayLike) -> tuple[float, int]:
    """Pearson correlation across municipalities of the births gap and an indicator's 偏差値 (pairs with both)."""
    g = np.asarray(gap, dtype=np.float64)
    s = deviation_scores(values)
    both = ~np.isnan(g) & ~np.isnan(s)
    n = int(both.sum())
    if n < 3 or np.std(g[both]) == 0 or np.std(s[both]) == 0:
        return float("nan"), n
    return float(np.corrcoef(g[both], s[both])[0, 1]), n
