"""The warehouse describes itself: sources, files with checksums, tables with row counts, the build."""

from __future__ import annotations

from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Table

SOURCES = Table(
    name="meta__sources",
    description="Every source the warehouse was built from, as the project declares it (sources.toml).",
    columns=(
        C("source_id", "VARCHAR", "Source id (as in the bundle's CATALOG.yaml)", nullable=False),
        C("title", "VARCHAR", "Title of the publication, as its producer calls it"),
        C("producer", "VARCHAR", "Official body that publishes the statistics"),
        C("official", "VARCHAR", "Where the official publication lives (URL, e-Stat table ID)"),
        C("license", "VARCHAR", "Terms of use of the data"),
        C("attribution", "VARCHAR", "Credit line every page and report showing the data must carry"),
        C("vintage", "VARCHAR", "Reference date(s) or edition of the data"),
        C("via", "VARCHAR", "Public mirror the bundle's copy came from"),
        C("tables", "VARCHAR[]", "Warehouse tables built from this source"),
        C("rows", "BIGINT", "Rows in those tables, added up", min=0),
    ),
    key=("source_id",),
)

FILES = Table(
    name="meta__files",
    description="Every bundle file read by the build, with the sha256 it was verified against.",
    columns=(
        C("source_id", "VARCHAR", "Source the file belongs to", nullable=False),
        C("path", "VARCHAR", "Path relative to the data bundle", nullable=False),
        C("sha256", "VARCHAR", "Declared and verified sha256 of the file", nullable=False),
    ),
    key=("path",),
)

TABLES = Table(
    name="meta__tables",
    description="Every table of the warehouse: the step that built it, its sources and its row count.",
    columns=(
        C("table_name", "VARCHAR", "Table name", nullable=False),
        C("step", "VARCHAR", "Pipeline step that produced the table"),
        C("sources", "VARCHAR[]", "Source ids the table is built from"),
        C("description", "VARCHAR", "What the table holds"),
        C("rows", "BIGINT", "Number of rows", min=0),
        C("fingerprint", "VARCHAR", "Hash of the step's inputs and code; equal fingerprints mean equal tables"),
    ),
    key=("table_name",),
)

BUILD = Table(
    name="meta__build",
    description="The build that wrote this warehouse file.",
    columns=(
        C("built_at", "TIMESTAMP", "When the build finished (UTC)", nullable=False),
        C("sousei_version", "VARCHAR", "Version of the sousei package"),
        C("data_dir", "VARCHAR", "Data bundle folder the build read"),
        C("seconds", "DOUBLE", "Wall time of the build in seconds", min=0),
        C("steps_reused", "INTEGER", "Steps whose cached result was reused", min=0),
        C("steps_run", "INTEGER", "Steps that were parsed anew", min=0),
    ),
    key=("built_at",),
)

META_TABLES = (SOURCES, FILES, TABLES, BUILD)
