"""Reads of the projections: the projection unit (浜通り地域), the 人口戦略会議 class, totals and age bands, and the
人口ビジョン simulator."""

from __future__ import annotations

from typing import Any

from sousei.domain.projection.engine import FEMALE, WOMEN_20_39
from sousei.domain.projection.inputs import HAMADORI_CODE, projection_unit
from sousei.domain.projection.labels import PATTERN1_NAME
from sousei.query.connection import WarehouseConnection

IMPACT_YEAR = 2040


class ProjectionReads(WarehouseConnection):
    """out_projection__* tables and the engine's パターン1 baseline for the simulator."""

    def _load_hamadori(self) -> None:
        self._hamadori: set[str] = set()
        if self.has("core_ipss2023__hamadori_members"):
            self._hamadori = {
                r[0] for r in self._con.execute("SELECT muni_code FROM core_ipss2023__hamadori_members").fetchall()
            }

    def projection_unit(self, code: str) -> str:
        """The unit a municipality is projected as: itself, or 07999 for the 13 members of 浜通り地域."""
        return projection_unit(code, {HAMADORI_CODE: self._hamadori})

    def joint_unit(self, code: str) -> dict[str, Any]:
        """The joint projection unit of a member of 浜通り地域: its code, its members (code, name) and its パターン1
        totals by year (empty where out_projection__population is not loaded)."""
        unit = self.projection_unit(code)
        members = self.memo(
            "hamadori_members",
            lambda: self.rows("SELECT muni_code, name FROM core_ipss2023__hamadori_members ORDER BY muni_code"),
        )
        totals = [
            {"year": r["year"], "persons": r["persons"]}
            for r in self.projection_totals(code)
            if r["scenario"] == "pattern1" and r["year"] in (2020, 2030, 2040, 2050, 2070)
        ]
        return {"code": unit, "name": "浜通り地域", "members": members, "totals": totals}

    def sustainability(self, code: str) -> dict[str, Any] | None:
        """人口戦略会議 (2024) class of the municipality (or of 浜通り地域 07999 for its 13 members), with 影響度."""
        if not self.has("out_projection__sustainability"):
            return None
        table = self.memo(
            "sustainability",
            lambda: {r["muni_code"]: r for r in self.rows("SELECT * FROM out_projection__sustainability")},
        )
        unit = self.projection_unit(code)
        row = table.get(unit)
        if row is None:
            return None
        row = dict(row)
        if self.has("out_projection__impact"):
            impact = self.memo("impact", lambda: self._impact_by_unit())
            row |= impact.get(unit, {})
        row["is_joint_unit"] = unit != code
        return row

    def _impact_by_unit(self) -> dict[str, dict[str, Any]]:
        """影響度 per unit in 2040, the year the 人口ビジョン guidance defines it for (2050 is stored too)."""
        out: dict[str, dict[str, Any]] = {}
        for r in self.rows("SELECT * FROM out_projection__impact WHERE year = ? ORDER BY muni_code", [IMPACT_YEAR]):
            out[r["muni_code"]] = {k: v for k, v in r.items() if k != "muni_code"}
        return out

    def projection_totals(self, code: str) -> list[dict[str, Any]]:
        """Total population per scenario and year of out_projection__population for the municipality's unit."""
        if not self.has("out_projection__population"):
            return []
        rows = self.bulk(
            "projection_totals",
            "SELECT muni_code, scenario, year, sum(persons) FROM out_projection__population GROUP BY ALL "
            "ORDER BY muni_code, scenario, year",
        ).get(self.projection_unit(code), [])
        return [{"scenario": s, "year": y, "persons": p} for s, y, p in rows]

    def simulate(self, code: str, tfr_2030: float, tfr_2040: float, migration_scale: float) -> dict[str, Any] | None:
        """The 人口ビジョン simulator for one unit: パターン1 with a TFR path and scaled migration."""
        sim = self._simulator()
        if sim is None:
            return None
        from sousei.domain.projection.scenarios import simulate

        unit = self.projection_unit(code)
        if unit not in sim.units:
            return None
        i = sim.index(unit)
        # The custom scenario for this unit's row only (the same numbers as the all-unit run's row, in ~1 ms instead
        # of ~30 ms); the パターン1 run is kept per unit.
        result = simulate(sim, "custom", [i], {2030: tfr_2030, 2040: tfr_2040}, migration_scale)[0]
        base = self._pattern1_run(unit)
        years = list(sim.years)
        return {
            "muni_code": code,
            "unit": unit,
            "years": years,
            "baseline": [round(float(v), 1) for v in base.sum(axis=(1, 2))],
            "simulated": [round(float(v), 1) for v in result.sum(axis=(1, 2))],
            "women_20_39_baseline": [round(float(v), 1) for v in base[:, FEMALE, WOMEN_20_39].sum(axis=1)],
            "women_20_39_simulated": [round(float(v), 1) for v in result[:, FEMALE, WOMEN_20_39].sum(axis=1)],
            "baseline_name": PATTERN1_NAME,
            "tfr_2030": tfr_2030,
            "tfr_2040": tfr_2040,
            "migration_scale": migration_scale,
        }

    def _pattern1_run(self, unit: str) -> Any:
        """The unit's パターン1 run (years, 2, 19), computed once per process for the simulator and its table."""
        from sousei.domain.projection.scenarios import simulate

        sim = self._simulator()
        return self.memo(f"pattern1:{unit}", lambda: simulate(sim, "pattern1", [sim.index(unit)])[0])

    def pattern1_assumptions(self, code: str) -> dict[str, Any] | None:
        """パターン1's assumptions for the municipality's unit, per five-year step (what the simulator's sliders are
        read against): the TFR its child–woman ratio implies, the child–woman ratio, and the net migrants of the step
        that パターン1 implies (both sexes: the population aged 5+ at the end minus the survivors of the start). To
        2050 that is IPSS 2023's migration (the anchoring's factors included), not the engine's rates before the
        anchoring; after 2050 the rates the extension holds, with its consistency factors."""
        sim = self._simulator()
        unit = self.projection_unit(code)
        if sim is None or unit not in sim.units:
            return None

        def make() -> dict[str, Any]:
            import numpy as np

            i = sim.index(unit)
            p = sim.params.select([i])
            run = self._pattern1_run(unit)  # (years, 2, 19)
            survival = p.survival[0]  # (steps, 2, 19)
            steps = p.steps
            migrants = [float(run[k + 1][:, 1:].sum() - (run[k] * survival[k]).sum()) for k in range(steps)]
            years = sim.years
            return {
                "unit": unit,
                "periods": [f"{years[k]}〜{years[k + 1]}年" for k in range(steps)],
                "tfr": [float(v) for v in sim.implied_tfr()[i]],
                "cwr": [float(v) for v in np.broadcast_to(p.cwr, (1, steps))[0]],
                "net_migrants": migrants,
                "national_tfr": sim.national_tfr,
                "base_year": sim.base_year,
            }

        return self.memo(f"assumptions:{unit}", make)

    def impact_counts(self) -> dict[tuple[int, int], int]:
        """Number of projection units in each (natural, social) 影響度 cell in IMPACT_YEAR."""
        if not self.has("out_projection__impact"):
            return {}

        def make() -> dict[tuple[int, int], int]:
            rows = self.rows(
                "SELECT natural_impact_level AS n, social_impact_level AS s, count(*) AS k FROM out_projection__impact "
                "WHERE year = ? GROUP BY ALL",
                [IMPACT_YEAR],
            )
            return {(int(r["n"]), int(r["s"])): int(r["k"]) for r in rows}

        return self.memo("impact_matrix", make)

    def classifications(self) -> list[dict[str, Any]] | None:
        """The 人口戦略会議 (2024) class of every projection unit (None where the table is not in this warehouse)."""
        if not self.has("out_projection__sustainability"):
            return None
        return self.rows(
            "SELECT muni_code, sub_class, sustainability_group, change_baseline_pct, change_closed_pct "
            "FROM out_projection__sustainability ORDER BY muni_code"
        )

    def _simulator(self) -> Any:
        """The パターン1 baseline of the projection engine (built once from this warehouse, read-only)."""
        from sousei.projection_api import baseline, has_inputs

        if not has_inputs(self.has):
            return None
        # Read through this warehouse's own connection: the file it opened, even once moved or replaced by a rebuild.
        return self.memo("simulator", lambda: baseline(self.cursor()))

    def projection_age_bands(self, code: str, scenario: str = "pattern1") -> list[dict[str, Any]]:
        """Projected persons per year and 5-year age group (both sexes) of one scenario, for the municipality's unit."""
        if not self.has("out_projection__population"):
            return []
        rows = self.bulk(
            f"projection_bands_{scenario}",
            "SELECT muni_code, year, age_start, sum(persons) FROM out_projection__population "
            f"WHERE scenario = '{scenario}' GROUP BY ALL ORDER BY 1, 2, 3",
        ).get(self.projection_unit(code), [])
        return [{"year": y, "age_start": a, "persons": p} for y, a, p in rows]
