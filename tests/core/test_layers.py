"""The layers of the code base: development tools stay out of production, and the apps
depend on each other one way only (every import counts, inside functions too)."""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_PRODUCTION = {"tools", "tests", ".venv", "var", "docs"}


def _production_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in NOT_PRODUCTION or relative.parts[0].startswith("."):
            continue
        yield relative, ast.parse(path.read_text(), filename=str(relative))


def _imported_names(tree: ast.AST):
    # Every import, including those inside functions: a lazy import still needs the package.
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_no_production_module_imports_the_tools_package():
    offenders = [
        f"{relative}: {name}"
        for relative, tree in _production_modules()
        for name in _imported_names(tree)
        if name == "tools" or name.startswith("tools.")
    ]
    assert offenders == []


# Lower first: an app may import only the apps before it in this order. Each line's apps
# are independent of each other. An app that needs something from an app above it gets it
# through core.registry (roles, alerts, personal_data, reference) or has it passed in.
LAYERS = [
    ["core"],
    ["documents", "notifications"],
    ["members"],
    ["accounts", "guarantees", "messaging"],
    ["claims"],
    ["assistant"],
    ["directory"],
    ["home"],
    ["portal"],
]
APPS = [app for layer in LAYERS for app in layer]
RANK = {app: rank for rank, layer in enumerate(LAYERS) for app in layer}


def _app_graph() -> dict[str, dict[str, list[str]]]:
    """app -> imported app -> where ("module.py:line"), migrations left out (they name
    models by string and are generated)."""
    graph: dict[str, dict[str, list[str]]] = {app: {} for app in APPS}
    for relative, tree in _production_modules():
        app = relative.parts[0]
        if app not in graph or "migrations" in relative.parts:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                target = name.split(".")[0]
                if target in graph and target != app:
                    graph[app].setdefault(target, []).append(f"{relative}:{node.lineno}")
    return graph


def _cycle(graph) -> list[str]:
    """One cycle of the graph as [a, b, ..., a], or [] (depth-first search)."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(app):
        state[app] = "open"
        path.append(app)
        for target in graph[app]:
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[app] = "done"
        path.pop()
        return []

    for app in graph:
        if app not in state and (found := visit(app)):
            return found
    return []


def test_the_project_layers_list_every_app():
    packages = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"portal"}
    assert packages - {"tools"} == set(APPS)


def test_core_imports_no_feature_app():
    graph = _app_graph()
    assert graph["core"] == {}, graph["core"]


def test_the_apps_import_each_other_one_way_only():
    graph = _app_graph()
    cycle = _cycle(graph)
    where = [f"{a} -> {b}: {', '.join(graph[a][b])}" for a, b in itertools.pairwise(cycle)]
    assert not cycle, "import cycle " + " -> ".join(cycle) + "\n" + "\n".join(where)


def test_an_app_imports_only_the_layers_below_it():
    graph = _app_graph()
    upward = [
        f"{app} -> {target} ({', '.join(places)})"
        for app, targets in graph.items()
        for target, places in targets.items()
        if RANK[target] >= RANK[app]
    ]
    assert not upward, "imports of an app of the same or a higher layer:\n" + "\n".join(upward)


def test_production_settings_run_without_the_tools_package(tmp_path):
    # As on a production machine, where tools/ is not installed (requirements-dev.txt and
    # the tools/ folder are for development): importing it must fail, and Django start.
    script = (
        "import sys; sys.modules['tools'] = None\n"
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "assert 'tools' not in settings.INSTALLED_APPS, settings.INSTALLED_APPS\n"
        "from django.core.management import call_command; call_command('check')\n"
        "print('production boots')\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "k" * 50,
        "TOTP_ENCRYPTION_KEYS": "Tm90LWEtcmVhbC1rZXktYnV0LTMyLWJ5dGVzLWxvbmc=",
        "DJANGO_ALLOWED_HOSTS": "assure.example.fr",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "production boots" in result.stdout


def test_runtime_requirements_hold_no_development_package():
    runtime = (ROOT / "requirements.txt").read_text().lower()
    for package in ("pytest", "playwright", "ruff", "faker", "factory_boy", "hypothesis", "aiosmtpd"):
        assert f"{package}==" not in runtime
