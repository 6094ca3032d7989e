"""Comparisons with Japan, the prefecture and the peer group: the registry's indicators with their 偏差値 and
change, the walls' decomposition, the leading industries, the priority issues and their positive deviants."""

from __future__ import annotations

from typing import Any

from sousei.analyst.factbook import FactBook
from sousei.analyst.facts.common import COMPARISONS, MAX_DEVIANT_ISSUES, MAX_ISSUES, when
from sousei.analyst.phrasing import DEVIANT_SCORE
from sousei.query import Warehouse


def add_indicator(wh: Warehouse, fb: FactBook, code: str, indicator_id: str, prefix: str | None = None) -> bool:
    """An indicator's value with Japan, the prefecture, the peer mean, the 偏差値 and the change (latest year)."""
    row = wh.comparison(code, indicator_id)
    if row is None or row["value"] is None:
        return False
    p = prefix or f"ind.{indicator_id}"
    d, unit, src, year = row["digits"], row["unit"] or "", ", ".join(row["sources"]), row["year"]
    name = row["name"]
    common: dict[str, Any] = {"table": COMPARISONS, "sources": src, "year": year}
    fb.add(f"{p}.value", name, row["value"], unit, d, **common)
    fb.add(f"{p}.national", name, row["national"], unit, d, comparison=row["national_label"], **common)
    fb.add(f"{p}.prefecture", name, row["prefecture"], unit, d, comparison="都道府県", **common)
    fb.add(f"{p}.peer", name, row["peer_mean"], unit, d, comparison=f"類似団体（{row['peer_group']}）平均", **common)
    for ref in ("national", "prefecture", "peer"):
        if fb.has_value(f"{p}.{ref}"):
            # the difference of the printed figures, so that 「X ポイント上回る」 adds up to what the reader sees
            diff = _printed_number(fb.p(f"{p}.value")) - _printed_number(fb.p(f"{p}.{ref}"))
            fb.add(
                f"{p}.diff_{ref}",
                f"{name}の差",
                diff,
                "ポイント" if unit == "%" else unit,
                d,
                comparison=f"差（{ref}）",
                signed=True,
                **common,
            )
    fb.add(
        f"{p}.deviation",
        f"{name}の偏差値（全国）",
        row["deviation_japan"],
        "",
        1,
        comparison="全国の市区町村",
        **common,
    )
    fb.add(
        f"{p}.oriented",
        f"{name}の偏差値（高いほど良い向き）",
        row["oriented_japan"],
        "",
        1,
        comparison="全国の市区町村",
        **common,
    )
    fb.add(
        f"{p}.oriented_peer",
        f"{name}の偏差値（類似団体内）",
        row["oriented_peer"],
        "",
        1,
        comparison="類似団体",
        **common,
    )
    fb.add(f"{p}.direction", "指標の向き", row["direction"], text=row["direction"], **common)
    fb.add(f"{p}.unit", "単位", unit, text=unit, **common)
    fb.add(f"{p}.name", "指標名", name, text=name, **common)
    fb.add(f"{p}.when", "時点", year, text=when(indicator_id, year), **common)
    if row["previous_year"] is not None and row["change"] is not None and row["previous_value"] is not None:
        fb.add(
            f"{p}.previous",
            name,
            row["previous_value"],
            unit,
            d,
            table=COMPARISONS,
            sources=src,
            year=row["previous_year"],
        )
        fb.add(
            f"{p}.previous_when",
            "前回の時点",
            row["previous_year"],
            text=when(indicator_id, row["previous_year"]),
            table=COMPARISONS,
            sources=src,
            year=row["previous_year"],
        )
        # the difference of the two printed figures, so that 「30.1から0.7上昇」 adds up for the reader
        change = _printed_number(fb.p(f"{p}.value")) - _printed_number(fb.p(f"{p}.previous"))
        fb.add(
            f"{p}.change",
            f"{name}の変化（{row['previous_year']}→{year}年）",
            change,
            "ポイント" if unit == "%" else unit,
            d,
            table=COMPARISONS,
            sources=src,
            year=f"{row['previous_year']}〜{year}年",
            signed=True,
        )
    return True


def _printed_number(printed: str) -> float:
    return float(printed.replace(",", "").replace("−", "-").replace("+", ""))


