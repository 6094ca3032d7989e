"""The path and query parameters the dashboard's routes share, with their limits and their OpenAPI descriptions."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path as PathParam
from fastapi import Query

Code = Annotated[str, PathParam(min_length=1, max_length=10, description="5桁の市区町村コード（例：01100）")]
ChartId = Annotated[str, PathParam(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]
IndicatorId = Annotated[str, PathParam(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")]
PrefQ = Annotated[str | None, Query(pattern=r"^\d{2}$", description="都道府県コード（2桁）")]
FamilyQ = Annotated[str | None, Query(max_length=20, pattern=r"^[a-z_]+$", description="指標の分野（例：births）")]
PeerQ = Annotated[str | None, Query(max_length=20, description="類似団体区分（例：都市Ⅱ-1）")]
