"""What every page's layout carries: the portal's icon, linked from every layout (Jinja2
pages, allauth's, the admin's) and answered at /favicon.ico, which browsers ask for on
their own; "Écrire un message" in the member's header, as the member guide says."""

import re

import pytest
from django.test import Client

from tests.conftest import login


def icon_link(page: str) -> bool:
    return '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


@pytest.mark.django_db
def test_favicon_ico_redirects_to_the_static_icon_which_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.ico"
    icon = client.get("/static/favicon.ico")
    assert icon.status_code == 200 and b"".join(icon.streaming_content).startswith(b"\x00\x00\x01\x00")


@pytest.mark.django_db
def test_every_layout_links_the_icon(client, alice, gestionnaire):
    assert icon_link(client.get("/compte/login/").content.decode())  # allauth's layout
    assert icon_link(login(Client(), alice.user).get("/").content.decode())  # the portal's Jinja2 layout
    assert icon_link(login(Client(), gestionnaire).get("/gestion/").content.decode())  # Django's admin
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and b'xmlns="http://www.w3.org/2000/svg"' in b"".join(svg.streaming_content)


@pytest.mark.django_db
def test_write_a_message_is_in_the_members_header_on_every_page(alice_client):
    for url in ("/", "/remboursements/", "/professionnels/", "/compte/securite/"):
        page = alice_client.get(url).content.decode()
        header = re.search(r'<div class="header-tools">.*?</div>', page, re.S).group(0)
        assert '<a class="header-tools__link" href="/messagerie/ecrire/">Écrire un message</a>' in header, url
    assert alice_client.get("/messagerie/ecrire/").status_code == 200
