"""The areas step: the 2020 master (`master`) and the code history and crosswalk (`history`) → core_areas__*.

Code lists, census 2020 units, peer groups and Kondo's converter; the bundle files both halves read are in `files`.
"""

from __future__ import annotations

import polars as pl

from sousei.pipeline.areas.files import read_standard
from sousei.pipeline.areas.history import (
    CHANGES_TABLE,
    CODE_TO_2020,
    CONVERTER_TABLE,
    PINNED_SPLITS,
    build_code_to_2020,
    build_converter,
    read_changes,
)
from sousei.pipeline.areas.master import AREAS, MUNICIPALITIES, build_areas
from sousei.pipeline.context import StepContext
from sousei.pipeline.schema import Step


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    standard = read_standard(ctx)
    municipalities, areas = build_areas(ctx, standard)
    muni_set = set(municipalities["muni_code"].to_list())
    ctx.progress(1, 3, "areas")
    converter = build_converter(ctx, muni_set)
    changes = read_changes(ctx)
    ctx.progress(2, 3, "converter")
    wards = areas.filter(pl.col("level") == "ward")
    ward_parent = dict(zip(wards["area_code"].to_list(), wards["parent_code"].to_list(), strict=True))
    code_to_2020 = build_code_to_2020(ctx, standard, changes, muni_set, ward_parent)
    converter = converter.with_columns(pl.col("code").is_in(sorted(PINNED_SPLITS)).alias("is_split"))
    ctx.progress(3, 3, "code_to_2020")
    return {
        MUNICIPALITIES.name: municipalities,
        AREAS.name: areas,
        CONVERTER_TABLE.name: converter,
        CHANGES_TABLE.name: changes,
        CODE_TO_2020.name: code_to_2020,
    }


STEP = Step(
    name="areas",
    description="Areas master (1,741 municipalities of 2020, prefectures, wards) and code crosswalks 1970–2024",
    sources=("municipal_codes", "municipality_converter", "peer_groups", "census_2020_sex_age5", "ssdse_a"),
    tables=(MUNICIPALITIES, AREAS, CONVERTER_TABLE, CHANGES_TABLE, CODE_TO_2020),
    parse=parse,
)
