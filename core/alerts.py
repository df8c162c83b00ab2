"""An alert of the member's home page. Each app that has some declares them in
``<app>/alerts.py`` as ``member_alerts(member, today, *, people) -> list[Alert]``
(``people``: the household, already loaded by the home page); ``home.alerts`` collects
them in INSTALLED_APPS order. The type lives here so that no feature app imports home."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Alert:
    level: str  # info / warning
    title: str
    text: str
    url: str
    link_label: str
