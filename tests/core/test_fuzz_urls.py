"""Whatever a member or a gestionnaire puts in a URL, the portal answers 2xx, 3xx or 4xx
(a French message), never a 500: absurd ids in the path, random query strings, dates at
the calendar's edge. The test client raises the view's exception, so a 500 fails here
with its traceback, and hypothesis shrinks it to the smallest failing URL.

Bounded in time (CI runs it on SQLite and on PostgreSQL): few examples, no deadline."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.services import QuoteLineInput, decomptes_import, quote_request_create
from core.admin_mixins import StrictChangeListMixin
from tests.claims.conftest import consultation, csv_file
from tests.messaging.helpers import new_thread

pytestmark = pytest.mark.django_db

MEMBER_NAMESPACES = {
    "portal",
    "accounts",
    "members",
    "guarantees",
    "claims",
    "messaging",
    "directory",
    "assistant",
    "documents",
}
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
HUGE = "99999999999999999999"  # 20 digits: more than a 64-bit integer holds

# Values that broke parsers before: digits Python's isdigit() accepts and int() refuses,
# integers past 64 bits, years at or past the calendar's edges, half-formed cursors.
NASTY = [
    "",
    "0",
    "-1",
    "1",
    "²",
    "٣",
    "¼",
    HUGE,
    "9" * 18,
    "1e9",
    "nan",
    "1.5",
    " 7",
    "0x1f",
    "a" * 300,
    "\x00",
    "0000-00-00",
    "2024-02-30",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "99999",
    "31/12/9999",
    "2025-01-01_1",
    f"2025-01-01_{HUGE}",
    "2025-13-01_1",
    "_",
    "'; --",
    "<script>",
    "%00",
    "..",
    "../../etc/passwd",
    "true",
]
# Every parameter a member page reads (and a few it does not).
PARAMETERS = [
    "page",
    "apres",
    "avant",
    "q",
    "categorie",
    "objet",
    "beneficiaire",
    "du",
    "au",
    "type",
    "recherche",
    "brouillon",
    "texte",
    "methode",
    "next",
    "kind",
    "speciality",
    "lieu",
    "lat",
    "lon",
    "rayon",
    "tiers_payant",
    "itelis",
    "optam",
    "formule",
    "acte",
    "annee",
    "p",
    "o",
    "e",
]
# Lone surrogates cannot be sent in a URL at all (the client refuses to encode them).
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30)
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(NASTY),
    TEXT,
    st.integers(-(10**25), 10**25).map(str),
    st.dates().map(dt.date.isoformat),
)  # absurd values drawn twice as often
KEYS = st.one_of(st.sampled_from(PARAMETERS), st.sampled_from(PARAMETERS), TEXT.filter(bool))
QUERIES = st.lists(st.tuples(KEYS, VALUES), min_size=1, max_size=4)
FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _routes(patterns=None, prefix="", namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and "^" not in str(pattern.pattern):
            yield namespace, prefix + str(pattern.pattern)


def member_routes() -> list[str]:
    return sorted(route for namespace, route in _routes() if namespace in MEMBER_NAMESPACES)


def fill(route: str, value: str) -> str:
    """The route with each converter given ``value`` (a uuid converter gets a uuid)."""

    def one(match):
        return str(uuid.uuid4()) if match[1] == "uuid" else value

    return "/" + CONVERTER.sub(one, route)


def assert_no_server_error(response, url):
    assert response.status_code < 500, url


@pytest.fixture
def alice_files(alice, bob):
    """Alice with one of everything a member URL can point at, and bob's thread (a
    stranger's id)."""
    thread = new_thread(alice, body="Facture de lunettes")
    batch = decomptes_import(
        content=csv_file(consultation("F1", alice, care="02/03/2025", paid="20/03/2025")), file_name="fuzz.csv"
    )
    assert batch.status == "accepte", batch.errors
    quote = quote_request_create(
        member=alice,
        beneficiary=alice.holder,
        kind="dentaire",
        files=[],
        user=alice.user,
        lines=[
            QuoteLineInput(
                act="prothese-couronne-bridge",
                frais_reels=Decimal("800.00"),
                base_remboursement=Decimal("120.00"),
                ss_expected=None,
            )
        ],
    )
    stranger = new_thread(bob, body="Question de Bob")
    return [str(thread.pk), str(alice.decomptes.get().pk), str(quote.pk), str(stranger.pk)]


