"""Golden tests: every indicator of the population, women's-work, economy and living families for 札幌市 (01100),
鳥取市 (31201) and 中札内村 (01638), against values this test computes itself from the raw bundle files (csv / json /
fastexcel), not through the pipeline."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path

import duckdb
import fastexcel
import pytest

from sousei.domain.indicators.registry import indicators

GOLDEN = ("01100", "31201", "01638")
FAMILIES = ("population", "women_work", "economy", "living")
INDUSTRY_SUFFIXES = ("32", "33", "35", "36", "37", "38", "39", "40", "41", "44", "45", "46", "47", "48", "49", "50",
                     "51", "52")  # fmt: skip


@pytest.fixture(scope="module")
def raw(data_dir: Path) -> Raw:
    return Raw(data_dir)


class Raw:
    """The raw files, read directly."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = data_dir

    @cache  # noqa: B019 - one instance per test module
    def ssdse(self) -> dict[tuple[str, str, int], float]:
        """(muni, item, data year) → value, the newest edition carrying it winning (2018 edition skipped: it writes
        codes in full-width digits and carries no year the indicators' latest values come from)."""
        out: dict[tuple[str, str, int], float] = {}
        for edition in range(2019, 2027):
            text = (self.dir / f"ssdse_a/SSDSE-A-{edition}.csv").read_bytes().decode("cp932")
            rows = list(csv.reader(io.StringIO(text)))
            codes, years = rows[0], rows[1]
            for row in rows[3:]:
                if not row or not row[0].startswith("R"):
                    continue
                muni = row[0][1:]
                for j in range(3, len(row)):
                    cell = row[j].strip().replace(",", "")
                    try:
                        out[(muni, codes[j].strip(), int(years[j]))] = float(cell)
                    except ValueError:
                        continue
        return out

    def s(self, muni: str, item: str, year: int) -> float:
        return self.ssdse()[(muni, item, year)]

    def japan(self, item: str, year: int) -> float:
        return sum(v for (m, i, y), v in self.ssdse().items() if i == item and y == year)

    @cache  # noqa: B019
    def census_2020(self) -> dict[tuple[str, str], list[str]]:
        """(area code, sex code '0'/'1'/'2') → the row of table 2-7-1 (国籍総数), by the name header."""
        rows = list(csv.reader((self.dir / "census/2020/population_census_2020.csv").open(encoding="utf-8-sig")))
        header = next(r for r in rows if "20～24歳" in r)
        self.census_cols = {name: j for j, name in enumerate(header)}
        out: dict[tuple[str, str], list[str]] = {}
        for r in rows:
            if len(r) > 20 and r[0] == "2020_01" and r[6] == "0":
                out.setdefault((r[8], r[4]), r)
        return out

    @cache  # noqa: B019
    def childcare(self, sheet: str) -> dict[tuple[str, str], list[float]]:
        """(都道府県, 市区町村) → the numbers of the row (columns E on) of a sheet of the childcare workbook."""
        book = fastexcel.read_excel(self.dir / "childcare/hoiku_torimatome_r7_04.xlsx")
        frame = book.load_sheet_by_name(sheet, header_row=None).to_polars()
        return {
            (str(r[2]), str(r[3])): [float(x) for x in r[4:]]
            for r in frame.iter_rows()
            if r[2] is not None and r[3] is not None and str(r[1]).strip().isdigit()
        }

    def children(self, muni: str, ages0_4: float, ages5_9: float) -> float:
        """A share of the children 0–4 plus a share of 5–9 (census 2020, as published, both sexes)."""
        return ages0_4 * self.census(muni, "0", "0～4歳") + ages5_9 * self.census(muni, "0", "5～9歳")

    def census(self, muni: str, sex: str, age: str) -> float:
        cell = self.census_2020()[(muni, sex)][self.census_cols[age]]
        return 0.0 if cell == "-" else float(cell.replace(",", ""))  # '-': 当該数値がないもの (none)

    @cache  # noqa: B019
    def resas(self) -> dict[str, dict[str, str]]:
        text = (self.dir / "economy/resas_municipal_2016_output_cp932.csv").read_bytes().decode("cp932")
        rows = list(csv.reader(io.StringIO(text)))
        return {r[2].zfill(5): dict(zip(rows[0], r, strict=False)) for r in rows[1:]}

    def ipss_2023(self, muni: str) -> dict[int, float]:
        data = json.loads((self.dir / "ipss/2023/ipss2023_municipality_population_projections.json").read_text())
        rec = next(r for r in data["records"] if r["code"] == muni)
        return {y: v[0] for y, v in zip(data["years"], rec["values"], strict=True)}

    def income(self, muni: str) -> float:
        return json.loads((self.dir / "income/income_per_taxpayer_r6.json").read_text())[muni]

    def food(self, muni: str) -> tuple[float, float]:
        with (self.dir / "food_access/maff_food_access_2020_municipal_extract.csv").open(encoding="utf-8") as f:
            row = next(r for r in csv.DictReader(f) if r["code"] == muni)
        return float(row["maff_difficulty_pop_65plus"]), float(row["pop65_census2020_mesh"])

    @cache  # noqa: B019
    def fiscal_r3(self) -> dict[str, dict[str, str]]:
        sheet = fastexcel.read_excel(self.dir / "fiscal/city/R3.xlsx").load_sheet(0, header_row=None, dtypes="string")
        rows = sheet.to_polars().rows()
        h = next(i for i, r in enumerate(rows) if r[0] == "団体コード")
        return {r[0][:5]: dict(zip(rows[h], r, strict=True)) for r in rows[h + 1 :] if r[0] and r[0][:5].isdigit()}

    def donations_r2(self, muni: str) -> float:
        sheet = fastexcel.read_excel(self.dir / "furusato/donations/R2_gain.xlsx").load_sheet(
            0, header_row=None, dtypes="string"
        )
        row = next(r for r in sheet.to_polars().rows() if r[0] and r[0][:5] == muni)
        return float(row[4])  # block ① 令和２年度に受け入れた寄附件数、金額 → 寄附金額

    def deduction_r3(self, pref: str, name: str) -> float:
        rows = fastexcel.read_excel(self.dir / "furusato/deductions/R3_loss.xlsx").load_sheet(
            0, header_row=None, dtypes="string"
        )
        rows = rows.to_polars().rows()
        block = next(j for r in rows[:20] for j, c in enumerate(r) if c == "ふるさと納税に係る寄附金税額控除")
        col = min(j for r in rows[:20] for j, c in enumerate(r) if j >= block and c and c.startswith("控除額"))
        row = next(r for r in rows if r[0] == pref and r[1] == name)
        return float(row[col])


