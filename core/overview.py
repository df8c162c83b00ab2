"""The back-office's "vue d'ensemble" of one member: what is open for them in every app
(messages, devis, portability, bank change, payments...) on one page, each with a link.

Each app that holds such things declares ``<app>/member_overview.py`` with
``overview_sections(member) -> list[Section]`` (core.registry); the members admin joins
them, so it needs no import of the apps above members."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.registry import app_modules


@dataclass(frozen=True)
class Item:
    text: str
    url: str = ""  # its back-office page
    detail: str = ""  # status, dates, amounts
    flag: str = ""  # what needs a gestionnaire now ("en retard", "complétée par l'assuré")


@dataclass(frozen=True)
class Section:
    title: str
    items: list[Item]
    empty: str  # said when nothing is open
    order: int = 100  # place on the page, smallest first
    more_url: str = ""  # the full list, filtered on the member
    more_label: str = ""
    notes: list[str] = field(default_factory=list)


def overview_sections(member) -> list[Section]:
    sections = [section for module in app_modules("member_overview") for section in module.overview_sections(member)]
    return sorted(sections, key=lambda section: section.order)
