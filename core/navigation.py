"""The member menu, mirroring the Espace Assuré. An entry appears only once its feature
exists: each item names a URL, and items whose URL is not installed are left out."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    children: tuple[NavItem, ...] = field(default_factory=tuple)


MENU = (
    NavItem("Accueil", "home:home"),
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
            NavItem("Mes dépenses de santé", "claims:spending"),
            NavItem("Modalités de remboursement", "guarantees:table"),
            NavItem("Mes droits restants", "claims:rights"),
            NavItem("Simuler un remboursement", "claims:simulate"),
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
            NavItem("Mes services complémentaires", "home:services"),
        ),
    ),
    NavItem("Messagerie", "messaging:inbox"),
    NavItem("Profil", "members:profile"),
    NavItem("Contacts", "home:contact"),
)


# The layout's own links (base.html and its partials), by the key templates use:
# ``{{ site_urls.contact }}``. Reversed once, like the menu's.
SITE_URLS = {
    "home": "home:home",
    "contact": "home:contact",
    "security": "accounts:security",
    "compose": "messaging:compose",
    "logout": "account_logout",
    "assistant": "assistant:ask",
    "assistant_api": "assistant:api",
    "assistant_feedback": "assistant:feedback",
}


def _urls() -> dict[str, str]:
    return _resolved_urls(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@functools.cache
def _resolved_urls(urlconf: str, script_prefix: str) -> dict[str, str]:
    """Every menu and layout URL, reversed once per URLconf and script prefix: they are on
    every page and never change while the process runs (tests that swap the URLconf get
    their own entry)."""
    names = (
        {item.url_name for item in MENU}
        | {child.url_name for item in MENU for child in item.children}
        | set(SITE_URLS.values())
    )
    urls = {}
    for name in names:
        try:
            urls[name] = reverse(name, urlconf=urlconf)
        except NoReverseMatch:
            continue
    return urls


_SENTINEL = "987654321"  # an integer that appears nowhere else in the project's URLs


@functools.cache
def _url_parts(name: str, urlconf: str, script_prefix: str) -> tuple[str, str]:
    """The URL of ``name`` around its one integer argument, reversed once per URLconf and
    script prefix (neither changes while the process runs)."""
    url = reverse(name, args=[int(_SENTINEL)], urlconf=urlconf)
    head, found, tail = url.partition(_SENTINEL)
    if not found or _SENTINEL in tail:
        raise ValueError(f"{name} does not take one integer as-is")
    return head, tail


def url_builder(name: str):
    """A function ``value -> reverse(name, args=[value])`` for a URL taking one ``int``,
    without walking the resolver for every row of a list."""
    head, tail = _url_parts(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    return lambda value: f"{head}{int(value)}{tail}"


def url(name: str, *args, **kwargs) -> str:
    """``reverse(name, args=args, kwargs=kwargs)`` for the links of pages (``{{ url(...) }}``
    in templates). A URL without arguments is reversed once per URLconf and script prefix,
    one taking a single integer (a row's id) is built around it (``url_builder``): a list
    of 20 rows would otherwise walk the resolver 20 times."""
    urlconf, script_prefix = get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()
    if not args and not kwargs:
        return _reversed(name, urlconf, script_prefix)
    if not kwargs and len(args) == 1 and type(args[0]) is int:
        try:
            head, tail = _url_parts(name, urlconf, script_prefix)
        except (NoReverseMatch, ValueError):
            pass  # not a URL of one integer as-is: the resolver below says what it is
        else:
            return f"{head}{args[0]}{tail}"
    return reverse(name, args=args or None, kwargs=kwargs or None)


@functools.cache
def _reversed(name: str, urlconf: str, script_prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


def site_urls() -> dict[str, str]:
    return _site_urls(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@functools.cache
def _site_urls(urlconf: str, script_prefix: str) -> dict[str, str]:
    urls = _resolved_urls(urlconf, script_prefix)
    return {key: urls[name] for key, name in SITE_URLS.items() if name in urls}


class MenuEntry(NamedTuple):
    label: str
    url: str
    active: bool
    children: tuple[MenuEntry, ...] = ()


def build_menu(current_path: str) -> list[MenuEntry]:
    """The menu's entries for the page at ``current_path`` (partials/nav.html writes them):
    an entry is active on its own pages and those below it, the home page on itself only
    (every path starts with the site's root, also under a script prefix)."""
    urls = _urls()
    root = get_script_prefix()
    menu = []
    for item in MENU:
        item_url = urls.get(item.url_name)
        if item_url is None:
            continue
        children = tuple(
            MenuEntry(child.label, child_url, current_path == child_url)
            for child in item.children
            if (child_url := urls.get(child.url_name))
        )
        active = (
            current_path == item_url
            or any(child.active for child in children)
            or (item_url != root and current_path.startswith(item_url))
        )
        menu.append(MenuEntry(item.label, item_url, active, children))
    return menu