def _pop(raw: Raw, m: str, year: int) -> float:
    return raw.s(m, "A1101", 2020 if year >= 2020 else 2015)


def _known(raw: Raw, m: str) -> float:
    return sum(raw.s(m, i, 2020) for i in ("A1301", "A1302", "A1303"))


def _labour(raw: Raw, m: str, sex: str) -> tuple[float, float, float]:
    suffix = {"female": "02", "male": "01"}[sex]
    return tuple(raw.s(m, f"{item}{suffix}", 2020) for item in ("F1102", "F1107", "F1108"))  # type: ignore[return-value]


def _specialization(raw: Raw, m: str, suffix: str) -> float:
    share = raw.s(m, f"C2208{suffix}", 2021) / raw.s(m, "C2208", 2021)
    return share / (raw.japan(f"C2208{suffix}", 2021) / raw.japan("C2208", 2021))


def _specialization_of(suffix: str, raw: Raw, m: str) -> float:
    return _specialization(raw, m, suffix)


def _fiscal(raw: Raw, m: str, column: str) -> float:
    cell = raw.fiscal_r3()[m][column]
    return 0.0 if cell.strip() in {"-", "－"} else float(cell)


def _applicants(raw: Raw, m: str) -> list[float]:
    return raw.childcare("申込者の状況")[(PREF_NAME[m[:2]], MUNI_NAME[m])]


def _capacity(raw: Raw, m: str) -> list[float]:
    return raw.childcare("定員の状況")[(PREF_NAME[m[:2]], MUNI_NAME[m])]


PREF_NAME = {"01": "北海道", "31": "鳥取県"}
MUNI_NAME = {"01100": "札幌市", "31201": "鳥取市", "01638": "中札内村"}

