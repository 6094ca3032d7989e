"""The 相談カルテ pages (list, form, detail, workflow actions), CSV export and the JSON API."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/desk", include_in_schema=False)
