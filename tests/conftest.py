"""Personas: alice (a member with her household), bob (a stranger), and a gestionnaire."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from core.access import GESTIONNAIRE_GROUP
from members.models import Beneficiary, ChildSituation, Contract, Relationship
from members.services import reference_data_load
from tests.factories import PASSWORD, UserFactory, make_member, make_nir


@pytest.fixture(autouse=True)
def reference_data(db):
    """What `manage.py load_reference` loads: contracts and formulas, and the messaging
    categories and objets (the guarantee tables are read from their data files)."""
    from messaging.services import taxonomy_seed

    reference_data_load()
    taxonomy_seed()


@pytest.fixture(autouse=True, scope="session")
def _jinja2_pages_seen_by_the_test_client():
    """The test client reads a page's context (``response.context``) from the
    ``template_rendered`` signal, which Django's test set-up makes Django templates send;
    the portal's pages are Jinja2 templates, so their backend sends it too during tests."""
    from django.template.backends.jinja2 import Template
    from django.test.signals import template_rendered

    render = Template.render

    def instrumented_render(self, context=None, request=None):
        template_rendered.send(sender=self, template=self, context=dict(context or {}))
        return render(self, context, request)

    Template.render = instrumented_render
    yield
    Template.render = render


@pytest.fixture(autouse=True)
def _each_request_commits(request, monkeypatch):
    """In production a request's writes commit when it ends, and what it queued with
    ``transaction.on_commit`` runs then: every e-mail goes through the outbox, published
    after the commit. A test runs inside one transaction that never commits, so this runs
    the callbacks a test-client request queued when it ends, as its commit would (a
    rolled-back block's callbacks are dropped by Django, as in production). Callbacks
    run twice when a test also captures them with ``execute=True``: the outbox sends at
    most once. ``@pytest.mark.no_request_commit`` turns it off (a test counting a
    request's queries)."""
    if request.node.get_closest_marker("no_request_commit"):
        return
    from django.test import Client, TestCase

    send = Client.request

    def request_then_commit(self, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return send(self, **kwargs)

    monkeypatch.setattr(Client, "request", request_then_commit)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's rate limits (30 logins a minute per IP...) count in the cache (local
    memory): without this, a long run trips them and logins start failing at random."""
    from django.core.cache import cache

    from claims.selectors import rights_cache_clear

    cache.clear()
    rights_cache_clear()  # the in-process cache of "Mes droits restants" (keys reuse ids)


@pytest.fixture
def alice(db):
    member = make_member(formulas=("IDCC1412-BASE", "IDCC1412-CELSIUS"), birth_date=dt.date(1982, 5, 14))
    holder = member.holder
    Beneficiary.objects.create(
        member=member,
        relationship=Relationship.SPOUSE,
        first_name="Paul",
        last_name=holder.last_name,
        birth_date=dt.date(1980, 9, 2),
        nir=make_nir(1, dt.date(1980, 9, 2)),
        rank=2,
        cover_start=member.status_since,
    )
    Beneficiary.objects.create(
        member=member,
        relationship=Relationship.CHILD,
        child_situation=ChildSituation.DEPENDENT,
        first_name="Léo",
        last_name=holder.last_name,
        birth_date=dt.date(2012, 3, 1),
        rank=3,
        cover_start=member.status_since,
    )
    return member


@pytest.fixture
def bob(db):
    return make_member(
        contract=Contract.objects.get(number="003 E0135004"), formulas=("CCOOP-OPT1",), birth_date=dt.date(1955, 11, 30)
    )


@pytest.fixture
def gestionnaire(db):
    user = UserFactory(username="gestion", is_staff=True)
    user.groups.add(Group.objects.get(name=GESTIONNAIRE_GROUP))
    return user


def login(client, user):
    """Log ``user`` in through the real login form, then pass the real second-factor step
    with the code e-mailed to them (an e-mail device is enrolled if they have none). The
    session is verified, as a member's is after a real login. The code e-mail is taken
    out of ``mail.outbox`` so that tests counting their own e-mails are not disturbed."""
    from tests.accounts.helpers import pass_second_factor

    response = client.post("/compte/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:2000]
    pass_second_factor(client, user)
    return client


@pytest.fixture
def alice_client(client, alice):
    return login(client, alice.user)


@pytest.fixture
def gestionnaire_client(client, gestionnaire):
    return login(client, gestionnaire)