Expected = Callable[[Raw, str], float]
# indicator id → (data year compared, the value computed from the raw files)
EXPECTED: dict[str, tuple[int, Expected]] = {
    "pop_total": (2020, lambda r, m: r.s(m, "A1101", 2020)),
    "pop_change_5y_pct": (2020, lambda r, m: (r.s(m, "A1101", 2020) / r.s(m, "A1101", 2015) - 1) * 100),
    "pop_aging_rate_pct": (2020, lambda r, m: r.s(m, "A1303", 2020) / _known(r, m) * 100),
    "pop_share_75plus_pct": (2020, lambda r, m: r.s(m, "A1419", 2020) / _known(r, m) * 100),
    "pop_child_share_pct": (2020, lambda r, m: r.s(m, "A1301", 2020) / _known(r, m) * 100),
    "pop_working_age_share_pct": (2020, lambda r, m: r.s(m, "A1302", 2020) / _known(r, m) * 100),
    "pop_old_age_dependency": (2020, lambda r, m: r.s(m, "A1303", 2020) / r.s(m, "A1302", 2020) * 100),
    "pop_women_20_39_share_pct": (
        2020,
        lambda r, m: (
            sum(r.census(m, "2", a) for a in ("20～24歳", "25～29歳", "30～34歳", "35～39歳"))
            / (r.census(m, "0", "総数") - r.census(m, "0", "年齢「不詳」"))
            * 100
        ),
    ),
    "pop_density_habitable_km2": (2020, lambda r, m: r.s(m, "A1101", 2020) / r.s(m, "B1103", 2020) * 100),
    "pop_household_size": (2020, lambda r, m: r.s(m, "A710201", 2020) / r.s(m, "A710101", 2020)),
    "pop_single_household_share_pct": (2020, lambda r, m: r.s(m, "A810105", 2020) / r.s(m, "A710101", 2020) * 100),
    "pop_elderly_alone_share_pct": (2020, lambda r, m: r.s(m, "A8301", 2020) / r.s(m, "A710101", 2020) * 100),
    "pop_foreign_share_pct": (2020, lambda r, m: r.s(m, "A1700", 2020) / r.s(m, "A1101", 2020) * 100),
    "pop_natural_change_per_1000": (
        2023,
        lambda r, m: (r.s(m, "A4101", 2023) - r.s(m, "A4200", 2023)) / r.s(m, "A1101", 2020) * 1000,
    ),
    "pop_projected_change_2050_pct": (2050, lambda r, m: (r.ipss_2023(m)[2050] / r.ipss_2023(m)[2020] - 1) * 100),
    "women_employment_rate_pct": (2020, lambda r, m: (lambda e, u, n: e / (e + u + n) * 100)(*_labour(r, m, "female"))),
    "women_labour_force_rate_pct": (
        2020,
        lambda r, m: (lambda e, u, n: (e + u) / (e + u + n) * 100)(*_labour(r, m, "female")),
    ),
    "women_unemployment_rate_pct": (2020, lambda r, m: (lambda e, u, n: u / (e + u) * 100)(*_labour(r, m, "female"))),
    "women_share_of_employed_pct": (2020, lambda r, m: r.s(m, "F110202", 2020) / r.s(m, "F1102", 2020) * 100),
    "women_employment_gap_ratio": (
        2020,
        lambda r, m: (lambda f, ma: (f[0] / sum(f)) / (ma[0] / sum(ma)))(
            _labour(r, m, "female"), _labour(r, m, "male")
        ),
    ),
    "men_employment_rate_pct": (2020, lambda r, m: (lambda e, u, n: e / (e + u + n) * 100)(*_labour(r, m, "male"))),
    "econ_establishments_per_1000": (2021, lambda r, m: r.s(m, "C2108", 2021) / _pop(r, m, 2021) * 1000),
    "econ_jobs_per_100_residents": (2021, lambda r, m: r.s(m, "C2208", 2021) / _pop(r, m, 2021) * 100),
    **{f"econ_specialization_{s}": (2021, partial(_specialization_of, s)) for s in INDUSTRY_SUFFIXES},
    "econ_value_added_per_capita": (
        2016,
        lambda r, m: float(r.resas()[m]["付加価値額（企業単位）"]) * 1000 / float(r.resas()[m]["人口2015"]),
    ),
    "econ_labour_productivity": (2016, lambda r, m: float(r.resas()[m]["労働生産性（企業単位）"])),
    "econ_income_per_taxpayer": (2023, lambda r, m: r.income(m)),
    "econ_fiscal_strength_index": (2021, lambda r, m: _fiscal(r, m, "財政力指数")),
    "econ_current_balance_ratio_pct": (2021, lambda r, m: _fiscal(r, m, "経常収支比率")),
    "econ_real_debt_service_ratio_pct": (2021, lambda r, m: _fiscal(r, m, "実質公債費比率")),
    "econ_future_burden_ratio_pct": (2021, lambda r, m: _fiscal(r, m, "将来負担比率")),
    "econ_laspeyres_index": (2021, lambda r, m: _fiscal(r, m, "ラスパイレス指数")),
    "econ_local_tax_per_capita": (2022, lambda r, m: r.s(m, "D320101", 2022) / r.s(m, "A1101", 2020)),
    "econ_furusato_inflow_per_capita": (2020, lambda r, m: r.donations_r2(m) / r.s(m, "A1101", 2020)),
    "econ_furusato_deduction_per_capita": (
        2021,
        lambda r, m: r.deduction_r3(PREF_NAME[m[:2]], MUNI_NAME[m]) / r.s(m, "A1101", 2020),
    ),
    "econ_unemployment_rate_pct": (
        2020,
        lambda r, m: r.s(m, "F1107", 2020) / (r.s(m, "F1102", 2020) + r.s(m, "F1107", 2020)) * 100,
    ),
    "econ_primary_sector_share_pct": (2020, lambda r, m: r.s(m, "F2201", 2020) / r.s(m, "F1102", 2020) * 100),
    "econ_secondary_sector_share_pct": (2020, lambda r, m: r.s(m, "F2211", 2020) / r.s(m, "F1102", 2020) * 100),
    "econ_tertiary_sector_share_pct": (2020, lambda r, m: r.s(m, "F2221", 2020) / r.s(m, "F1102", 2020) * 100),
    "living_food_access_difficulty_65plus_pct": (2020, lambda r, m: (lambda d, p: d / p * 100)(*r.food(m))),
    "living_doctors_per_10000": (2022, lambda r, m: r.s(m, "I6100", 2022) / r.s(m, "A1101", 2020) * 10000),
    "living_dentists_per_10000": (2022, lambda r, m: r.s(m, "I6200", 2022) / r.s(m, "A1101", 2020) * 10000),
    "living_pharmacists_per_10000": (2022, lambda r, m: r.s(m, "I6300", 2022) / r.s(m, "A1101", 2020) * 10000),
    "living_hospitals_per_10000": (2023, lambda r, m: r.s(m, "I510120", 2023) / r.s(m, "A1101", 2020) * 10000),
    "living_clinics_per_10000": (2023, lambda r, m: r.s(m, "I5102", 2023) / r.s(m, "A1101", 2020) * 10000),
    "living_dental_clinics_per_10000": (2023, lambda r, m: r.s(m, "I5103", 2023) / r.s(m, "A1101", 2020) * 10000),
    "living_hospital_beds_per_10000": (
        2020,
        lambda r, m: float(r.resas()[m]["医療需給_推移_病床数（病床種類別）"]) / r.s(m, "A1101", 2020) * 10000,
    ),
    "living_childcare_per_1000_children": (
        2023,
        lambda r, m: r.s(m, "J250302", 2023) / r.census(m, "0", "0～4歳") * 1000,
    ),
    "living_pupils_per_elementary_school": (2024, lambda r, m: r.s(m, "E2501", 2024) / r.s(m, "E2101", 2024)),
    "living_pupils_per_teacher": (2024, lambda r, m: r.s(m, "E2501", 2024) / r.s(m, "E2401", 2024)),
    "living_elementary_schools_per_10000": (2024, lambda r, m: r.s(m, "E2101", 2024) / r.s(m, "A1101", 2020) * 1e4),
    "living_high_schools_per_10000": (2024, lambda r, m: r.s(m, "E4101", 2024) / r.s(m, "A1101", 2020) * 1e4),
    "living_libraries_per_100000": (2021, lambda r, m: r.s(m, "G1401", 2021) / r.s(m, "A1101", 2020) * 1e5),
    "living_community_halls_per_100000": (2021, lambda r, m: r.s(m, "G1201", 2021) / r.s(m, "A1101", 2020) * 1e5),
    "living_retail_shops_per_1000": (2021, lambda r, m: r.s(m, "H6130", 2021) / r.s(m, "A1101", 2020) * 1000),
    "living_restaurants_per_1000": (2021, lambda r, m: r.s(m, "H6131", 2021) / r.s(m, "A1101", 2020) * 1000),
    "living_large_retail_per_10000": (2021, lambda r, m: r.s(m, "H6132", 2021) / r.s(m, "A1101", 2020) * 1e4),
    "living_non_flush_toilet_share_pct": (2023, lambda r, m: r.s(m, "H550701", 2023) / r.s(m, "H5507", 2023) * 100),
    # 申込者の状況, 合計 block: E 申込者数 … M 育児休業中, N 特定の保育園等のみ希望, O 求職活動を休止, P 待機児童
    "living_childcare_waiting_per_1000_children": (
        2025,
        lambda r, m: _applicants(r, m)[11] / r.children(m, 1, 1 / 5) * 1000,
    ),
    "living_childcare_unplaced_share_pct": (
        2025,
        lambda r, m: sum(_applicants(r, m)[8:12]) / _applicants(r, m)[0] * 100,
    ),
    # 定員の状況: 7 facility columns per block, blocks 合計 / 0歳児 / 1,2歳児 / 3歳以上児
    "living_childcare_capacity_per_100_children_0_5": (
        2025,
        lambda r, m: sum(_capacity(r, m)[0:7]) / r.children(m, 1, 1 / 5) * 100,
    ),
    "living_childcare_capacity_per_100_children_age0": (
        2025,
        lambda r, m: sum(_capacity(r, m)[7:14]) / r.children(m, 1 / 5, 0) * 100,
    ),
    "living_childcare_capacity_per_100_children_age1_2": (
        2025,
        lambda r, m: sum(_capacity(r, m)[14:21]) / r.children(m, 2 / 5, 0) * 100,
    ),
    "living_childcare_capacity_per_100_children_age3_5": (
        2025,
        lambda r, m: sum(_capacity(r, m)[21:28]) / r.children(m, 2 / 5, 1 / 5) * 100,
    ),
}

