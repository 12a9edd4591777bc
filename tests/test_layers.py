"""The house rules of docs/DESIGN.md ("Layers"), checked on the source itself.

Reads every module under ``src/dasan`` (migrations aside) with ``ast`` — imports inside
functions count too, since they are how cycles hide — and fails when:

- an app imports an app of a higher layer, or one beside it in the same layer;
- an app imports another app's ``models`` (only the foundation's vocabulary is shared:
  ``core.models`` for the city and its departments, ``accounts.models`` for users) instead
  of its ``selectors`` or ``services``;
- a module takes a private name (``_x``) from another module, by import or by attribute;
- modules import each other in a cycle.

Nothing is imported or run: the checks read text, so they cost a second.
"""

from __future__ import annotations

import ast
import collections
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "dasan"

#: The project's wiring above every app (settings, URL map, API root, entry points).
PROJECT = {"settings", "urls", "api", "cli", "wsgi", "asgi"}
SHARED_MODELS = {"dasan.core.models", "dasan.accounts.models"}


def _layers() -> dict[str, int]:
    """{app label: layer number} from each app's declaration (``DasanAppConfig.layer``)."""
    from dasan.core.appconfig import LAYERS, dasan_apps

    return {app.label: LAYERS.index(app.layer) for app in dasan_apps()}


LAYER_OF = _layers()


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, pathlib.Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


MODULES = _sources()


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


#: module → the names it binds to Dasan modules ("from . import services", "import x as y").
BOUND: dict[str, set[str]] = collections.defaultdict(set)


def _imports() -> list[tuple[str, str, str | None, int]]:
    """(importer, imported module, imported name or None, line) for every import of Dasan."""
    found = []
    for module, path in MODULES.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("dasan"):
                        found.append((module, alias.name, None, node.lineno))
                        BOUND[module].add(alias.asname or alias.name.rpartition(".")[2])
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                if not base.startswith("dasan"):
                    continue
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    if submodule in MODULES:
                        found.append((module, submodule, None, node.lineno))
                        BOUND[module].add(alias.asname or alias.name)
                    else:
                        found.append((module, base, alias.name, node.lineno))
    return found


IMPORTS = _imports()


def test_every_package_is_an_app_with_a_layer():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages - set(LAYER_OF) == set(), "make it an app (DasanAppConfig with a layer) in INSTALLED_APPS"


def test_apps_import_only_lower_layers():
    wrong = []
    for importer, imported, _name, line in IMPORTS:
        source, target = _app(importer), _app(imported)
        if source is None or target is None or source == target:
            continue
        if source in PROJECT:
            continue
        if target in PROJECT:
            wrong.append(f"{importer}:{line} imports the project module {imported}")
        elif LAYER_OF[target] >= LAYER_OF[source]:
            wrong.append(
                f"{importer}:{line} ({source}, layer {LAYER_OF[source]}) imports {imported} (layer {LAYER_OF[target]})"
            )
    assert wrong == [], "\n".join(wrong)


def test_apps_read_other_apps_through_selectors_not_models():
    wrong = [
        f"{importer}:{line} imports {imported}"
        for importer, imported, _name, line in IMPORTS
        if imported.endswith(".models")
        and _app(importer) != _app(imported)
        and imported not in SHARED_MODELS
        and _app(importer) not in PROJECT
    ]
    assert wrong == [], "\n".join(wrong)


def _private(name: str | None) -> bool:
    return bool(name) and name.startswith("_") and not name.startswith("__") and name != "_"


def test_no_module_takes_another_modules_private_names():
    wrong = [
        f"{importer}:{line} imports {imported}.{name}"
        for importer, imported, name, line in IMPORTS
        if _private(name) and imported != importer
    ]
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = BOUND[module]
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and _private(node.attr)
            ):
                wrong.append(f"{module}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert wrong == [], "\n".join(wrong)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    edges: dict[str, set[str]] = collections.defaultdict(set)
    for importer, imported, _name, _line in IMPORTS:
        if imported in MODULES and imported != importer:
            # "from package import name" reads the package's __init__, not a cycle through it.
            if importer.startswith(imported + "."):
                continue
            edges[importer].add(imported)
    assert _cycles(edges) == []


@pytest.mark.parametrize(
    "edges, expected",
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}}, []),
    ],
)
def test_the_cycle_finder_finds_cycles(edges, expected):
    assert _cycles(edges) == expected
