"""The field dictionary: shared columns are declared through it, with its type, and their descriptions once."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from sousei.pipeline import meta
from sousei.pipeline.fields import FIELDS, field
from sousei.pipeline.registry import steps

PIPELINE = Path(__file__).parents[2] / "src" / "sousei" / "pipeline"
# Being split by another change of issue 8 (item 5); moved onto the dictionary once that split is in.
NOT_YET = {Path("areas.py"), Path("sources/juki.py"), Path("sources/fiscal.py")}


def _all_columns():
    for step in steps().values():
        for table in step.tables:
            for column in table.columns:
                yield table.name, column
    for table in meta.META_TABLES:
        for column in table.columns:
            yield table.name, column


def _calls(name: str):
    """(path, line, call) of every call of `name` in the pipeline's code."""
    for path in sorted(PIPELINE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
                yield path.relative_to(PIPELINE), node.lineno, node


def test_every_dictionary_column_has_the_dictionary_type() -> None:
    wrong = [
        (table, c.name, c.type, FIELDS[c.name].types)
        for table, c in _all_columns()
        if c.name in FIELDS and c.type not in FIELDS[c.name].types
    ]
    assert wrong == []


def test_dictionary_columns_are_declared_through_the_dictionary() -> None:
    by_hand = [
        f"{path}:{line}: {node.args[0].value}"
        for name in ("C", "Column")
        for path, line, node in _calls(name)
        if node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in FIELDS and path not in NOT_YET
    ]
    assert by_hand == [], "declare these with field(name) and override only what differs"


def test_no_table_repeats_a_description() -> None:
    """An overriding description is written once: tables that share it share one declaration (a module constant)."""
    sites: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path, line, node in _calls("field"):
        if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
            sites[(node.args[0].value, node.args[1].value)].append(f"{path}:{line}")
    repeated = {key: where for key, where in sites.items() if len(where) > 1}
    assert repeated == {}
    # And none of them merely restates the dictionary.
    restated = [(n, d) for n, d in sites if d == FIELDS[n].description]
    assert restated == []


def test_field_refuses_a_restated_description_and_a_foreign_type() -> None:
    with pytest.raises(ValueError, match="repeats the dictionary"):
        field("muni_code", FIELDS["muni_code"].description)
    with pytest.raises(ValueError, match="not one of"):
        field("muni_code", type="INTEGER")
    assert field("persons", type="DOUBLE").type == "DOUBLE"
    assert field("year", min=2015).min == 2015
    assert field("year").description == FIELDS["year"].description


def test_the_dictionary_is_used() -> None:
    """Each field is shared by at least two tables (else it is not a common column and belongs to its table)."""
    uses: dict[str, int] = defaultdict(int)
    for _, column in _all_columns():
        uses[column.name] += 1
    assert {name: uses[name] for name in FIELDS if uses[name] < 2} == {}
