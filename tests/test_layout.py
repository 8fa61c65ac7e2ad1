"""The house rules of the code's layout (README, "How the code is laid out"), read from the imports.

Every import of every module counts, at the top of a file or inside a function: a lazy import
still ties the two modules together. Only imports under ``if TYPE_CHECKING:`` do not: they never run. The rules:

* ``models`` imports neither ``tui`` nor ``sync``, nor textual or httpx; ``sync`` never imports
  ``tui``; ``sync/remotes`` imports no ``models``; only ``tui`` imports textual.
* Inside ``models`` the rooms are layered, store < sla < directory < tickets < search < faq <
  reports < mail < exchange < demo: a room imports its own modules, the shared base (``models.errors``,
  ``enums``, ``validate``, ``redaction``, ``inert``) and rooms below it, never one above; nothing else in
  ``models`` imports ``demo``.
* In ``tui``: ``cli`` and ``text`` never import textual (``cli`` opens the app with one lazy
  import of ``tui.app``); ``widgets`` and ``dialogs`` never import ``screens``; a screen never
  imports another screen (the app owns navigation; a screen may be a package of its own
  modules).
* No circle: no module reaches itself through the imports of others.

The checker is tested on made-up graphs too, so that a rule that can no longer fail is noticed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("models", "sync", "tui")
BASE = {"models.errors", "models.enums", "models.validate", "models.redaction", "models.inert"}
ROOMS = ("store", "sla", "directory", "tickets", "search", "faq", "reports", "mail", "exchange", "demo")

Graph = dict[str, set[str]]  # module -> the modules and outside packages it imports


def module_files() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imported(module: str, is_package: bool, node: ast.AST, known: set[str]) -> set[str]:
    """What one import statement in ``module`` imports: our modules by name, others by top package."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join(package + ([node.module] if node.module else []))
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
    out = set()
    for name in names:
        if name.split(".")[0] not in PACKAGES:
            out.add(name.split(".")[0])
            continue
        while name not in known and "." in name:  # `import models.store.db.x` names an attribute
            name = name.rsplit(".", 1)[0]
        out.add(name)
    return out