def test_absurd_ids_and_years_in_member_paths_are_404s_not_500s(alice_client, alice_files):
    alice_client.raise_request_exception = True
    routes = member_routes()
    assert "remboursements/export/<year:year>.csv" in routes and "messagerie/<id:pk>/" in routes
    for route in routes:
        for value in {*alice_files, "0", "1", "9" * 18, HUGE, "0000", "10000", "99999", "²", "-1"}:
            url = fill(route, value)
            assert_no_server_error(alice_client.get(url), url)
    for year, status in (("0000", 404), ("0", 404), ("10000", 404), ("99999", 404), (HUGE, 404), ("2025", 200)):
        assert alice_client.get(f"/remboursements/export/{year}.csv").status_code == status, year
    assert alice_client.get("/").status_code == 200  # still logged in: the paths were really tried


@pytest.mark.parametrize("value", ["²", HUGE, "\x00", "-1", "9999-12-31", f"2025-01-01_{HUGE}", "a" * 300, "0"])
def test_every_member_page_with_every_parameter_absurd_is_not_a_500(alice_client, alice_files, value):
    """Each page reads its own parameters: all of them at once, set to one absurd value."""
    query = {name: value for name in PARAMETERS}
    for route in member_routes():
        if not re.search(r"pdf|\.zip", route):
            url = fill(route, alice_files[0])
            assert_no_server_error(alice_client.get(url, query), (url, value))


@FUZZ
@given(data=st.data())
def test_random_query_strings_on_member_pages_never_make_a_500(alice_client, alice_files, data):
    # PDFs and the ZIP export read no query string and take long to render: left out.
    routes = [route for route in member_routes() if not re.search(r"pdf|\.zip", route)]
    route = data.draw(st.sampled_from(routes), label="route")
    url = fill(route, data.draw(st.sampled_from(alice_files), label="id"))
    query = data.draw(QUERIES, label="query")
    response = alice_client.get(url, query)
    assert_no_server_error(response, (url, query))


def test_a_page_number_or_cursor_the_portal_cannot_read_is_a_400_in_french(alice_client, alice_files):
    for url in (
        "/messagerie/?page=²",
        f"/messagerie/?page={HUGE}",
        f"/remboursements/?apres=2025-01-01_{HUGE}",
        "/remboursements/?avant=²",
        "/remboursements/?apres=2025-02-30_1",
    ):
        response = alice_client.get(url)
        assert response.status_code == 400, url
        assert "n&#39;est pas valide" in response.content.decode(), url


# --------------------------------------------------------------------------- back-office


def registered_admins() -> list:
    return [admin.site.get_model_admin(model) for model in apps.get_models() if admin.site.is_registered(model)]


def portal_admins() -> list:
    return [
        model_admin
        for model_admin in registered_admins()
        if model_admin.model._meta.app_label not in {"auth", "sites", "django_otp"}
        and not model_admin.__module__.startswith(("django.", "allauth.", "django_otp.", "axes."))
    ]


def changelist_url(model_admin) -> str:
    return f"/gestion/{model_admin.model._meta.app_label}/{model_admin.model._meta.model_name}/"


def lookup_keys(model_admin) -> list[str]:
    """The lookups a changelist reads: its filters, its date hierarchy, fields and their
    common lookups, Django's own parameters."""
    keys = ["p", "q", "o", "e", "all", "_facets", "_to_field", "id__in", "pk__in", "id__exact", "id__range"]
    for field in model_admin.model._meta.concrete_fields:
        name = field.name if not field.is_relation else f"{field.name}__id"
        keys += [name, f"{name}__exact", f"{name}__in", f"{name}__gte", f"{name}__isnull", f"{name}__year"]
    for item in model_admin.list_filter:
        keys.append(getattr(item, "parameter_name", None) or (item if isinstance(item, str) else ""))
        if isinstance(item, str):
            keys += [f"{item}__exact", f"{item}__id__exact", f"{item}__gte", f"{item}__lt", f"{item}__isnull"]
    if model_admin.date_hierarchy:
        keys += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return [key for key in keys if key]


