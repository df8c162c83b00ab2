"""The member menu and the layout's links are reversed once per process
(core.navigation); what each page shows must still be its own."""

import re

import pytest
from django.urls import reverse, set_script_prefix

from core import navigation

pytestmark = pytest.mark.django_db


def _active(html: str) -> tuple[list[str], list[str]]:
    items = re.findall(r'<li class="main-nav__item is-active">\s*<a href="([^"]+)"', html)
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', html)
    return items, current


def test_each_page_marks_its_own_menu_entry(alice_client):
    for _ in range(2):  # the second round is served from the rendered menus
        assert _active(alice_client.get("/remboursements/").content.decode()) == (
            ["/remboursements/"],
            ["/remboursements/", "/remboursements/"],
        )
        assert _active(alice_client.get("/contacts/").content.decode()) == (["/contacts/"], ["/contacts/"])
        # The estimation is in two sections of the menu: both are open on its page.
        assert _active(alice_client.get("/remboursements/devis/").content.decode()) == (
            ["/remboursements/", "/messagerie/ecrire/"],
            ["/remboursements/", "/remboursements/devis/", "/messagerie/ecrire/", "/remboursements/devis/"],
        )
        assert _active(alice_client.get("/").content.decode()) == (["/"], ["/"])


def test_the_layout_links_are_reversed_urls(alice_client):
    html = alice_client.get("/contacts/").content.decode()
    for name in (
        "home:home",
        "accounts:security",
        "account_logout",
        "assistant:ask",
        "assistant:api",
        "assistant:feedback",
    ):
        assert f'"{reverse(name)}"' in html, name
    assert f'<a href="{reverse("home:contact")}">Nous contacter</a>' in html


def test_links_follow_the_script_prefix():
    set_script_prefix("/portail/")
    try:
        assert navigation.site_urls()["contact"] == "/portail/contacts/" == reverse("home:contact")
        entries = navigation.build_menu("/portail/remboursements/")
        assert [item.url for item in entries if item.active] == ["/portail/remboursements/"]
    finally:
        set_script_prefix("/")
    assert navigation.site_urls()["contact"] == "/contacts/"
