"""The floor plan holds: imports point down the rooms of docs/ARCHITECTURE.md, no circles.

Imports inside functions count; the rooms' direction leaves out `if TYPE_CHECKING:` blocks
(they never run), the circles do not (a type-only circle still ties the modules together).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = ("bot", "handlers", "zalo_api")

# Rooms from the top down: a module may import its own room and any room of a lower rank.
RANKS: dict[str, int] = {
    "entry": 11,  # bot (package), bot.app, bot.wiring, bot.ops, the worker's main, wsgi
    "bot.web": 10,
    "bot.portal": 9,  # the portal's JSON API and the operations behind it
    "bot.worker": 8,  # the worker runtime: stage runners and the work of each stage
    "bot.services": 7,  # the process's parts, built once: every room below is a part's type
    "handlers": 6,
    "bot.verification": 5,
    "bot.admin": 5,
    "bot.conversation": 4,
    "bot.queues": 3,
    "bot.zalo": 2,
    "bot.sms": 2,
    "bot.texts": 2,
    "core": 1,  # bot.config, bot.oas, bot.connections, bot.keys, bot.masking, bot.metrics, ...
    "zalo_api": 0,
}
ENTRY = {"bot", "bot.app", "bot.wiring", "bot.worker.__main__", "bot.worker.process", "wsgi"}
# zalo_api could be published on its own: the platform, nothing of the bot's machinery.
ZALO_API_MAY_NOT_IMPORT = ("bot", "handlers", "flask", "redis", "rq")


def module_name(path: Path) -> str:
    """The dotted name of a source file."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of the three packages, and wsgi."""
    found = {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    found["wsgi"] = ROOT / "wsgi.py"
    return found


def room_of(module: str) -> str:
    """The room a module lives in."""
    if module in ENTRY or module.startswith("bot.ops"):
        return "entry"
    for room in RANKS:
        if module == room or module.startswith(room + "."):
            return room
    return "core"


def type_checking_nodes(tree: ast.AST) -> set[int]:
    """Ids of the nodes inside `if TYPE_CHECKING:` blocks."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(sub) for sub in ast.walk(node))
    return skipped


def imported_names(module: str, path: Path, types: bool = False) -> Iterator[str]:
    """The dotted names a module imports, at any depth; TYPE_CHECKING blocks only if types."""
    tree = ast.parse(path.read_text())
    skipped = set() if types else type_checking_nodes(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def resolve(name: str, known: dict[str, Path]) -> str | None:
    """The project module a dotted name points into, or None for third-party code."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(types: bool = False) -> dict[str, set[str]]:
    """Module -> the project modules it imports (types: TYPE_CHECKING blocks included)."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        targets = {resolve(n, known) for n in imported_names(module, path, types)}
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """The import circles (Tarjan's strongly connected components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(component)

    for node in graph:
        if node not in index:
            visit(node)
    return circles


def test_no_import_circle() -> None:
    assert strongly_connected(import_graph()) == []


def test_no_import_circle_even_through_type_only_imports() -> None:
    assert strongly_connected(import_graph(types=True)) == []


def test_the_checker_sees_type_only_imports() -> None:
    # bot.conversation.context names the verifier's type only for the type checker.
    assert "bot.verification.service" in import_graph(types=True)["bot.conversation.context"]
    assert "bot.verification.service" not in import_graph()["bot.conversation.context"]


def test_nothing_below_the_pipeline_takes_the_whole_process() -> None:
    graph = import_graph(types=True)
    takers = sorted(m for m, targets in graph.items() if "bot.services" in targets)
    assert all(RANKS[room_of(m)] > RANKS["bot.services"] for m in takers), takers


def test_imports_point_down_the_rooms() -> None:
    wrong = []
    for module, targets in import_graph().items():
        source = room_of(module)
        for target in targets:
            room = room_of(target)
            if room != source and RANKS[room] >= RANKS[source]:
                wrong.append(f"{module} ({source}) -> {target} ({room})")
    assert wrong == []


def test_zalo_api_stands_alone() -> None:
    known = modules()
    for module, path in known.items():
        if module.startswith("zalo_api"):
            for name in imported_names(module, path):
                assert name.split(".")[0] not in ZALO_API_MAY_NOT_IMPORT, (module, name)


def test_every_room_says_what_lives_there() -> None:
    for init in (ROOT / "bot").glob("*/__init__.py"):
        docstring = ast.get_docstring(ast.parse(init.read_text()))
        assert docstring and "import" in docstring, init


@pytest.mark.parametrize("name", ["bot.wiring", "bot.ops.cli", "bot.web.webhook"])
def test_the_checker_sees_imports_inside_functions(name: str) -> None:
    graph = import_graph()
    assert graph[name], name  # a smoke test of the parser: these import plenty


# One name, one concept: each room's `parts` is the same idea (the shape it takes of a process),
# and `admin` is the admins' room (bot.admin), their page (bot.web.admin) and their texts.
SHARED_NAMES = {"__init__", "__main__", "parts", "admin"}


def test_no_two_modules_share_a_name() -> None:
    seen: dict[str, list[str]] = {}
    for module in modules():
        seen.setdefault(module.rpartition(".")[2], []).append(module)
    twice = {name: found for name, found in seen.items() if len(found) > 1}
    assert set(twice) <= SHARED_NAMES, twice
