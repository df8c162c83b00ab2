"""The member menu, mirroring the Espace Assuré. An entry appears only once its feature
exists: each item names a URL, and items whose URL is not installed are left out."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    children: tuple[NavItem, ...] = field(default_factory=tuple)


MENU = (
    NavItem("Accueil", "portal:home"),
    NavItem(
        "Situation",
        "members:contracts",
        (
            NavItem("Mes contrats", "members:contracts"),
            NavItem("Mes bénéficiaires", "members:beneficiaries"),
            NavItem("Télétransmission NOEMIE", "members:noemie"),
            NavItem("Mes documents utiles", "members:documents"),
        ),
    ),
    NavItem(
        "Remboursements",
        "claims:list",
        (
            NavItem("Consulter mes remboursements", "claims:list"),
            NavItem("Modalités de remboursement", "guarantees:table"),
            NavItem("Simuler un remboursement", "guarantees:simulate"),
            NavItem("Estimation de mes remboursements", "claims:quotes"),
        ),
    ),
    NavItem(
        "Tiers payant",
        "members:card",
        (
            NavItem("Ma carte de tiers payant", "members:card"),
            NavItem("Localiser un professionnel de santé", "directory:search"),
        ),
    ),
    NavItem(
        "Démarches",
        "messaging:compose",
        (
            NavItem("Écrire un message", "messaging:compose"),
            NavItem("Estimation de mes remboursements", "claims:quotes"),
            NavItem("Mes services complémentaires", "portal:services"),
        ),
    ),
    NavItem("Messagerie", "messaging:inbox"),
    NavItem("Profil", "members:profile"),
    NavItem("Contacts", "portal:contact"),
)


def _url(name: str) -> str | None:
    return _resolved_urls(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()).get(name)


@functools.cache
def _resolved_urls(urlconf: str, script_prefix: str) -> dict[str, str]:
    """Every menu URL, reversed once per URLconf and script prefix: the menu is on every
    member page and its URLs never change while the process runs (tests that swap the
    URLconf get their own entry)."""
    names = {item.url_name for item in MENU} | {child.url_name for item in MENU for child in item.children}
    urls = {}
    for name in names:
        try:
            urls[name] = reverse(name, urlconf=urlconf)
        except NoReverseMatch:
            continue
    return urls


def build_menu(current_path: str) -> list[dict]:
    menu = []
    for item in MENU:
        url = _url(item.url_name)
        if url is None:
            continue
        children = [
            {"label": child.label, "url": child_url, "active": current_path == child_url}
            for child in item.children
            if (child_url := _url(child.url_name))
        ]
        active = current_path == url or any(c["active"] for c in children) or (
            url != "/" and current_path.startswith(url)
        )
        menu.append({"label": item.label, "url": url, "children": children, "active": active})
    return menu
