"""The 18 industries (産業大分類) the economy indicators break down by: SSDSE-A item suffix → Japanese and English
name, shared by the establishment-count and value-added entries."""

from __future__ import annotations

# The 18 industries (大分類) of the private-sector establishment counts: SSDSE-A item suffix → name.
INDUSTRIES: dict[str, str] = {
    "32": "農業，林業",
    "33": "漁業",
    "35": "鉱業，採石業，砂利採取業",
    "36": "建設業",
    "37": "製造業",
    "38": "電気・ガス・熱供給・水道業",
    "39": "情報通信業",
    "40": "運輸業，郵便業",
    "41": "卸売業，小売業",
    "44": "金融業，保険業",
    "45": "不動産業，物品賃貸業",
    "46": "学術研究，専門・技術サービス業",
    "47": "宿泊業，飲食サービス業",
    "48": "生活関連サービス業，娯楽業",
    "49": "教育，学習支援業",
    "50": "医療，福祉",
    "51": "複合サービス事業",
    "52": "サービス業（他に分類されないもの）",
}
INDUSTRY_EN: dict[str, str] = {
    "32": "agriculture and forestry",
    "33": "fisheries",
    "35": "mining and quarrying",
    "36": "construction",
    "37": "manufacturing",
    "38": "electricity, gas, heat and water",
    "39": "information and communications",
    "40": "transport and postal services",
    "41": "wholesale and retail trade",
    "44": "finance and insurance",
    "45": "real estate and goods rental",
    "46": "scientific research and professional services",
    "47": "accommodation and food services",
    "48": "living-related and personal services, amusement",
    "49": "education and learning support",
    "50": "medical, health care and welfare",
    "51": "compound services",
    "52": "other services",
}
