"""The house's one-way flow: `ui` → `app` → `assistant` → `index` → `ingest` → `core`, `eval` beside.

Every import of every module (module-level and inside functions alike: a lazy import is still a dependency) is read
with `ast`. A module may import its own folder and any folder below it; `eval` may import everything but the
faces (`ui`); `corpus` (the demo manifest) only `core`. No two modules may import each other, directly or around a
longer circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Folder → what it may import besides itself. Lower layers first.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "corpus": {"core"},
    "ingest": {"core"},
    "index": {"core", "ingest"},
    "assistant": {"core", "ingest", "index"},
    "app": {"core", "corpus", "ingest", "index", "assistant"},
    "ui": {"core", "corpus", "ingest", "index", "assistant", "app", "eval"},
    "eval": {"core", "corpus", "ingest", "index", "assistant", "app"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def our_imports(path: Path) -> set[str]:
    """The modules of ours that `path` imports (resolved to the longest existing module name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return {n for n in names if n.split(".")[0] in ALLOWED}


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in ALLOWED:
        for path in sorted((REPO / folder).rglob("*.py")):
            found[module_name(path)] = path
    return found


def test_no_import_points_back_up_the_layers() -> None:
    wrong: list[str] = []
    for name, path in modules().items():
        own = name.split(".")[0]
        for imported in our_imports(path):
            target = imported.split(".")[0]
            if target != own and target not in ALLOWED[own]:
                wrong.append(f"{name} imports {imported} ({own} may not import {target})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_two_modules_import_each_other() -> None:
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets = set()
        for imported in our_imports(path):
            # "pkg.mod.Name" → the module "pkg.mod"; a package import counts as its __init__
            while imported and imported not in known:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                targets.add(imported)
        graph[name] = targets
    cycles: list[str] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" → ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_each_folder_opens_with_a_docstring_saying_what_it_owns(folder: str) -> None:
    init = REPO / folder / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert doc and len(doc) > 40, f"{init} needs a docstring saying what {folder}/ owns"
