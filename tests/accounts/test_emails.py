"""Each e-mailed code says what it is for; allauth's e-mails speak as the portal, in
French, signed by the organisme, never with the web server's host name."""

import pytest
from allauth.account.adapter import get_adapter
from allauth.core import context
from django.core import mail

from accounts.models import EmailCodeDevice
from accounts.services import email_code_send
from tests.accounts.helpers import code_subject

ALARM = "en train de vous connecter"


@pytest.mark.parametrize("purpose", ["login", "enrol", "reauth", "bank"])
def test_each_code_says_what_it_is_for_and_is_signed_by_the_organisme(
    alice, purpose, django_capture_on_commit_callbacks
):
    device = EmailCodeDevice.objects.create(user=alice.user, name="code par e-mail", confirmed=True)
    with django_capture_on_commit_callbacks(execute=True):
        email_code_send(device=device, purpose=purpose, iban="FR14 **** **** 2606")
    [message] = mail.outbox
    assert message.to == [alice.email] and message.subject == code_subject(purpose)
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert alice.contract.organisme.name in text
    # Only the login code warns that someone may be logging in.
    assert (ALARM in message.body) == (purpose == "login")
    if purpose == "bank":
        assert "FR14 **** **** 2606" in message.body and "FR14 **** **** 2606" in html


def test_the_four_code_emails_have_four_subjects():
    subjects = {code_subject(purpose) for purpose in ("login", "enrol", "reauth", "bank")}
    assert len(subjects) == 4


def test_any_other_allauth_email_is_french_and_has_no_host_name(
    rf, alice, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    request = rf.get("/", HTTP_HOST="127.0.0.1:8103")
    with context.request_context(request), django_capture_on_commit_callbacks(execute=True):
        get_adapter(request).send_notification_mail("account/email/password_changed", alice.user, email=alice.email)
    [message] = mail.outbox
    for text in (message.subject, message.body):
        assert "127.0.0.1" not in text and "testserver" not in text
    assert message.body.startswith("Bonjour,") and "Espace Assuré" in message.body
