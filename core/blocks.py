"""A block of the member's home page (beside the alerts: a summary with a link to the
app's page). Each app that has some declares them in ``<app>/home_blocks.py`` as
``member_blocks(household, today) -> list[HomeBlock]``; ``home.blocks`` collects them in
INSTALLED_APPS order. The type lives here so that no feature app imports home."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HomeBlock:
    template: str  # a Jinja2 partial, given ``block`` (this object)
    context: dict[str, Any] = field(default_factory=dict)
