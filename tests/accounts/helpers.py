"""Second-factor steps driven through the real views, shared with tests/conftest.login."""

from __future__ import annotations

import re

from django.core import mail

from accounts.models import EmailCodeDevice

SECOND_FACTOR_URL = "/compte/double-authentification/"


def enrol_email_device(user) -> EmailCodeDevice:
    device = EmailCodeDevice.objects.filter(user=user, confirmed=True).first()
    return device or EmailCodeDevice.objects.create(user=user, name="code par e-mail", confirmed=True)


def code_subject(purpose: str) -> str:
    from django.template.loader import render_to_string

    from accounts.emails import CODE_EMAILS

    return render_to_string(f"emails/{CODE_EMAILS[purpose]}-subject.txt").strip()


def code_from_outbox(address: str, *, purpose: str = "login", remove: bool = False) -> str:
    """The last code e-mailed to ``address`` for ``purpose`` (login, enrol, reauth, bank)."""
    subject = code_subject(purpose)
    for message in reversed(mail.outbox):
        if address in message.to and message.subject == subject:
            if remove:
                mail.outbox.remove(message)
            return re.search(r"\b(\d{6})\b", message.body).group(1)
    raise AssertionError(f"no {purpose} code e-mailed to {address}")


def pass_second_factor(client, user, *, trust: bool = False):
    enrol_email_device(user)
    page = client.get(SECOND_FACTOR_URL)
    assert page.status_code == 200, page.status_code
    code = code_from_outbox(user.email, remove=True)
    response = client.post(SECOND_FACTOR_URL, {"methode": "email", "code": code, "trust": "oui" if trust else "non"})
    assert response.status_code == 302, response.content[:2000]
    if trust:
        # Keep the suite's outbox clean of the "new trusted browser" notice as well.
        mail.outbox[:] = [m for m in mail.outbox if "navigateur de confiance" not in m.subject]
    return response


class travel:
    """Move "now" for Django, the portal and axes (which imported ``now`` by name)."""

    def __init__(self, moment):
        from unittest import mock

        self._patches = [
            mock.patch(target, return_value=moment)
            for target in ("django.utils.timezone.now", "axes.attempts.now", "axes.handlers.proxy.now")
        ]

    def __enter__(self):
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc):
        for patch in reversed(self._patches):
            patch.stop()
        return False


REAUTH_URL = "/compte/securite/confirmer-mon-identite/"


def reauthenticate(client, user, *, next_url: str = "/"):
    """The password and a fresh e-mailed code, as the portal asks before a sensitive change."""
    from tests.factories import PASSWORD

    page = client.get(REAUTH_URL, {"next": next_url, "methode": "email"})
    assert page.status_code == 200, page.status_code
    code = code_from_outbox(user.email, purpose="reauth", remove=True)
    response = client.post(REAUTH_URL, {"methode": "email", "password": PASSWORD, "code": code, "next": next_url})
    assert response.status_code == 302, response.content[:2000]
    return response
