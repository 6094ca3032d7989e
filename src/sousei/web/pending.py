"""Panels the deck names whose official table is not in the data bundle: what each would show, which e-Stat table
provides it, the command that loads it, and what the dashboard shows instead. One definition, read by the templates.

The statsDataIds were taken from public catalogues of the 2020 census tables; e-Stat cannot be reached from the
development machines, so they are not checked against the API (the client's test fixtures use fictitious IDs
0003999xxx). `sousei data estat ID` reports a wrong ID as "no such statistical table".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PendingPanel:
    id: str
    title: str
    would_show: str
    survey: str
    table: str
    stats_data_id: str | None  # None: no table of the API that we could name with confidence
    command: str | None
    after_loading: str
    instead: str
    instead_links: tuple[tuple[str, str], ...]  # (anchor in the page, label)


M_CURVE = PendingPanel(
    id="m_curve",
    title="女性の年齢別就業率（M字カーブ）",
    would_show="女性の就業率を5歳階級（15〜19歳 … 65歳以上）ごとに結び、出産・子育て期（30代）のくぼみ（M字）の深さを"
    "都道府県・全国の曲線と比べます。",
    survey="総務省統計局「令和2年国勢調査 就業状態等基本集計」",
    table="労働力状態，年齢（5歳階級），男女別15歳以上人口－全国，都道府県，市区町村",
    stats_data_id="0003450558",
    command="sousei data estat 0003450558",
    after_loading="この統計表IDは公開されている表の一覧から取ったもので、開発環境から e-Stat に接続できず"
    "確認できていません（取得した表の名称が上の表名と一致することを確かめてください）。"
    "e-Stat のアプリケーションID（環境変数 SOUSEI_ESTAT_APP_ID）が必要です。"
    "取得後にウェアハウスを作り直し、この市区町村の曲線が自動で表示されます"
    "（表は分類名で認識するため、同じ形の別の回の表でも使えます）。",
    instead="データ一式には男女別の労働力率と就業率（15歳以上全体、2015年・2020年国勢調査）があり、このタブの"
    "「労働力率」のグラフと比較表に全国・都道府県・類似団体との比較を示しています。",
    instead_links=(("fig-labour_force", "労働力率（男女別）"), ("comparisons", "女性の就業の指標の比較表")),
)

L_CURVE = PendingPanel(
    id="l_curve",
    title="女性就業者の正規雇用割合（L字カーブ）",
    would_show="就業している女性のうち「正規の職員・従業員」の割合を5歳階級ごとに結び、20代後半をピークに下がる"
    "L字の形を都道府県・全国と比べます。",
    survey="総務省統計局「令和2年国勢調査 就業状態等基本集計」",
    table="従業上の地位，年齢（5歳階級），男女別15歳以上就業者数－全国，都道府県，市区町村",
    stats_data_id=None,
    command="sousei data estat 統計表ID",
    after_loading="この表の統計表IDは開発環境から e-Stat に接続できず確認できていません。"
    "e-Stat の「統計表・グラフ表示」で上の表名を検索し、表示される10桁の統計表IDを指定してください"
    "（SOUSEI_ESTAT_APP_ID が必要）。",
    instead="データ一式には雇用形態別の就業者数がないため、代わりの曲線は作りません。女性の労働力率・就業率"
    "（15歳以上全体）はこのタブの比較表にあります。",
    instead_links=(("comparisons", "女性の就業の指標の比較表"),),
)

MIGRATION_OD = PendingPanel(
    id="migration_od",
    title="若者・女性の転出先・転入元の上位5自治体",
    would_show="15〜29歳と20〜39歳女性について、5年前にどの市区町村に住んでいた人が転入し、どの市区町村へ転出したか"
    "（移動元・移動先の組）を人数の多い順に5つ示します。",
    survey="総務省統計局「令和2年国勢調査 移動人口の男女・年齢等集計」",
    table="5年前の常住地（市区町村）別の現住地・男女・年齢別人口（市区町村間の移動の組）",
    stats_data_id=None,
    command=None,
    after_loading="市区町村の組ごとの表は API での提供を確認できておらず、読み込んだ表からこのパネルを作る処理も"
    "まだありません。住民基本台帳人口移動報告には市区町村間の組の表がありません。",
    instead="データ一式からは、国勢調査のコーホート残差法による若い世代（15〜29歳）と20〜39歳女性の純移動率"
    "（5年間、期首人口比）を全国・都道府県・類似団体と比べて示しています。これは転入と転出の差であり、"
    "どこから・どこへの移動かは分かりません。",
    instead_links=(("youth-women", "若い世代と女性の人口移動"), ("fig-net_migration_rate", "男女・年齢別の純移動率")),
)

PENDING_CHARTS = {p.id: p for p in (M_CURVE, L_CURVE)}