# (the M-curve / L-curve entries read e-Stat tables loaded by ID, not the bundle: tests/pipeline/test_indicators.py)
MINE = [i.id for i in indicators() if i.family in FAMILIES and "estat_api" not in i.sources]


def test_every_indicator_of_the_families_has_a_golden_value() -> None:
    assert sorted(EXPECTED) == sorted(MINE)


def test_the_golden_years_are_the_latest(wh: duckdb.DuckDBPyConnection) -> None:
    latest = dict(wh.execute("SELECT indicator_id, last_year FROM out_indicators__registry").fetchall())
    assert {k: v[0] for k, v in EXPECTED.items()} == {k: latest[k] for k in EXPECTED}


@pytest.mark.parametrize("muni", GOLDEN)
@pytest.mark.parametrize("indicator_id", MINE)
def test_value_matches_the_raw_files(wh: duckdb.DuckDBPyConnection, raw: Raw, muni: str, indicator_id: str) -> None:
    year, expected = EXPECTED[indicator_id]
    if indicator_id in {"econ_value_added_per_capita", "econ_labour_productivity",
                        "living_hospital_beds_per_10000"} and muni not in raw.resas():  # fmt: skip
        pytest.fail(f"{muni} is not in the RESAS extract: choose golden municipalities it covers")
    got = wh.execute(
        "SELECT value FROM out_indicators__values WHERE indicator_id = ? AND muni_code = ? AND year = ?",
        [indicator_id, muni, year],
    ).fetchall()
    assert got, f"{indicator_id} has no value for {muni} in {year}"
    assert got[0][0] == pytest.approx(expected(raw, muni), rel=1e-9, abs=1e-12)


def test_food_access_matches_the_published_ratio(raw: Raw) -> None:
    """persons ÷ pop65 is MAFF's published ratio, to the rounding of the published counts, for the golden
    municipalities."""
    with (raw.dir / "food_access/maff_food_access_2020_municipal_extract.csv").open(encoding="utf-8") as f:
        published = {r["code"]: float(r["maff_difficulty_ratio_65plus"]) for r in csv.DictReader(f)}
    for muni in GOLDEN:
        d, p = raw.food(muni)
        assert d / p == pytest.approx(published[muni], abs=5e-4)  # the ratio is rounded from unrounded counts
