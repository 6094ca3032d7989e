"""Field-level input errors in Japanese: one exception carrying every field's message, raised before any write."""

from __future__ import annotations

import re

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class FieldErrors(Exception):
    """Messages per form field; nothing was written when this is raised."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Checker:
    """Collects messages field by field, then raises them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def text(self, field: str, label: str, value: str | None, *, required: bool = False, max_len: int = 2000) -> str:
        value = (value or "").strip()
        if required and not value:
            self.add(field, f"{label}を入力してください")
        elif len(value) > max_len:
            self.add(field, f"{label}は{max_len}文字以内で入力してください（現在{len(value)}文字）")
        elif "\x00" in value:
            self.add(field, f"{label}に使えない文字が含まれています")
        return value

    def email(self, field: str, label: str, value: str | None, *, required: bool = False) -> str:
        value = (value or "").strip().lower()
        if not value:
            if required:
                self.add(field, f"{label}を入力してください")
        elif len(value) > 254 or not EMAIL.match(value):
            self.add(field, f"{label}の形式が正しくありません（例：taro@example.lg.jp）")
        return value

    def done(self) -> None:
        if self.errors:
            raise FieldErrors(self.errors)
