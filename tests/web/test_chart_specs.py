"""Chart specs say how a series is drawn (app.js never matches display names): the pyramid's side of each sex and
the fixed colour of each sex in the migration charts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sousei.charts import SEX_COLOR


def test_pyramid_series_carry_their_side(client: TestClient) -> None:
    series = client.get("/api/m/01100/charts/pyramid").json()["series"]
    assert len(series) >= 4
    for s in series:
        assert s["side"] == ("left" if s["name"].startswith("男性") else "right"), s["name"]


def test_migration_series_carry_the_colour_of_their_sex(client: TestClient) -> None:
    for chart_id in ("net_migration", "net_migration_rate", "youth_migration"):
        spec = client.get(f"/api/m/01100/charts/{chart_id}").json()
        assert "colors" not in spec and len(spec["series"]) == 2
        for s in spec["series"]:
            assert s["color"] == SEX_COLOR["male" if s["name"].startswith("男性") else "female"], (chart_id, s)


def test_other_series_keep_their_shape(client: TestClient) -> None:
    """Only those fields are added, and only where set: every other chart's spec is as it was."""
    for s in client.get("/api/m/01100/charts/population").json()["series"]:
        assert set(s) == {"name", "x", "y", "dash", "kind"}
