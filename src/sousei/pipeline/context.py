"""What a step sees while it parses: its own declared files, the tables of the steps it depends on, a progress hook."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from sousei.pipeline.declarations import source
from sousei.pipeline.errors import BuildError
from sousei.pipeline.schema import Step


class StepContext:
    def __init__(
        self,
        step: Step,
        data_dir: Path,
        dependency_tables: Callable[[str], pl.DataFrame],
        progress: Callable[[int, int, str], None] | None = None,
    ):
        self.step = step
        self.data_dir = data_dir
        self._dependency_tables = dependency_tables
        self._progress = progress or (lambda done, total, label: None)
        self._allowed = {f for sid in step.sources for f in source(sid).declared_files()}
        # The declared files the step asked for, in order: an undecodable input is looked for among them.
        self.opened: list[str] = []

    def files(self, source_id: str | None = None) -> list[str]:
        """The declared bundle paths (relative to the bundle) of one of the step's sources, or all of them."""
        ids = [source_id] if source_id else list(self.step.sources)
        for sid in ids:
            if sid not in self.step.sources:
                raise BuildError("declaration", f"step {self.step.name} does not declare source {sid}")
        return sorted(f for sid in ids for f in source(sid).declared_files())

    def path(self, rel: str) -> Path:
        """Absolute path of a declared file; a step may read nothing else (its checksum was verified)."""
        if rel not in self._allowed:
            raise BuildError(
                "declaration", f"step {self.step.name} reads a file none of its sources declares", file=rel
            )
        self.opened.append(rel)
        return self.data_dir / rel

    def table(self, name: str) -> pl.DataFrame:
        """A table produced by a step this step depends on."""
        return self._dependency_tables(name)

    def progress(self, done: int, total: int, label: str = "") -> None:
        self._progress(done, total, label)

    def fail(self, check: str, message: str, *, file: str | None = None, where: str | None = None) -> BuildError:
        """An error to raise from a parser: `raise ctx.fail(...)`."""
        return BuildError(check, message, file=file, where=where)
