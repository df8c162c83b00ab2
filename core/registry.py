"""How an app contributes to a feature of another without either importing the other.

A lower app declares an extension point by a module name (``roles``, ``alerts``,
``personal_data``, ``reference``); each installed app that has ``<app>/<name>.py`` takes
part. The caller imports only this module; the dependency goes from the contributing app
up to nothing, which keeps the app graph acyclic (tests/core/test_layers.py).
"""

from __future__ import annotations

import functools
from importlib import import_module
from types import ModuleType

from django.apps import apps


@functools.cache
def app_modules(name: str) -> tuple[ModuleType, ...]:
    """``<app>.<name>`` of every installed app that has one, in INSTALLED_APPS order. Looked
    up once per process: the installed apps do not change once Django has started, and the
    home page asks at every visit (a failed import costs more than the page's queries)."""
    modules = []
    for config in apps.get_app_configs():
        try:
            modules.append(import_module(f"{config.name}.{name}"))
        except ModuleNotFoundError as missing:
            # Only the absence of the module itself: an import error inside it must surface.
            if missing.name != f"{config.name}.{name}":
                raise
    return tuple(modules)
