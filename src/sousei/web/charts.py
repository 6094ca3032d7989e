"""Every chart of the dashboard, defined once: the page draws it and the CSV download writes exactly its data."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sousei.query import Warehouse

TABS: dict[str, str] = {
    "overview": "概要",
    "births": "出生",
    "migration": "人口移動",
    "women": "女性の就業",
    "industry": "産業",
    "living": "生活環境",
    "projection": "将来推計",
    "cases": "好事例",
}

AGE_ORDER = "age_start"
SCENARIO_NAMES = {
    "pattern1": "パターン1（社人研準拠）",
    "sim1": "シミュレーション1（出生率上昇）",
    "sim2": "シミュレーション2（出生率上昇＋移動ゼロ）",
    "closed": "封鎖人口（移動ゼロ）",
    "ccr": "コーホート変化率法",
}


@dataclass
class Series:
    name: str
    x: list[Any]
    y: list[float | None]
    dash: bool = False
    kind: str = ""  # overrides the chart kind for this series: 'bar' | 'line'


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # 'line' | 'bar' | 'pyramid' | 'hbar'
    x_label: str
    y_label: str
    series: list[Series]
    sources: tuple[str, ...]
    note: str = ""
    tab: str = "overview"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return any(any(v is not None for v in s.y) for s in self.series)

    def spec(self) -> dict[str, Any]:
        """What app.js needs to draw the chart with Plotly."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "x_label": self.x_label,
            "y_label": self.y_label,
            "series": [{"name": s.name, "x": s.x, "y": s.y, "dash": s.dash, "kind": s.kind} for s in self.series],
        }

    def to_csv(self) -> str:
        """Long form: 系列, x, y — exactly the values drawn."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["系列", self.x_label, self.y_label])
        for s in self.series:
            for x, y in zip(s.x, s.y, strict=True):
                writer.writerow([s.name, x, "" if y is None else y])
        return buf.getvalue()


ChartFn = Callable[[Warehouse, str], Chart]
MUNICIPAL_CHARTS: dict[str, ChartFn] = {}
NATIONAL_CHARTS: dict[str, Callable[[Warehouse], Chart]] = {}


def municipal_chart(fn: ChartFn) -> ChartFn:
    MUNICIPAL_CHARTS[fn.__name__.removeprefix("chart_")] = fn
    return fn


def national_chart(fn: Callable[[Warehouse], Chart]) -> Callable[[Warehouse], Chart]:
    NATIONAL_CHARTS[fn.__name__.removeprefix("national_")] = fn
    return fn


def charts_for_tab(wh: Warehouse, code: str, tab: str) -> list[Chart]:
    charts = [fn(wh, code) for fn in MUNICIPAL_CHARTS.values()]
    return [c for c in charts if c.tab == tab]


def _f(v: Any, digits: int | None = None) -> float | None:
    if v is None:
        return None
    return float(v) if digits is None else round(float(v), digits)


def _series(
    rows: list[dict[str, Any]], name: str, x: str = "year", y: str = "persons", dash: bool = False, digits: int = 0
) -> Series:
    return Series(name, [r[x] for r in rows], [_f(r[y], digits) for r in rows], dash)


def _comparison(wh: Warehouse, code: str, indicator_id: str) -> tuple[list[str], list[float | None]]:
    """This municipality, its prefecture, its peer group and Japan for one indicator (labels and values)."""
    iv = wh.indicator_values(indicator_id)
    if iv is None or code not in iv.index:
        return [], []
    row = iv.row(code)
    meta = iv.ind.meta()
    return (
        ["当該市区町村", "都道府県", f"類似団体（{row['peer_group']}）平均", meta["national_label"]],
        [row["value"], row["prefecture"], row["peer_mean"], row["national"]],
    )


# -- 概要 ---------------------------------------------------------------------------------------------------


@municipal_chart
def chart_population(wh: Warehouse, code: str) -> Chart:
    """Total population: census 1980–2020 and the IPSS projections."""
    series: list[Series] = []
    sources: list[str] = []
    if wh.has("core_census__population_by_sex_age"):
        rows = wh.rows(
            "SELECT census_year AS year, round(sum(persons)) AS persons FROM core_census__population_by_sex_age "
            "WHERE muni_code = ? GROUP BY ALL ORDER BY year",
            [code],
        )
        series.append(_series(rows, "国勢調査（実績）"))
        sources += ["census_1980_2015_sex_age5", "census_2020_sex_age5"]
    if wh.has("core_ipss2023__population"):
        rows = wh.rows(
            "SELECT year, total_persons AS persons FROM core_ipss2023__population WHERE area_code = ? ORDER BY year",
            [code],
        )
        if rows:
            series.append(_series(rows, "社人研 2023年推計", dash=True))
            sources.append("ipss_2023_regional_totals")
    if wh.has("core_ipss2018__population"):
        rows = wh.rows(
            "SELECT year, sum(persons) AS persons FROM core_ipss2018__population WHERE area_code = ? "
            "GROUP BY ALL ORDER BY year",
            [code],
        )
        if rows:
            series.append(_series(rows, "社人研 2018年推計", dash=True))
            sources.append("ipss_2018_regional")
    return Chart("population", "総人口の推移", "line", "年", "人口（人）", series, tuple(sources))


@municipal_chart
def chart_pyramid(wh: Warehouse, code: str) -> Chart:
    """Population pyramid: census 2020 as bars, census 1980 and the 2050 projection (パターン1) as outlines."""
    series: list[Series] = []
    sources = ["census_2020_sex_age5", "census_1980_2015_sex_age5"]
    if wh.has("core_census__population_by_sex_age"):
        for year, kind in ((2020, "bar"), (1980, "line")):
            for sex, label in (("male", "男性"), ("female", "女性")):
                rows = wh.rows(
                    "SELECT age_group AS x, round(persons) AS persons FROM core_census__population_by_sex_age "
                    "WHERE muni_code = ? AND census_year = ? AND sex = ? ORDER BY age_start",
                    [code, year, sex],
                )
                s = _series(rows, f"{label} {year}年", x="x")
                s.kind = kind
                series.append(s)
    unit = wh.projection_unit(code)
    if wh.has("out_projection__population") and unit == code:
        for sex, label in (("male", "男性"), ("female", "女性")):
            rows = wh.rows(
                "SELECT age_group AS x, round(persons) AS persons FROM out_projection__population "
                "WHERE scenario = 'pattern1' AND muni_code = ? AND year = 2050 AND sex = ? ORDER BY age_start",
                [code, sex],
            )
            s = _series(rows, f"{label} 2050年（推計）", x="x", dash=True)
            s.kind = "line"
            series.append(s)
        sources.append("national_series")
    return Chart(
        "pyramid", "人口ピラミッド（1980・2020・2050年）", "pyramid", "年齢", "人口（人）", series, tuple(sources),
        note="国勢調査（年齢不詳は按分）。2050年は本プロジェクトの推計（パターン1）",
    )  # fmt: skip


@municipal_chart
def chart_scores(wh: Warehouse, code: str) -> Chart:
    """偏差値 of every indicator (全国比較, higher = better where the indicator has a direction)."""
    rows = [r for r in wh.comparisons(code) if r["direction"] != "neutral"]
    series = [Series("偏差値（全国）", [r["name"] for r in rows], [r["deviation_japan"] for r in rows])]
    sources = sorted({s for r in rows for s in r["sources"]})
    return Chart(
        "scores", "主な指標の偏差値（全国の市区町村と比較）", "hbar", "指標", "偏差値", series, tuple(sources),
        note="偏差値＝50＋10×（値−平均）÷標準偏差。「低いほど良い」指標は向きを反転。向きのない指標（人口・未婚率）は除く",
    )  # fmt: skip


# -- 出生 ---------------------------------------------------------------------------------------------------


@municipal_chart
def chart_tfr(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    if wh.has("core_tfr__tfr"):
        for period in ("2008-2012", "2018-2022"):
            rows = wh.rows(
                """WITH m AS (SELECT muni_code, pref_code, peer_group FROM core_areas__municipalities)
                   SELECT ? AS period,
                     avg(t.tfr) FILTER (WHERE t.muni_code = ?) AS v,
                     avg(t.tfr) FILTER (WHERE m.pref_code = (SELECT pref_code FROM m WHERE muni_code = ?)) AS p,
                     avg(t.tfr) FILTER (WHERE m.peer_group = (SELECT peer_group FROM m WHERE muni_code = ?)) AS g,
                     avg(t.tfr) AS n
                   FROM core_tfr__tfr t JOIN m USING (muni_code) WHERE t.period = ?""",
                [period, code, code, code, period],
            )[0]
            labels = ["当該市区町村", "県内市区町村平均", "類似団体平均", "全国市区町村平均"]
            series.append(Series(f"{period}年", labels, [_f(rows[k], 2) for k in ("v", "p", "g", "n")]))
    return Chart(
        "tfr", "合計特殊出生率（ベイズ推定値）", "bar", "比較対象", "合計特殊出生率（人）", series,
        ("tfr_2008_2012", "tfr_2018_2022"), tab="births",
        note="比較値は市区町村の推定値の単純平均。合併等で対応しない市区町村は値なし",
    )  # fmt: skip


@municipal_chart
def chart_births(wh: Warehouse, code: str) -> Chart:
    """出生数 2016=100, the municipality against Japan (sum of the 1,741)."""
    series: list[Series] = []
    if wh.has("core_ssdse__values"):
        rows = wh.rows(
            """WITH b AS (SELECT data_year AS year, sum(value) FILTER (WHERE muni_code = ?) AS m, sum(value) AS n
                          FROM core_ssdse__values WHERE item_code = 'A4101' GROUP BY 1)
               SELECT year, m, n, m / first(m ORDER BY year) OVER () * 100 AS mi,
                      n / first(n ORDER BY year) OVER () * 100 AS ni FROM b ORDER BY year""",
            [code],
        )
        series = [_series(rows, "当該市区町村", y="mi", digits=1), _series(rows, "全国", y="ni", dash=True, digits=1)]
    return Chart(
        "births", "出生数の推移（最初の年＝100）", "line", "年", "指数（最初の年＝100）", series, ("ssdse_a",),
        tab="births", note="人口動態統計（SSDSE-A 収録）。全国は1,741市区町村の合計",
    )  # fmt: skip


@municipal_chart
def chart_unmarried(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    if wh.has("core_census2025__unmarried_rate"):
        pref = code[:2] + "000"
        for area, label in ((code, "当該市区町村"), (pref, "都道府県"), ("00000", "全国")):
            for sex, s_label in (("female", "女性"), ("male", "男性")):
                rows = wh.rows(
                    "SELECT age_group AS x, unmarried_pct AS y FROM core_census2025__unmarried_rate "
                    "WHERE area_code = ? AND sex = ? ORDER BY age_start",
                    [area, sex],
                )
                s = _series(rows, f"{label}・{s_label}", x="x", y="y", digits=1)
                s.dash = sex == "male"
                series.append(s)
    return Chart(
        "unmarried", "未婚率（2025年）", "line", "年齢", "未婚率（%）", series, ("unmarried_rates_2025",),
        tab="births", note="令和7年国勢調査（不詳補完値）",
    )  # fmt: skip


# -- 人口移動 -------------------------------------------------------------------------------------------------


@municipal_chart
def chart_net_migration(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    if wh.has("out_migration__net_by_sex_age"):
        for sex, label in (("male", "男性"), ("female", "女性")):
            rows = wh.rows(
                "SELECT age_group AS x, net_migrants AS y FROM out_migration__net_by_sex_age "
                "WHERE muni_code = ? AND period = '2015-2020' AND sex = ? ORDER BY age_start",
                [code, sex],
            )
            series.append(_series(rows, label, x="x", y="y", digits=0))
    return Chart(
        "net_migration", "年齢別純移動数（2015→2020年）", "bar", "年齢（2020年）", "純移動数（人）", series,
        ("census_1980_2015_sex_age5", "census_2020_sex_age5", "national_series"), tab="migration",
        note="国勢調査のコーホート残差法（全国の生残率）。正＝転入超過",
    )  # fmt: skip


@municipal_chart
def chart_youth_migration(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    if wh.has("out_migration__net_by_sex_age"):
        for sex, label in (("female", "女性"), ("male", "男性")):
            rows = wh.rows(
                "SELECT period AS x, sum(net_migrants) AS y FROM out_migration__net_by_sex_age "
                "WHERE muni_code = ? AND sex = ? AND age_start BETWEEN 15 AND 34 GROUP BY 1 ORDER BY 1",
                [code, sex],
            )
            series.append(_series(rows, f"{label}（15〜34歳）", x="x", y="y", digits=0))
    return Chart(
        "youth_migration", "若い世代の純移動数の推移", "line", "期間", "純移動数（人）", series,
        ("census_1980_2015_sex_age5", "census_2020_sex_age5", "national_series"), tab="migration",
        note="期間末の年齢15〜34歳の純移動数（コーホート残差法）",
    )  # fmt: skip


@municipal_chart
def chart_moves(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    if wh.has("core_ssdse__values"):
        for item, label in (("A5101", "転入者数"), ("A5102", "転出者数")):
            rows = wh.rows(
                "SELECT data_year AS x, value AS y FROM core_ssdse__values WHERE muni_code = ? AND item_code = ? "
                "ORDER BY 1",
                [code, item],
            )
            series.append(_series(rows, label, x="x", y="y"))
    return Chart(
        "moves", "転入者数・転出者数（日本人移動者）", "line", "年", "人数（人）", series, ("ssdse_a",),
        tab="migration", note="住民基本台帳人口移動報告（SSDSE-A 収録）",
    )  # fmt: skip


# -- 女性の就業 ---------------------------------------------------------------------------------------------


@municipal_chart
def chart_labour_force(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    if wh.has("core_ssdse__values"):
        for year in (2015, 2020):
            vals: list[float | None] = []
            for sex_items in (("F110202", "F110702", "F110802"), ("F110201", "F110701", "F110801")):
                r = wh.rows(
                    "SELECT sum(value) FILTER (WHERE item_code IN (?, ?)) AS lf, sum(value) AS pop "
                    "FROM core_ssdse__values WHERE muni_code = ? AND data_year = ? AND item_code IN (?, ?, ?)",
                    [sex_items[0], sex_items[1], code, year, *sex_items],
                )[0]
                vals.append(_f(r["lf"] / r["pop"] * 100, 1) if r["pop"] else None)
            series.append(Series(f"{year}年", ["女性", "男性"], vals))
    return Chart(
        "labour_force", "労働力率（15歳以上）", "bar", "性別", "労働力率（%）", series, ("ssdse_a",), tab="women",
        note="国勢調査（SSDSE-A 収録）。年齢別の就業データは未収録のためM字カーブは描けません",
    )  # fmt: skip


@municipal_chart
def chart_women_labour_compare(wh: Warehouse, code: str) -> Chart:
    labels, values = _comparison(wh, code, "women_labour_force_2020_pct")
    return Chart(
        "women_labour_compare", "女性の労働力率の比較（2020年）", "bar", "比較対象", "労働力率（%）",
        [Series("女性の労働力率", labels, values)] if labels else [], ("ssdse_a",), tab="women",
    )  # fmt: skip


# -- 産業 ---------------------------------------------------------------------------------------------------


@municipal_chart
def chart_industry_employment(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    if wh.has("core_ssdse__values"):
        rows = wh.rows(
            """SELECT regexp_extract(i.item_name, '（民営）（(.*)）$', 1) AS x,
                      v.value / sum(v.value) OVER () * 100 AS y
               FROM core_ssdse__values v JOIN core_ssdse__items i USING (item_code)
               WHERE v.muni_code = ? AND v.data_year = 2021 AND v.item_code LIKE 'C2208__' ORDER BY y""",
            [code],
        )
        series.append(_series(rows, "従業者の構成比", x="x", y="y", digits=1))
    return Chart(
        "industry_employment", "産業別従業者数の構成比（民営、2021年）", "hbar", "産業", "構成比（%）", series,
        ("ssdse_a",), tab="industry", note="経済センサス（SSDSE-A 収録）",
    )  # fmt: skip


@municipal_chart
def chart_specialization(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    if wh.has("core_resas__specialization"):
        rows = wh.rows(
            "SELECT industry AS x, coefficient AS y FROM core_resas__specialization "
            "WHERE muni_code = ? AND measure = 'employees' ORDER BY coefficient DESC LIMIT 10",
            [code],
        )
        rows.reverse()
        series.append(_series(rows, "特化係数（従業者数）", x="x", y="y", digits=2))
    return Chart(
        "specialization", "特化係数の高い産業（従業者数、上位10）", "hbar", "産業", "特化係数（全国＝1）", series,
        ("resas_municipal_2016",), tab="industry", note="経済センサス-活動調査 2016（RESAS）",
    )  # fmt: skip


# -- 生活環境 -------------------------------------------------------------------------------------------------


@municipal_chart
def chart_food_access(wh: Warehouse, code: str) -> Chart:
    labels, values = _comparison(wh, code, "food_access_difficulty_pct")
    return Chart(
        "food_access", "食料品アクセス困難人口の割合（65歳以上、2020年）", "bar", "比較対象", "割合（%）",
        [Series("食料品アクセス困難人口の割合", labels, values)] if labels else [], ("food_access_2020",),
        tab="living",
    )  # fmt: skip


@municipal_chart
def chart_doctors(wh: Warehouse, code: str) -> Chart:
    labels, values = _comparison(wh, code, "doctors_per_1000_2020")
    return Chart(
        "doctors", "人口千人当たり医師数（2020年）", "bar", "比較対象", "医師数（人／人口千人）",
        [Series("人口千人当たり医師数", labels, values)] if labels else [],
        ("resas_municipal_2016", "census_2020_sex_age5"), tab="living",
    )  # fmt: skip


@municipal_chart
def chart_childcare(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    if wh.has("core_ssdse__values"):
        rows = wh.rows(
            """SELECT v.data_year AS x, v.value / p.value * 1000 AS y FROM core_ssdse__values v
               JOIN core_ssdse__values p ON p.muni_code = v.muni_code AND p.item_code = 'A1301' AND p.data_year = 2020
               WHERE v.muni_code = ? AND v.item_code = 'J250302' ORDER BY 1""",
            [code],
        )
        series.append(_series(rows, "保育所等数（15歳未満人口千人当たり）", x="x", y="y", digits=2))
    return Chart(
        "childcare", "保育所等の数（15歳未満人口千人当たり）", "line", "年", "施設数（か所／千人）", series,
        ("ssdse_a",), tab="living", note="分母は2020年国勢調査の15歳未満人口（SSDSE-A）",
    )  # fmt: skip


# -- 将来推計 -------------------------------------------------------------------------------------------------


@municipal_chart
def chart_scenarios(wh: Warehouse, code: str) -> Chart:
    rows = wh.projection_totals(code)
    series = []
    for sc, name in SCENARIO_NAMES.items():
        sel = [r for r in rows if r["scenario"] == sc]
        if sel:
            series.append(_series(sel, name, dash=sc != "pattern1"))
    unit = wh.projection_unit(code)
    note = "本プロジェクトの推計（コーホート要因法、社人研方式）"
    if unit != code:
        note += "。浜通り地域13市町村は社人研と同じく一体（07999）で推計"
    return Chart(
        "scenarios", "将来人口の推計（シナリオ別）", "line", "年", "人口（人）", series,
        ("census_2020_sex_age5", "national_series"), tab="projection", note=note,
    )  # fmt: skip


# -- 全国 ---------------------------------------------------------------------------------------------------


@national_chart
def national_population(wh: Warehouse) -> Chart:
    series: list[Series] = []
    if wh.has("core_national__census_population_total"):
        rows = wh.rows(
            "SELECT census_year AS year, persons FROM core_national__census_population_total "
            "WHERE area_code = '00000' ORDER BY 1"
        )
        series.append(_series(rows, "国勢調査（実績）"))
    if wh.has("core_national__ipss2017_projection_total"):
        for fert, name in (("medium", "中位"), ("high", "高位"), ("low", "低位")):
            rows = wh.rows(
                "SELECT year, total_persons AS persons FROM core_national__ipss2017_projection_total "
                "WHERE fertility_variant = ? AND mortality_variant = 'medium' ORDER BY 1",
                [fert],
            )
            series.append(_series(rows, f"社人研 2017年推計（出生{name}・死亡中位）", dash=True))
    return Chart(
        "population", "日本の総人口（1920〜2065年）", "line", "年", "人口（人）", series, ("national_series",),
        note="社人研「日本の将来推計人口（平成29年推計）」は2065年まで（2066〜2070年の参考推計は未収録）",
    )  # fmt: skip


@national_chart
def national_age_groups(wh: Warehouse) -> Chart:
    series: list[Series] = []
    groups = (("年少人口（0〜14歳）", "age_start < 15"), ("生産年齢人口（15〜64歳）", "age_start BETWEEN 15 AND 64"),
              ("老年人口（65歳以上）", "age_start >= 65"))  # fmt: skip
    for label, cond in groups:
        rows = []
        if wh.has("core_national__census_population_by_age_sex"):
            rows += wh.rows(
                f"SELECT census_year AS year, sum(persons) AS persons FROM core_national__census_population_by_age_sex "
                f"WHERE {cond} GROUP BY 1 ORDER BY 1"
            )
        if wh.has("core_national__ipss2017_projection_by_age_sex"):
            rows += wh.rows(
                f"SELECT year, sum(persons) AS persons FROM core_national__ipss2017_projection_by_age_sex "
                f"WHERE {cond} AND year > 2020 AND year % 5 = 0 GROUP BY 1 ORDER BY 1"
            )
        series.append(_series(rows, label))
    return Chart(
        "age_groups", "年齢3区分別人口（実績と推計）", "line", "年", "人口（人）", series, ("national_series",),
        note="1920〜2020年は国勢調査（年齢不詳を除く）、2025年以降は社人研2017年推計（中位）",
    )  # fmt: skip


@national_chart
def national_tfr(wh: Warehouse) -> Chart:
    series: list[Series] = []
    if wh.has("core_national__vital_rates"):
        rows = wh.rows("SELECT year, tfr FROM core_national__vital_rates WHERE tfr IS NOT NULL ORDER BY 1")
        series.append(_series(rows, "合計特殊出生率（実績）", y="tfr", digits=2))
    return Chart(
        "tfr", "合計特殊出生率（実績）", "line", "年", "合計特殊出生率（人）", series, ("national_series",),
        note="将来推計の仮定値（出生率の推計値）はデータ束に未収録のため実績のみ表示",
    )  # fmt: skip


@national_chart
def national_births(wh: Warehouse) -> Chart:
    series: list[Series] = []
    if wh.has("core_national__vital_rates"):
        rows = wh.rows("SELECT year, cbr_per_1000 FROM core_national__vital_rates WHERE cbr_per_1000 IS NOT NULL "
                       "ORDER BY 1")  # fmt: skip
        series.append(_series(rows, "出生率（人口千対、実績）", y="cbr_per_1000", digits=1))
    return Chart(
        "births", "出生率（人口千対）", "line", "年", "出生率（人口千対）", series, ("national_series",),
        note="出生数そのものの系列と推計値はデータ束に未収録",
    )  # fmt: skip


@national_chart
def national_tokyo_migration(wh: Warehouse) -> Chart:
    series: list[Series] = []
    if wh.has("core_national__tokyo_area_net_migration"):
        rows = wh.rows("SELECT year, net_migration_persons AS persons FROM core_national__tokyo_area_net_migration "
                       "ORDER BY 1")  # fmt: skip
        series.append(_series(rows, "東京圏の転入超過数（日本人）"))
    return Chart(
        "tokyo_migration", "東京圏（埼玉・千葉・東京・神奈川）への転入超過数", "bar", "年", "転入超過数（人）", series,
        ("tokyo_area_net_migration",), note="男女別・年齢別の系列はデータ束に未収録",
    )  # fmt: skip