def test_every_portal_changelist_is_guarded():
    unguarded = [
        type(model_admin).__name__
        for model_admin in portal_admins()
        if not isinstance(model_admin, StrictChangeListMixin)
    ]
    assert portal_admins() and unguarded == []


@pytest.mark.parametrize(
    ("year", "month", "day"),
    [
        ("9999", None, None),
        ("99999", None, None),
        ("0", None, None),
        ("9999", "12", "31"),
        ("2025", "13", None),
        ("2025", "2", "30"),
        ("²", None, None),
        (HUGE, None, None),
        ("2025", "²", None),
    ],
)
def test_a_date_hierarchy_out_of_the_calendar_goes_back_to_the_list_with_a_french_message(
    gestionnaire_client, year, month, day
):
    for url in ("/gestion/claims/decompte/", "/gestion/assistant/feedback/"):
        field = "payment_date" if "decompte" in url else "created_at"
        query = {f"{field}__{part}": value for part, value in (("year", year), ("month", month), ("day", day)) if value}
        response = gestionnaire_client.get(url, query)
        assert response.status_code == 302 and response["Location"] == url, (url, query)
        page = gestionnaire_client.get(url).content.decode()
        assert "Choisissez une année" in page or "Cette période n&#x27;existe pas" in page, (url, query)


def test_a_number_or_date_the_database_cannot_hold_goes_back_to_the_list(gestionnaire_client):
    for url in (
        f"/gestion/members/member/?id__in={HUGE}",
        f"/gestion/messaging/thread/?assigned_to__id__exact=1,{HUGE}",
        "/gestion/members/member/?created_at__year=0",
    ):
        response = gestionnaire_client.get(url)
        assert response.status_code == 302 and "?" not in response["Location"], url
        page = gestionnaire_client.get(response["Location"]).content.decode()
        assert re.search(r'class="error">(Le filtre .* trop grand|Choisissez une année)', page), url
    # Year 1 in Paris is before year 1 in UTC: Python cannot convert it (SQLite), PostgreSQL can.
    response = gestionnaire_client.get("/gestion/members/member/", {"created_at__gte": "0001-01-01"})
    assert (
        response.status_code == 200
        or "Un des filtres" in gestionnaire_client.get(response["Location"]).content.decode()
    )
    assert gestionnaire_client.get("/gestion/claims/decompte/", {"payment_date__year": "2025"}).status_code == 200


def test_absurd_ids_in_back_office_paths_are_not_500s(gestionnaire_client, alice_files):
    for model_admin in portal_admins():
        base = changelist_url(model_admin)
        for value in ("0", HUGE, "²", "-1", "9" * 18, *alice_files):
            for url in (f"{base}{value}/change/", f"{base}{value}/delete/", f"{base}{value}/history/"):
                assert_no_server_error(gestionnaire_client.get(url), url)
    for value in ("0", HUGE, *alice_files):
        for action in ("attribuer", "repondre", "note", "clore"):
            url = f"/gestion/messaging/thread/{value}/{action}/"
            assert_no_server_error(gestionnaire_client.get(url), url)


@FUZZ
@given(data=st.data())
def test_random_query_strings_on_changelists_never_make_a_500(gestionnaire_client, alice_files, data):
    model_admin = data.draw(st.sampled_from(portal_admins()), label="admin")
    keys = st.one_of(st.sampled_from(lookup_keys(model_admin)), st.sampled_from(lookup_keys(model_admin)), KEYS)
    # Mostly one lookup at a time: Django stops at the first it refuses.
    query = data.draw(st.lists(st.tuples(keys, VALUES), min_size=1, max_size=2), label="query")
    response = gestionnaire_client.get(changelist_url(model_admin), query)
    assert_no_server_error(response, (changelist_url(model_admin), query))
