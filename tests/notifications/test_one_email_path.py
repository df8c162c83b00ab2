"""Every e-mail goes through the outbox: security e-mails included (to an explicit
address, whatever the preferences, with or without a member), rendered when enqueued
and blanked once sent."""

import ast
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction

from accounts import emails
from accounts.services import email_code_send
from notifications.models import Notification, NotificationKind, NotificationStatus, SecurityKind
from notifications.services import notification_preference_set
from tests.accounts.helpers import enrol_email_device

ROOT = Path(__file__).resolve().parents[2]
SENDING = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "send_messages"}


def _sends_mail(tree: ast.AST) -> bool:
    """A call of Django's senders, or ``.send(...)`` on a message (EmailMessage & co)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "django.core.mail"
            and any(alias.name in SENDING for alias in node.names)
        ):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in SENDING:
                return True
            if node.func.attr == "send" and any(kw.arg == "fail_silently" for kw in node.keywords):
                return True
            # build_email(...).send() and message.send() where message is built from a mail class
            if node.func.attr == "send" and isinstance(node.func.value, ast.Call):
                return True
    return False


def test_only_the_outbox_delivery_hands_messages_to_the_mail_server():
    senders = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT)
        # tools/ is development only (its benchmark times a send on purpose)
        if relative.parts[0] in {"tests", "tools", ".venv"} or "migrations" in relative.parts:
            continue
        if _sends_mail(ast.parse(path.read_text(), str(path))):
            senders.append(str(relative))
    assert senders == ["notifications/services.py"]


def test_the_detector_sees_the_usual_ways_of_sending():
    assert _sends_mail(ast.parse("from django.core.mail import send_mail"))
    assert _sends_mail(ast.parse("build_email('x', to, {}).send()"))
    assert _sends_mail(ast.parse("message.send(fail_silently=False)"))
    assert not _sends_mail(ast.parse("task.apply_async(args=[1])"))


def test_a_security_email_reaches_a_member_who_turned_every_notification_off(alice, django_capture_on_commit_callbacks):
    for kind in NotificationKind.values:
        notification_preference_set(member=alice, kind=kind, email_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        emails.send_factor_added(user=alice.user, label="application d'authentification")
    [message] = mail.outbox
    assert message.to == [alice.user.email] and "application d'authentification" in message.body
    row = Notification.objects.get(kind=SecurityKind.FACTOR_ADDED)
    assert row.status == NotificationStatus.SENT and row.member == alice


def test_a_gestionnaires_login_code_goes_through_the_outbox_without_a_member(
    gestionnaire, django_capture_on_commit_callbacks
):
    device = enrol_email_device(gestionnaire)
    with django_capture_on_commit_callbacks(execute=True):
        email_code_send(device=device, purpose="login")
    [message] = mail.outbox
    assert message.to == [device.email_address]
    row = Notification.objects.get(kind=SecurityKind.LOGIN_CODE)
    assert row.member is None and row.to == device.email_address and row.status == NotificationStatus.SENT


def test_the_code_is_in_the_database_only_until_it_is_sent(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        emails.send_code(user=alice.user, to="alice@example.org", code="493817")
    pending = Notification.objects.get(kind=SecurityKind.LOGIN_CODE)
    assert "493817" in pending.body_text and mail.outbox == []
    for callback in callbacks:
        callback()
    assert "493817" in mail.outbox[0].body and "493817" in mail.outbox[0].alternatives[0][0]
    pending.refresh_from_db()
    assert pending.status == NotificationStatus.SENT
    assert (pending.subject, pending.body_text, pending.body_html) == ("", "", "")
    assert "493817" not in str(Notification.objects.filter(pk=pending.pk).values().get())


def test_a_rolled_back_transaction_sends_nothing(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012 (the block under test is a whole transaction)
        emails.send_password_changed(user=alice.user)
        raise RuntimeError("the change failed")
    assert mail.outbox == [] and not Notification.objects.exists()


def test_a_profile_change_is_confirmed_through_the_outbox(alice, django_capture_on_commit_callbacks):
    from members.profile import CONTACT_FIELDS, contact_details_update

    notification_preference_set(member=alice, kind=NotificationKind.ALERT, email_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        data = {name: getattr(alice, name) for name in CONTACT_FIELDS} | {
            "address_line1": "3 rue des Lilas",
            "postcode": "69003",
            "city": "Lyon",
        }
        contact_details_update(member=alice, actor=alice.user, data=data)
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert Notification.objects.get().kind == SecurityKind.PROFILE_UPDATED
