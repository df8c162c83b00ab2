"""The back-office at /gestion/ asks gestionnaires and superusers for a second factor too."""

import pytest
from django.test import Client

from tests.accounts.helpers import enrol_email_device, pass_second_factor
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("who", ["gestionnaire", "superuser"])
def test_the_admin_requires_a_second_factor(request, who):
    user = request.getfixturevalue(who)
    enrol_email_device(user)
    client = Client()
    response = client.post("/compte/login/", {"login": user.username, "password": PASSWORD, "next": "/gestion/"})
    assert response["Location"] == "/gestion/"
    response = client.get("/gestion/members/member/")
    assert response.status_code == 302
    assert response["Location"] == "/compte/double-authentification/?next=%2Fgestion%2Fmembers%2Fmember%2F"
    pass_second_factor(client, user)
    assert client.get("/gestion/members/member/").status_code == 200


def test_the_admin_refuses_an_unverified_session_even_past_the_middleware(rf, gestionnaire):
    from django.contrib import admin
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.get("/gestion/")
    request.user = gestionnaire
    request.user.is_verified = lambda: False
    request.session = SessionStore()
    assert not admin.site.has_permission(request)
    request.user.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_the_admin_has_no_password_form_of_its_own(client, db):
    response = client.get("/gestion/login/?next=/gestion/")
    assert response.status_code == 302 and response["Location"] == "/compte/login/?next=%2Fgestion%2F"
    response = client.post("/gestion/login/", {"username": "x", "password": "y"})
    assert response.status_code == 302