def add_walls(wh: Warehouse, fb: FactBook, code: str) -> None:
    w = wh.walls(code)
    if w is None or w["births_gap"] is None:
        return
    common: dict[str, Any] = {
        "table": "out_walls__decomposition",
        "sources": "ssdse_a, census_2020_sex_age5, unmarried_rates_2025",
        "year": "2020〜25年",
    }
    fb.add(
        "walls.births_gap",
        "出生の差（全国比、対数差）",
        w["births_gap"],
        "",
        3,
        comparison="全国",
        signed=True,
        **common,
    )
    fb.add(
        "walls.marriage_factor",
        "うち結婚の要因（対数差）",
        w["marriage_factor"],
        "",
        3,
        comparison="全国",
        signed=True,
        **common,
    )
    fb.add(
        "walls.marital_fertility_factor",
        "うち夫婦の出生の要因（対数差）",
        w["marital_fertility_factor"],
        "",
        3,
        comparison="全国",
        signed=True,
        **common,
    )
    fb.add("walls.married_share", "25〜39歳女性の有配偶割合", w["married_share"] * 100, "%", 1, **common)
    fb.add("walls.births_per_year", "出生数（2020〜23年平均）", w["births_per_year"], "人", **common)
    fb.add("walls.threshold", "壁とする基準（対数差）", -0.05, "", 2, comparison="方法", signed=True, **common)
    fb.add(
        "walls.is_marriage_wall",
        "結婚の壁",
        w["is_marriage_wall"],
        text="あり" if w["is_marriage_wall"] else "なし",
        **common,
    )
    fb.add(
        "walls.is_second_child_wall",
        "第2子以降の壁（代理指標）",
        w["is_second_child_wall"],
        text="あり" if w["is_second_child_wall"] else "なし",
        **common,
    )


def add_industries(wh: Warehouse, fb: FactBook, code: str) -> None:
    lead = wh.leading_industries(code)
    common: dict[str, Any] = {"table": "out_indicators__leading_industries", "sources": "ssdse_a"}
    ids = []
    for r in lead:
        i = str(r["rank"])
        ids.append(i)
        fb.add(f"industry.{i}.name", "産業", r["industry"], text=r["industry"], year=r["year"], **common)
        fb.add(
            f"industry.{i}.specialization",
            f"特化係数（従業者数）：{r['industry']}",
            r["specialization"],
            "倍",
            2,
            year=r["year"],
            comparison="全国＝1",
            **common,
        )
        fb.add(
            f"industry.{i}.share",
            f"従業者の構成比：{r['industry']}",
            r["employees_share_pct"],
            "%",
            1,
            year=r["year"],
            **common,
        )
    fb.lists["industries"] = ids


def add_issues(wh: Warehouse, fb: FactBook, code: str) -> None:
    issues = wh.priority_issues(code)[:MAX_ISSUES]
    fb.lists["issues"] = []
    for issue in issues:
        n = str(issue["rank"])
        iid = issue["indicator_id"]
        if not add_indicator(wh, fb, code, iid, prefix=f"issue.{n}"):
            continue
        fb.lists["issues"].append(n)
        common: dict[str, Any] = {
            "table": "out_diagnosis__priority_issues",
            "sources": issue.get("sources") or "",
            "year": issue["year"],
        }
        fb.add(f"issue.{n}.indicator_id", "指標ID", iid, text=iid, **common)
        fb.add(f"issue.{n}.family", "分野", issue["family_ja"], text=issue["family_ja"], **common)
        fb.add(f"issue.{n}.basis", "選ばれた理由", issue["basis"], text=issue["basis"], **common)
        fb.add(f"issue.{n}.score", "優先度スコア", issue["priority_score"], "", 1, **common)
        fb.add(
            f"issue.{n}.change_score",
            "変化の偏差値（高いほど良い向き）",
            issue["oriented_change_score"],
            "",
            1,
            **common,
        )
        if len(fb.lists["issues"]) <= MAX_DEVIANT_ISSUES:
            add_deviants(wh, fb, code, n, iid)


def add_deviants(wh: Warehouse, fb: FactBook, code: str, n: str, indicator_id: str) -> None:
    found = wh.positive_deviants(code, indicator_id, threshold=DEVIANT_SCORE)
    ind = wh.comparison(code, indicator_id)
    assert ind is not None
    d, unit, src = ind["digits"], ind["unit"] or "", ", ".join(ind["sources"])
    for kind in ("better", "improved"):
        ids = []
        for j, m in enumerate(found[kind], 1):
            p = f"peer.{n}.{kind}.{j}"
            common: dict[str, Any] = {
                "table": COMPARISONS,
                "sources": src,
                "year": ind["year"],
                "comparison": f"類似団体（{ind['peer_group']}）",
            }
            fb.add(f"{p}.name", "市区町村", m["name"], text=f"{m['name']}（{m['pref_name']}）", **common)
            fb.add(f"{p}.code", "市区町村コード", m["muni_code"], text=m["muni_code"], **common)
            fb.add(f"{p}.value", ind["name"], m["value"], unit, d, **common)
            fb.add(f"{p}.oriented_peer", "類似団体内の偏差値（高いほど良い向き）", m["oriented_peer"], "", 1, **common)
            if m["change"] is not None and m["previous_year"] is not None:
                fb.add(
                    f"{p}.previous",
                    ind["name"],
                    m["previous_value"],
                    unit,
                    d,
                    table=COMPARISONS,
                    sources=src,
                    year=m["previous_year"],
                )
                fb.add(
                    f"{p}.change",
                    f"{ind['name']}の変化",
                    m["change"],
                    "ポイント" if unit == "%" else unit,
                    d,
                    table=COMPARISONS,
                    sources=src,
                    year=f"{m['previous_year']}〜{ind['year']}年",
                    signed=True,
                )
            ids.append(str(j))
        fb.lists[f"peer.{n}.{kind}"] = ids