def _type_checking(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:``: imports for type hints only, which never run."""
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def import_graph() -> Graph:
    files = module_files()
    known = set(files)
    graph: Graph = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(), str(path))
        typing_only = {id(n) for block in ast.walk(tree) if _type_checking(block) for n in ast.walk(block)}
        edges: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in typing_only:
                edges |= _imported(module, path.name == "__init__.py", node, known)
        edges.discard(module)
        graph[module] = edges
    return graph


def _ours(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


def _room(module: str) -> str | None:
    """The models room of ``module`` (``store``, …), ``base`` for the shared base, None otherwise."""
    parts = module.split(".")
    if parts[0] != "models":
        return None
    if module in BASE:
        return "base"
    if len(parts) > 1 and parts[1] in ROOMS:
        return parts[1]
    if len(parts) > 1 and parts[1] == "migrations":
        return "migrations"
    return "facade" if module == "models" else None


def _rank(room: str) -> int:
    return -1 if room == "base" else ROOMS.index(room)


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def violations(graph: Graph) -> list[str]:
    """Every import that breaks a layout rule, as 'importer -> imported: rule'."""
    found = []
    for module, edges in sorted(graph.items()):
        for target in sorted(edges):
            rule = _broken_rule(module, target)
            if rule:
                found.append(f"{module} -> {target}: {rule}")
    return found


def _broken_rule(module: str, target: str) -> str | None:
    top, target_top = module.split(".")[0], target.split(".")[0]
    if target_top == "textual" and top != "tui":
        return "only tui imports textual"
    if top == "models":
        if target_top in ("tui", "sync", "httpx"):
            return f"models never imports {target_top}"
        here, there = _room(module), _room(target)
        if there is None or not _ours(target):
            return None
        if there == "facade" and module != "models":
            return "inside models, import the module, not the models façade"
        if here == "migrations":
            return "migrations never import demo" if there == "demo" else None
        if here in (None, "facade") or there in ("facade", "migrations"):
            return None
        if here == "base":
            return None if there == "base" else "the shared base imports only the base"
        if there == "demo" and here != "demo":
            return "nothing in models imports demo"
        if there != "base" and _rank(there) > _rank(here):
            return f"room {here} may not import the higher room {there}"
        return None
    if top == "sync":
        if target_top == "tui":
            return "sync never imports tui"
        if _under(module, "sync.remotes") and target_top == "models":
            return "the remote adapters import no models"
        if _under(module, "sync.remotes") and target_top == "sync" and not _under(target, "sync.remotes"):
            return "the remote adapters import only each other"
        return None
    if top == "tui":
        if _under(module, "tui.cli") or _under(module, "tui.text"):
            if target_top == "textual":
                return "cli and text never import textual"
            # Anything else of tui may bring textual along: cli imports only cli and text (and the
            # app, lazily, to open it), text only text.
            allowed = ["tui.text"] + (["tui.cli", "tui.app"] if _under(module, "tui.cli") else [])
            if target_top == "tui" and target != "tui" and not any(_under(target, a) for a in allowed):
                return "cli and text never import the app's screens, widgets or dialogs, nor its other parts"
        if (_under(module, "tui.widgets") or _under(module, "tui.dialogs")) and _under(target, "tui.screens"):
            return "widgets and dialogs never import screens"
        if _under(module, "tui.screens") and _under(target, "tui.screens") and "tui.screens" not in (module, target):
            if _screen(module) != _screen(target):
                return "a screen never imports another screen: the app owns navigation"
    return None


def _screen(module: str) -> str:
    """The screen a module of ``tui.screens`` belongs to: a screen may be a module or a package of its own."""
    return module.split(".")[2]


def cycles(graph: Graph) -> list[list[str]]:
    """The import circles among our modules, each as the path that closes it (Tarjan's SCCs)."""
    ours = {m: {t for t in edges if t in graph} for m, edges in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(ours[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(ours):
        if node not in index:
            visit(node)
    return found


# --- the real tree ------------------------------------------------------------------------------


def test_every_import_keeps_the_layout_rules():
    assert violations(import_graph()) == []


def test_no_module_reaches_itself_through_its_imports():
    assert cycles(import_graph()) == []


def test_the_graph_sees_lazy_imports_and_the_rooms():
    graph = import_graph()
    assert {"models.store", "models.tickets", "tui.cli", "tui.screens", "sync.remotes"} <= set(graph)
    assert "textual" in graph["tui.app"]
    # a lazy import inside a function counts: the command line opens the app only when asked
    assert any("tui.app" in graph[m] for m in graph if _under(m, "tui.cli"))


# --- the checker itself, on made-up graphs ------------------------------------------------------


@pytest.mark.parametrize(
    ("importer", "imported", "rule"),
    [
        ("models.store.db", "models.tickets.changes", "higher room"),
        ("models.sla.rules", "models.reports.organizations", "higher room"),
        ("models.tickets.changes", "models.demo.generator", "nothing in models imports demo"),
        ("models.search.tickets", "models", "façade"),
        ("models.errors", "models.store.db", "base imports only the base"),
        ("models.faq.articles", "textual", "only tui imports textual"),
        ("models.tickets.changes", "tui.desk.desk", "models never imports tui"),
        ("models.reports.kpi", "httpx", "models never imports httpx"),
        ("sync.engine", "tui.app", "sync never imports tui"),
        ("sync.remotes.transport", "models.redaction", "import no models"),
        ("sync.remotes.rt", "sync.engine", "only each other"),
        ("tui.cli.ticket", "textual", "never import textual"),
        ("tui.text.labels", "textual", "never import textual"),
        ("tui.cli.ticket", "tui.screens.ticket", "never import the app's screens"),
        ("tui.cli.common", "tui.errors", "nor its other parts"),
        ("tui.text.labels", "tui.keys", "nor its other parts"),
        ("tui.text.labels", "tui.cli.common", "nor its other parts"),
        ("tui.widgets.timeline", "tui.screens.message", "never import screens"),
        ("tui.dialogs.choice", "tui.screens.queue", "never import screens"),
        ("tui.screens.queue", "tui.screens.ticket", "the app owns navigation"),
        ("tui.screens.queue.screen", "tui.screens.ticket.composer", "the app owns navigation"),
    ],
)
def test_a_broken_rule_is_found(importer, imported, rule):
    found = violations({importer: {imported}})
    assert len(found) == 1 and rule in found[0], found


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("models.tickets.changes", "models.store.db"),
        ("models.tickets.changes", "models.tickets.fold"),
        ("models.demo.story", "models.sla.rules"),
        ("models.store.db", "models.errors"),
        ("models.migrations.0009_kpis", "models.sla.clock"),
        ("sync.engine", "models.tickets.changes"),
        ("sync.remotes.rt", "httpx"),
        ("tui.cli.root", "tui.app"),
        ("tui.cli.ticket", "tui.text.labels"),
        ("tui.screens.queue", "tui.widgets.queue_table"),
        ("tui.app", "tui.screens.queue"),
        ("tui.screens.queue.screen", "tui.screens.queue.filters"),
    ],
)
def test_an_allowed_import_is_not_reported(importer, imported):
    assert violations({importer: {imported}}) == []


def test_a_circle_is_found_lazy_or_not():
    graph = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x", "textual"}, "a.w": {"a.x"}}
    assert cycles(graph) == [["a.x", "a.y", "a.z"]]
    assert cycles({"a.x": {"a.y"}, "a.y": set()}) == []


def test_relative_and_attribute_imports_resolve_to_modules():
    known = {"models.tickets", "models.tickets.changes", "models.tickets.fold", "models.store.db"}
    tree = ast.parse(
        "from .fold import apply\nfrom . import fold\nimport models.store.db.x\nfrom models import tickets"
    )
    found = set()
    for node in tree.body:
        found |= _imported("models.tickets.changes", False, node, known | {"models"})
    assert found == {"models.tickets.fold", "models.store.db", "models.tickets"}
