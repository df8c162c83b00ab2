"""Keys of what the portal keeps in Django's cache."""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

from django.core.cache import cache

T = TypeVar("T")


@functools.cache
def source_digest(module_name: str) -> str:
    """A digest of a module's source, for the keys of values pickled from its types: a
    release that changes them reads none of the previous release's entries."""
    module_file = sys.modules[module_name].__file__
    if module_file is None:  # pragma: no cover - every portal module is a file
        raise ValueError(f"{module_name} has no source file")
    return hashlib.sha256(Path(module_file).read_bytes()).hexdigest()[:12]


def cached(key: str, compute: Callable[[], T], timeout: int) -> T:
    """``cache.get_or_set`` typed for values that are never None: ``compute()`` runs only on
    a miss, and what it returns is kept under ``key``."""
    return cast(T, cache.get_or_set(key, compute, timeout=timeout))
