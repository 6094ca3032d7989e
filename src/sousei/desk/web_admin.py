"""The admin pages: accounts, invitations, password resets and the audit log with its export."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/desk", include_in_schema=False)
