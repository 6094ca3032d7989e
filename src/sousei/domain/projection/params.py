"""The frozen parameter object of one projection: survival, migration, fertility (child–woman ratio), sex ratio."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

N_SEXES = 2
N_AGES = 19  # '0-4' … '85-89', '90+'

# シミュレーション1's TFR path, the default of custom scenarios, the CLI and the dashboard simulator: the 長期ビジョン's
# 希望出生率 1.8 by 2030 and the 人口置換水準 2.07 by 2040 (地方人口ビジョン guidance). One definition: the model, the
# CLI, the web app and the simulator's sliders read these.
DEFAULT_TFR_2030 = 1.8
DEFAULT_TFR_2040 = 2.07
DEFAULT_TFR_POINTS: dict[int, float] = {2030: DEFAULT_TFR_2030, 2040: DEFAULT_TFR_2040}


def _frozen(a: np.ndarray | float) -> np.ndarray:
    arr = np.array(a, dtype=np.float64)  # a copy: callers cannot change a parameter object afterwards
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class ProjectionParams:
    """Everything one projection needs besides the base population, for `steps` five-year steps from `base_year`.

    Leading axis `units` of each array is either the number of units projected or 1 (shared by all units).

    survival     (units|1, steps, 2, 19): share of the cohort aged a at the start of step k still alive five years
                 later (at a+1); index 17 is 85-89 → 90+, index 18 is 90+ → 90+.
    migration    (units|1, steps, 2, 19): net migration rate of the same cohort (migrants ÷ survivors), ≥ −1.
    cwr          (units|1, steps): child–woman ratio at the end of step k, persons 0–4 ÷ women 15–49.
    male_share_0_4 (units|1, steps): share of boys among the 0–4 (from the sex ratio at birth / of the 0–4).
    adjustment   (units|1, steps, 2, 19) or None: multiplicative factors applied after step k (consistency of
                 municipalities with their prefecture and of prefectures with the nation, computed once for all
                 units and stored per unit, so that a unit projected alone keeps them).
    """

    base_year: int
    survival: np.ndarray
    migration: np.ndarray
    cwr: np.ndarray
    male_share_0_4: np.ndarray
    adjustment: np.ndarray | None = None
    method: str = ""
    notes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("survival", "migration", "cwr", "male_share_0_4"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        if self.adjustment is not None:
            object.__setattr__(self, "adjustment", _frozen(self.adjustment))
        s, m = self.survival, self.migration
        if s.ndim != 4 or s.shape[2:] != (N_SEXES, N_AGES):
            raise ValueError(f"survival must be (units, steps, 2, {N_AGES}), got {s.shape}")
        if m.ndim != 4 or m.shape[1:] != s.shape[1:]:
            raise ValueError(f"migration must be (units, {s.shape[1]}, 2, {N_AGES}), got {m.shape}")
        steps = s.shape[1]
        for name in ("cwr", "male_share_0_4"):
            arr = getattr(self, name)
            if arr.ndim != 2 or arr.shape[1] != steps:
                raise ValueError(f"{name} must be (units, {steps}), got {arr.shape}")
        if not np.all(np.isfinite(s)) or s.min() < 0 or s.max() > 1:
            raise ValueError("survival ratios must lie in [0, 1]")
        if not np.all(np.isfinite(m)) or m.min() < -1:
            raise ValueError("net migration rates must be finite and ≥ −1 (a cohort cannot lose more than itself)")
        if not np.all(np.isfinite(self.cwr)) or self.cwr.min() < 0:
            raise ValueError("child–woman ratios must be finite and ≥ 0")
        if self.male_share_0_4.min() < 0 or self.male_share_0_4.max() > 1:
            raise ValueError("the share of boys among the 0–4 must lie in [0, 1]")
        adj = self.adjustment
        if adj is not None and (
            adj.ndim != 4 or adj.shape[1:] != (steps, N_SEXES, N_AGES) or not np.all(np.isfinite(adj)) or adj.min() < 0
        ):
            raise ValueError(f"adjustment must be finite factors ≥ 0 shaped (units, {steps}, 2, {N_AGES})")

    @property
    def steps(self) -> int:
        return int(self.survival.shape[1])

    @property
    def years(self) -> list[int]:
        """Base year and the end year of each step."""
        return [self.base_year + 5 * k for k in range(self.steps + 1)]

    @property
    def units(self) -> int:
        """Number of units the arrays are specific to (1 = shared by any number of units)."""
        arrays: tuple[np.ndarray, ...] = (self.survival, self.migration, self.cwr, self.male_share_0_4)
        if self.adjustment is not None:
            arrays += (self.adjustment,)
        return max(a.shape[0] for a in arrays)

    def select(self, idx: np.ndarray | list[int] | slice) -> ProjectionParams:
        """The parameters of a subset of units (arrays shared by all units stay as they are)."""

        def pick(a: np.ndarray) -> np.ndarray:
            return a if a.shape[0] == 1 else a[idx]

        return replace(
            self,
            survival=pick(self.survival),
            migration=pick(self.migration),
            cwr=pick(self.cwr),
            male_share_0_4=pick(self.male_share_0_4),
            adjustment=None if self.adjustment is None else pick(self.adjustment),
        )

    def with_(self, **changes: object) -> ProjectionParams:
        return replace(self, **changes)  # type: ignore[arg-type]
