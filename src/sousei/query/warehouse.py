"""The warehouse as the web app, the analyst and the desk read it: every read in one object."""

from __future__ import annotations

from pathlib import Path

from sousei.query.diagnosis import DiagnosisReads
from sousei.query.national import NationalReads
from sousei.query.population import PopulationReads
from sousei.query.projections import ProjectionReads
from sousei.query.series import SeriesReads


class Warehouse(DiagnosisReads, ProjectionReads, PopulationReads, SeriesReads, NationalReads):
    """One read-only connection, and in-memory copies of what the pages read per municipality."""

    def __init__(self, path: Path):
        super().__init__(path)
        self._load_areas()
        self._load_hamadori()
        self._indicators = self._load_indicators()
