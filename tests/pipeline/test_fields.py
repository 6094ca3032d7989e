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
        if node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in FIELDS
    ]
    assert by_hand == [], "declare these with field(name) and override only what differs"


def _description(node: ast.Call) -> ast.expr | None:
    args = node.args[1:] if isinstance(node.func, ast.Name) and node.func.id == "field" else node.args[2:]
    return args[0] if args else next((k.value for k in node.keywords if k.arg == "description"), None)


def test_no_column_description_is_written_twice() -> None:
    """A column's description is written once: tables that share it share one declaration (a module constant, or the
    dictionary), and a dictionary column's own description never restates the dictionary's."""
    sites: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for name in ("C", "Column", "field"):
        for path, line, node in _calls(name):
            description = _description(node)
            if not node.args or not isinstance(node.args[0], ast.Constant) or description is None:
                continue
            column = node.args[0].value
            if isinstance(description, ast.Constant):
                assert description.value != getattr(FIELDS.get(column), "description", None), f"{path}:{line}"
                sites[(column, description.value)].append(f"{path}:{line}")
            else:  # an expression of the module's own names: the same expression twice in one module repeats it
                sites[(str(path), column, ast.unparse(description))].append(f"{path}:{line}")
    assert {key: where for key, where in sites.items() if len(where) > 1} == {}


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
