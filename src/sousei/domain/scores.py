"""偏差値 (deviation scores) and ranks over an explicit comparison set; pure numpy, NaN = no data.

`deviation_scores` is the textbook formula; `standardised_scores` the robust one every page shows (the registry
says which standardisation each indicator uses).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

Direction = Literal["higher_better", "lower_better", "neutral"]
FloatArray = npt.NDArray[np.float64]


def deviation_scores(values: npt.ArrayLike, groups: npt.ArrayLike | None = None) -> FloatArray:
    """50 + 10·(x − mean)/sd with the population sd, over all values or within each group.

    Missing values (NaN) stay NaN and are left out of the mean and sd. A comparison set whose sd is 0 (all equal,
    or a single member) gives 50 for each member: it is at its set's mean.
    """
    x = np.asarray(values, dtype=np.float64)
    out = np.full(x.shape, np.nan)
    if groups is None:
        _fill_scores(x, np.ones(x.shape, dtype=bool), out)
        return out
    g = np.asarray(groups)
    for key in np.unique(g[~_is_missing(g)]):
        _fill_scores(x, g == key, out)
    return out


def _is_missing(g: np.ndarray) -> np.ndarray:
    if g.dtype.kind == "f":
        return np.isnan(g)
    return np.array([v is None for v in g], dtype=bool) if g.dtype == object else np.zeros(g.shape, dtype=bool)


def _fill_scores(x: FloatArray, members: np.ndarray, out: FloatArray) -> None:
    sel = members & ~np.isnan(x)
    if not sel.any():
        return
    vals = x[sel]
    sd = vals.std()
    out[sel] = 50.0 if sd == 0 else 50.0 + 10.0 * (vals - vals.mean()) / sd


def oriented(scores: FloatArray, direction: Direction) -> FloatArray:
    """Scores turned so that higher is better (lower-is-better indicators mirror around 50); neutral unchanged."""
    return 100.0 - scores if direction == "lower_better" else scores


def ranks(values: npt.ArrayLike, direction: Direction, groups: npt.ArrayLike | None = None) -> FloatArray:
    """Rank 1 = best (largest value unless lower is better; largest for neutral), ties share the best rank."""
    x = np.asarray(values, dtype=np.float64)
    key = -x if direction != "lower_better" else x
    out = np.full(x.shape, np.nan)
    g = np.zeros(x.shape, dtype=np.int64) if groups is None else np.asarray(groups)
    for grp in np.unique(g):
        sel = (g == grp) & ~np.isnan(x)
        k = key[sel]
        # rank = 1 + number of members strictly better (min-rank for ties)
        sorted_k = np.sort(k)
        out[sel] = 1 + np.searchsorted(sorted_k, k, side="left")
    return out


# Robust standardisation (docs/methods/deviation.md). The centre and scale of a comparison set are the mean and the
# population sd of its values winsorised at these percentiles, so that one municipality with an extreme value (a
# rate on a tiny base, an evacuated town) cannot widen the sd until everyone else sits at 50.
WINSOR_LOW_PCT = 1.0
WINSOR_HIGH_PCT = 99.0
# Displayed 偏差値 stay within this range; a score beyond it shows as 「100以上」/「0以下」 beside its raw value.
SCORE_MIN = 0.0
SCORE_MAX = 100.0

Standardisation = Literal["winsorised", "log_winsorised"]
STANDARDISATIONS: dict[str, str] = {
    "winsorised": "平均と標準偏差を上下1%で丸めた値（ウィンザー化）から計算",
    "log_winsorised": (
        "値の対数をとり、上下1%で丸めた値の平均と標準偏差から計算（0以下は正の値の1パーセンタイルに置換）"
    ),
}


def standardised_scores(
    values: npt.ArrayLike, method: Standardisation = "winsorised", groups: npt.ArrayLike | None = None
) -> FloatArray:
    """Robust 偏差値 over all values or within each group, clipped to [SCORE_MIN, SCORE_MAX].

    `method` "winsorised": 50 + 10·(x − m)/s with m, s the mean and population sd of the set's values winsorised at
    the 1st/99th percentiles; "log_winsorised": the same on ln x (for per-capita amounts and densities, which are
    skewed: values ≤ 0 are raised to the set's 1st percentile of positive values first; a set without positive values
    stays on the plain scale). NaN stays NaN; a set whose winsorised sd is 0 scores 50. Vectorised over the groups
    (one sort), since the build scores ~20,000 peer-group sets.
    """
    x = np.asarray(values, dtype=np.float64)
    out = np.full(x.shape, np.nan)
    sel = ~np.isnan(x)
    if groups is not None:
        g = np.asarray(groups)
        sel &= ~_is_missing(g)
    if not sel.any():
        return out
    if groups is None:
        inv = np.zeros(int(sel.sum()), dtype=np.int64)
    else:
        inv = np.unique(g[sel], return_inverse=True)[1].astype(np.int64).ravel()
    k = int(inv.max()) + 1
    vals = x[sel]
    if method == "log_winsorised":
        positive = vals > 0
        floor = _group_percentile(vals[positive], inv[positive], k, WINSOR_LOW_PCT)[inv]
        with np.errstate(invalid="ignore", divide="ignore"):
            vals = np.where(np.isnan(floor), vals, np.log(np.maximum(vals, floor)))
    lo = _group_percentile(vals, inv, k, WINSOR_LOW_PCT)[inv]
    hi = _group_percentile(vals, inv, k, WINSOR_HIGH_PCT)[inv]
    clipped = np.clip(vals, lo, hi)
    counts = np.bincount(inv, minlength=k)
    mean = (np.bincount(inv, weights=clipped, minlength=k) / counts)[inv]
    sd = np.sqrt(np.bincount(inv, weights=(clipped - mean) ** 2, minlength=k) / counts)[inv]
    with np.errstate(invalid="ignore", divide="ignore"):
        # sd within float noise of 0 (all values equal; sums of equal values need not be exact) scores 50
        flat = sd <= 1e-12 * np.abs(mean)
        scores = np.where(flat | (sd == 0), 50.0, 50.0 + 10.0 * (vals - mean) / sd)
    out[sel] = np.clip(scores, SCORE_MIN, SCORE_MAX)
    return out


def _group_percentile(v: FloatArray, inv: np.ndarray, k: int, q: float) -> FloatArray:
    """The q-th percentile (numpy's default, linear interpolation) of `v` within each of the k groups `inv`; NaN for a
    group without values."""
    out = np.full(k, np.nan)
    if v.size == 0:
        return out
    sv = v[np.lexsort((v, inv))]
    counts = np.bincount(inv, minlength=k)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    has = counts > 0
    pos = starts[has] + q / 100.0 * (counts[has] - 1)
    below = np.floor(pos).astype(np.int64)
    above = np.minimum(below + 1, starts[has] + counts[has] - 1)
    out[has] = sv[below] + (pos - below) * (sv[above] - sv[below])
    return out
