"""The one error a build raises: it names the file, the place in it and the check that failed."""

from __future__ import annotations


class BuildError(Exception):
    def __init__(self, check: str, message: str, *, file: str | None = None, where: str | None = None):
        self.check = check
        self.file = file
        self.where = where
        self.detail = message
        parts = [f"[{check}]"]
        if file:
            parts.append(f"file {file}")
        if where:
            parts.append(f"at {where}")
        super().__init__(" ".join(parts) + ": " + message)
