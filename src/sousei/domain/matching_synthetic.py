"""Synthetic 伴走支援 instances (seeded): invented officials and applications for the benchmark, tests and the demo.

Every person made here is fictitious and labelled so (names start with 「架空」). Municipality codes are passed in
by the caller (the demo uses real codes from the warehouse; the benchmark uses placeholders).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sousei.domain.matching import STAGES, Municipality, Official

SYNTHETIC_PREFIX = "架空"


def make_instance(
    n_officials: int,
    municipality_codes: Sequence[str],
    field_ids: Sequence[str],
    ministries: Sequence[str],
    seed: int = 0,
    municipality_names: Sequence[str] | None = None,
    conflict_rate: float = 0.01,
) -> tuple[list[Official], list[Municipality]]:
    """Officials with 2–4 fields (strength 1–3), municipalities with 2–5 themes (priority 1–3).

    Field popularity falls off with its position in `field_ids`, as in the deck where 観光 (22 teams), 産業振興 (21)
    and まちづくり (19) lead: put the popular fields first.
    """
    rng = np.random.default_rng(seed)
    n_f = len(field_ids)
    popularity = 1.0 / (1.0 + np.arange(n_f) * 0.15)
    popularity /= popularity.sum()
    pref_codes = sorted({c[:2] for c in municipality_codes}) or ["13"]
    names = list(municipality_names) if municipality_names is not None else [f"市町村{c}" for c in municipality_codes]
    officials: list[Official] = []
    for i in range(n_officials):
        n_fields = int(rng.integers(2, 5))
        fields = rng.choice(n_f, size=min(n_fields, n_f), replace=False, p=popularity)
        strengths = {field_ids[f]: int(rng.integers(1, 4)) for f in fields}
        home = str(rng.choice(pref_codes)) if rng.random() < 0.6 else None
        yukari = frozenset(str(p) for p in rng.choice(pref_codes, size=int(rng.integers(0, 3))))
        conflicts = frozenset(str(c) for c in municipality_codes if rng.random() < conflict_rate)
        officials.append(
            Official(
                id=f"S{i + 1:04d}",
                name=f"{SYNTHETIC_PREFIX}支援官{i + 1:04d}",
                ministry=str(ministries[int(rng.integers(0, len(ministries)))]),
                stage=STAGES[i % len(STAGES)],
                strengths=strengths,
                home_pref=home,
                yukari=yukari,
                conflicts=conflicts,
            )
        )
    munis: list[Municipality] = []
    for code, name in zip(municipality_codes, names, strict=True):
        n_themes = int(rng.integers(2, 6))
        themes = rng.choice(n_f, size=min(n_themes, n_f), replace=False, p=popularity)
        munis.append(Municipality(code=code, name=name, themes={field_ids[f]: int(rng.integers(1, 4)) for f in themes}))
    return officials, munis
