"""Every pipeline step: `sousei.pipeline.areas` and each module of `pipeline.sources` / `pipeline.derived` with STEP."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path
from types import ModuleType

from sousei.pipeline.errors import BuildError
from sousei.pipeline.schema import Step, Table

EXTRA_STEP_MODULES = ("sousei.pipeline.areas",)


def _step_modules() -> list[ModuleType]:
    import sousei.pipeline.derived as derived
    import sousei.pipeline.sources as sources

    names = list(EXTRA_STEP_MODULES)
    for pkg in (sources, derived):
        names += [f"{pkg.__name__}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_")]
    modules = []
    for name in names:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        if hasattr(module, "STEP"):
            modules.append(module)
    return modules


@cache
def steps() -> dict[str, Step]:
    """All steps in dependency order."""
    found: dict[str, Step] = {}
    for module in _step_modules():
        step: Step = module.STEP
        if step.name in found:
            raise BuildError("registry", f"two steps are named {step.name}")
        found[step.name] = step
    return {name: found[name] for name in _topological_order(found)}


@cache
def step_module_file(step_name: str) -> Path:
    for module in _step_modules():
        if module.STEP.name == step_name:
            return Path(module.__file__ or "")
    raise KeyError(step_name)


def tables() -> dict[str, tuple[Step, Table]]:
    out: dict[str, tuple[Step, Table]] = {}
    for step in steps().values():
        for table in step.tables:
            if table.name in out:
                raise BuildError("registry", f"table {table.name} is declared by two steps")
            out[table.name] = (step, table)
    return out


def _topological_order(found: dict[str, Step]) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise BuildError("registry", "steps depend on each other in a cycle: " + " → ".join(chain + (name,)))
        if name not in found:
            raise BuildError("registry", f"step {chain[-1]} depends on unknown step {name}")
        state[name] = 1
        for dep in found[name].depends:
            visit(dep, chain + (name,))
        state[name] = 2
        order.append(name)

    for name in sorted(found):
        visit(name, ())
    return order


AREAS_STEP = "areas"


def with_dependencies(names: list[str]) -> set[str]:
    """The named steps, every step they depend on, and the areas step (coverage checks read its table)."""
    all_steps = steps()
    wanted: set[str] = set()
    todo = list(names) + ([AREAS_STEP] if AREAS_STEP in all_steps else [])
    while todo:
        name = todo.pop()
        if name not in all_steps:
            raise BuildError("registry", f"unknown step {name!r}; steps: {', '.join(all_steps)}")
        if name not in wanted:
            wanted.add(name)
            todo.extend(all_steps[name].depends)
    return wanted
