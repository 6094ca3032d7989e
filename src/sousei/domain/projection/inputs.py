"""Long frames (as the warehouse holds them) ↔ the engine's arrays; joint projection units. No I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from sousei.domain.projection.engine import AGE_GROUPS, SEXES
from sousei.domain.projection.params import N_AGES

AGE_INDEX = {a: i for i, a in enumerate(AGE_GROUPS)}
SEX_INDEX = {s: i for i, s in enumerate(SEXES)}


def population_array(frame: pl.DataFrame, codes: Sequence[str], code_col: str = "muni_code") -> np.ndarray:
    """(units, 2, 19) from long rows (code, sex 'male'/'female', age_group, persons) of one year.

    Raises ValueError naming what is missing or unknown: every code × sex × age must be present exactly once.
    """
    idx = {c: i for i, c in enumerate(codes)}
    f = frame.filter(pl.col(code_col).is_in(list(codes)))
    unknown_age = set(f["age_group"].unique()) - set(AGE_INDEX)
    unknown_sex = set(f["sex"].unique()) - set(SEX_INDEX)
    if unknown_age or unknown_sex:
        raise ValueError(f"unknown age groups {sorted(unknown_age)} or sexes {sorted(unknown_sex)}")
    if f.height != len(codes) * 2 * N_AGES:
        have = set(f[code_col].unique())
        raise ValueError(
            f"expected {len(codes) * 2 * N_AGES} rows (code × sex × age), got {f.height}; "
            f"codes without rows: {sorted(set(codes) - have)[:5]}"
        )
    out = np.full((len(codes), 2, N_AGES), np.nan)
    u = np.array([idx[c] for c in f[code_col].to_list()])
    s = np.array([SEX_INDEX[x] for x in f["sex"].to_list()])
    a = np.array([AGE_INDEX[x] for x in f["age_group"].to_list()])
    out[u, s, a] = f["persons"].cast(pl.Float64).to_numpy()
    if np.isnan(out).any():
        raise ValueError("a code × sex × age cell appears twice or not at all")
    return out


def group_units(
    pop: np.ndarray, codes: Sequence[str], joint: Mapping[str, Sequence[str]]
) -> tuple[list[str], np.ndarray]:
    """Replace the members of each joint unit (code → member codes) by one row, their sum, placed last.

    Returns (unit codes, array). The order of the other codes is kept.
    """
    members = {m for ms in joint.values() for m in ms}
    missing = members - set(codes)
    if missing:
        raise ValueError(f"joint-unit members not among the codes: {sorted(missing)}")
    keep = [i for i, c in enumerate(codes) if c not in members]
    units = [codes[i] for i in keep]
    rows = [pop[keep]]
    pos = {c: i for i, c in enumerate(codes)}
    for code, ms in joint.items():
        units.append(code)
        rows.append(pop[[pos[m] for m in ms]].sum(axis=0, keepdims=True))
    return units, np.concatenate(rows, axis=0)


def long_frame(result: np.ndarray, codes: Sequence[str], years: Sequence[int]) -> pl.DataFrame:
    """(units, years, 2, 19) → long rows (muni_code, year, sex, age_group, age_start, persons)."""
    n_units, n_years = result.shape[:2]
    if n_units != len(codes) or n_years != len(years):
        raise ValueError("codes or years do not match the result's shape")
    reps = 2 * N_AGES
    return pl.DataFrame(
        {
            "muni_code": np.repeat(np.asarray(codes, dtype=object), n_years * reps),
            "year": np.tile(np.repeat(np.asarray(years, dtype=np.int32), reps), n_units),
            "sex": np.tile(np.repeat(np.asarray(SEXES, dtype=object), N_AGES), n_units * n_years),
            "age_group": np.tile(np.asarray(AGE_GROUPS, dtype=object), n_units * n_years * 2),
            "age_start": np.tile(np.arange(0, 95, 5, dtype=np.int32), n_units * n_years * 2),
            "persons": result.reshape(-1),
        },
        schema={
            "muni_code": pl.String,
            "year": pl.Int32,
            "sex": pl.String,
            "age_group": pl.String,
            "age_start": pl.Int32,
            "persons": pl.Float64,
        },
    )
