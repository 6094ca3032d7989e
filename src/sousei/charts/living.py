"""The charts of the 生活環境 tab."""

from __future__ import annotations

from sousei.charts.registry import comparison_chart, municipal_chart
from sousei.charts.spec import Chart
from sousei.query import Warehouse


@municipal_chart("living")
def chart_food_access(wh: Warehouse, code: str) -> Chart:
    return comparison_chart(wh, code, "food_access", "living_food_access_difficulty_65plus_pct", "living")


@municipal_chart("living")
def chart_doctors(wh: Warehouse, code: str) -> Chart:
    return comparison_chart(wh, code, "doctors", "living_doctors_per_10000", "living")


@municipal_chart("living")
def chart_childcare(wh: Warehouse, code: str) -> Chart:
    return comparison_chart(wh, code, "childcare", "living_childcare_per_1000_children", "living")
