"""Japanese wording of the source declarations for the /sources page.

The build's source declarations (meta__sources) are written partly in English for the developers; the page a
municipal officer reads is in Japanese. Keyed by source_id; a source without an entry here is shown as declared
(tests/web/test_dashboard_issue12.py checks that every source of the warehouse has one). URLs and table IDs stay as
they are.
"""

from __future__ import annotations

from typing import Any

GOV_TERMS = "政府標準利用規約（第2.0版）"
GOV_TERMS_CC = "政府標準利用規約（第2.0版）（CC BY 4.0 互換）"

SOURCES_JA: dict[str, dict[str, str]] = {
    "census_2020_sex_age5": {
        "official": "e-Stat 統計データベース（政府統計コード 00200521、表2-7-1、統計表ID 0003445162）",
        "license": GOV_TERMS_CC,
    },
    "census_1980_2015_sex_age5": {
        "title": "国勢調査 1980〜2015年 男女・年齢5歳階級別人口（2015年10月1日の市区町村に組み替え）",
        "producer": "総務省統計局（国勢調査）。組み替えは aiseed.dev（統計メモ帳）",
        "official": "国勢調査 各回 人口等基本集計（e-Stat）",
        "license": "組み替え後のデータは CC BY 4.0（© aiseed.dev）、国勢調査の数値は政府標準利用規約（第2.0版）",
    },
    "census_2015_table00100": {"official": "e-Stat（政府統計コード 00200521）", "license": GOV_TERMS},
    "ipss_2018_regional": {
        "producer": "国立社会保障・人口問題研究所（社人研）",
        "official": "社人研ウェブサイト 日本の地域別将来推計人口（平成30年推計）結果表（suikei_kekka.xls）",
        "license": "社人研の利用条件（出典の明記が必要）",
    },
    "tfr_2008_2012": {"license": GOV_TERMS},
    "tfr_2018_2022": {
        "official": (
            "人口動態統計特殊報告 人口動態保健所・市区町村別統計（平成30年〜令和4年）、e-Stat 統計表 000040174881"
        ),
        "license": "数値は政府標準利用規約（第2.0版）",
    },
    "ssdse_a": {
        "title": "教育用標準データセット SSDSE-A（市区町村）2018〜2026年版",
        "producer": "独立行政法人統計センター（社会・人口統計体系（SSDS）市区町村データから作成）",
        "official": "統計センター SSDSE のページ（https://www.nstac.go.jp/use/literacy/ssdse/）",
        "license": GOV_TERMS_CC,
    },
    "juki_population_dynamics": {
        "official": "総務省ウェブサイト 住民基本台帳に基づく人口、人口動態及び世帯数（e-Stat 政府統計コード 00200241）",
        "license": GOV_TERMS_CC,
    },
    "ipss_2023_regional_totals": {
        "title": "日本の地域別将来推計人口（令和5(2023)年推計） 総人口と年齢3区分別人口",
        "producer": "国立社会保障・人口問題研究所（社人研）",
        "official": (
            "社人研ウェブサイト 令和5年推計 結果表（kekkahyo1.xlsx、kekkahyo2_*.xlsx）。"
            "男女・年齢別の表はデータ一式に未収録"
        ),
        "license": "社人研の利用条件（出典の明記が必要）",
    },
    "food_access_2020": {
        "official": "農林水産政策研究所 食料品アクセス困難人口の推計（2020_table05.xlsx）",
        "license": GOV_TERMS,
    },
    "childcare_waiting_2025": {
        "title": "保育所等関連状況取りまとめ（令和7年4月1日）（参考）定員の状況・申込者の状況 市区町村別",
        "official": "こども家庭庁 保育所等関連状況取りまとめ（令和7年4月1日）参考資料",
        "license": GOV_TERMS,
    },
    "fiscal_indices": {
        "title": "地方公共団体の主要財政指標一覧（2005〜2021年度）",
        "official": "総務省ウェブサイト 地方公共団体の主要財政指標一覧",
        "license": GOV_TERMS,
    },
    "peer_groups": {"official": "総務省ウェブサイト 類似団体別市町村財政指数表", "license": GOV_TERMS},
    "furusato_nozei": {
        "title": "ふるさと納税に関する現況調査（受入額 2016〜2020年度、住民税控除額 平成28年〜令和3年）",
        "official": "総務省ウェブサイト ふるさと納税に関する現況調査",
        "license": GOV_TERMS,
    },
    "municipal_codes": {
        "title": "全国地方公共団体コード（総務省）と e-Stat 標準地域コード",
        "producer": "総務省、総務省統計局（統計LOD）",
        "license": GOV_TERMS,
    },
    "municipality_converter": {
        "title": "市町村コンバータ 1980〜2020年",
        "producer": "近藤恵介（経済産業研究所）、Kondo (2019) RIETI Technical Paper 19-T-001",
        "license": "出典（Kondo 2019）を明記すれば無償で利用・再配布可",
    },
    "boundaries": {
        "title": "国土数値情報 行政区域データ N03（2021年1月1日）を1%に簡略化した TopoJSON",
        "producer": "国土交通省 国土数値情報。簡略化はスマートニュース メディア研究所",
        "official": "国土数値情報 ダウンロードサイト 行政区域データ",
        "license": "国土数値情報の利用規約（商用利用可、出典の明記が必要）。簡略化データのリポジトリは MIT ライセンス",
    },
    "national_series": {
        "title": "全国の時系列（人口、人口動態、出生、生命表、将来推計）",
        "producer": "厚生労働省 人口動態統計・生命表、総務省統計局 国勢調査、"
        "国立社会保障・人口問題研究所 人口統計資料集・日本の将来推計人口（平成29年推計）",
        "license": "公的統計（政府標準利用規約（第2.0版）、社人研の利用条件）",
    },
    "unmarried_rates_2025": {
        "title": "令和7年国勢調査 人口等基本集計（不詳補完値） 第4-4表 男女別 未婚率（25〜29歳、30〜34歳、35〜39歳）",
        "official": "e-Stat 統計表 000040506667（データベース 0004066272）",
        "license": "数値は政府標準利用規約（第2.0版）",
    },
    "resas_municipal_2016": {
        "title": "RESAS の市区町村別データ（付加価値額・労働生産性（経済センサス-活動調査 2016年、企業単位）、"
        "産業の特化係数、医療資源 2020年 ほか）",
        "producer": "総務省・経済産業省「経済センサス-活動調査」（2016年）、厚生労働省「医療施設調査」"
        "「医師・歯科医師・薬剤師統計」（2020年）。RESAS（地域経済分析システム）から取得",
        "official": "RESAS API（municipality/value/perYear ほか。API は2025年3月24日に終了）",
        "license": "RESAS の利用条件（「出典：RESAS（地域経済分析システム）」と元の統計の明記）",
    },
    "income_per_taxpayer": {
        "title": "市町村税課税状況等の調 第11表（令和6年度） 総所得金額等÷所得割納税義務者数（市区町村別）",
        "official": "市町村税課税状況等の調 第11表 市町村別内訳",
        "license": GOV_TERMS,
    },
    "tokyo_area_net_migration": {
        "title": "住民基本台帳人口移動報告 長期時系列 東京圏（埼玉・千葉・東京・神奈川）の"
        "日本人の都道府県間転入・転出・転入超過数（2010〜2025年）",
        "official": "e-Stat 住民基本台帳人口移動報告 長期時系列表",
        "license": GOV_TERMS,
    },
    "estat_api": {"license": GOV_TERMS},
}


def sources_in_japanese(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The source declarations with their Japanese wording where the declaration is (partly) English."""
    return [{**s, **SOURCES_JA.get(s["source_id"], {})} for s in sources]
