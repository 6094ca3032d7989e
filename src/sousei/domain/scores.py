"""偏差値 (deviation scores) and ranks over an explicit comparison set; pure numpy, NaN = no data."""

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
