"""Layers import downward only, and no module imports itself back through others.

From the bottom: the domain (tracker/domain: the rules, no Flask, no SQLAlchemy), the event
store (events/: knows no tracker), the tracker (tracker/: knows no reminders), the reminders
(reminders/), and the composition root (wsgi.py) that wires the last two together.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("tracker", "events", "reminders")


def _modules() -> dict[str, Path]:
    """Every module of the three packages, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path) -> set[str]:
    """Every module a file imports (at the top or inside a function: both are uses)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from reminders import outbox` uses the module reminders.outbox, not the
            # package's __init__; `from tracker.clock import as_utc` uses tracker.clock.
            submodules = {f"{node.module}.{alias.name}" for alias in node.names}
            names.update(submodules if submodules <= set(_MODULE_FILES) else {node.module})
    return names


MODULES = _MODULE_FILES = _modules()
IMPORTS = {name: _imports(path) for name, path in MODULES.items()}


def _importing(prefix: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        name: sorted(i for i in imports if i.split(".")[0] in forbidden or i.startswith(forbidden))
        for name, imports in IMPORTS.items()
        if name == prefix or name.startswith(prefix + ".")
        if any(i.split(".")[0] in forbidden or i.startswith(forbidden) for i in imports)
    }


def test_the_domain_imports_neither_flask_nor_the_database_nor_the_rest_of_the_app() -> None:
    outside = ("flask", "flask_babel", "sqlalchemy", "sqlmodel", "events", "reminders")
    assert _importing("tracker.domain", outside) == {}
    app = {
        name: sorted(i for i in imports if i.startswith("tracker.") and ".domain" not in i)
        for name, imports in IMPORTS.items()
        if name.startswith("tracker.domain")
    }
    assert {name: found for name, found in app.items() if found} == {}


def test_the_event_store_knows_nothing_of_the_tracker_or_the_reminders() -> None:
    assert _importing("events", ("tracker", "reminders")) == {}


def test_the_tracker_knows_nothing_of_the_reminders() -> None:
    assert _importing("tracker", ("reminders",)) == {}


def test_no_module_imports_itself_back() -> None:
    graph = {name: {m for m in MODULES if m != name and m in IMPORTS[name]} for name in MODULES}
    cycles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(path)
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    assert cycles == []
