"""The four roles of the desk and what each is called on screen."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SECRETARIAT = "secretariat"
    MINISTRY = "ministry"
    MUNICIPALITY = "municipality"


ROLE_JA: dict[Role, str] = {
    Role.ADMIN: "管理者",
    Role.SECRETARIAT: "事務局（内閣官房）",
    Role.MINISTRY: "府省庁",
    Role.MUNICIPALITY: "自治体",
}


def parse_role(value: str) -> Role:
    """The role named by value; a clear message names the allowed values otherwise."""
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValueError(f"役割 {value!r} はありません（{allowed} のいずれか）") from None
