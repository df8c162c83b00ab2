"""The security e-mails, one function per message, all built by portal.emails. Sent
synchronously: the member is waiting for them (a code, a link) or must learn at once
that their account changed."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from portal.emails import send_email


def _greeting_name(user) -> str:
    member = getattr(user, "member", None)
    holder = member.holder if member is not None else None
    if holder is not None:
        return f"{holder.first_name} {holder.last_name}".strip()
    return user.get_full_name() or user.get_username()


def send_activation_link(*, member, url: str) -> None:
    holder = member.holder
    send_email(
        "account-activation",
        member.email,
        {"name": f"{holder.first_name} {holder.last_name}", "url": url, "hours": settings.ACCOUNTS_ACTIVATION_LINK_HOURS},
    )


def send_already_active(*, member) -> None:
    holder = member.holder
    send_email("account-already-active", member.email, {"name": f"{holder.first_name} {holder.last_name}"})


def send_activation_terminated(*, member, contact: dict) -> None:
    holder = member.holder
    send_email(
        "account-activation-terminated",
        member.email,
        {"name": f"{holder.first_name} {holder.last_name}", "cover_end_date": member.cover_end_date, "contact": contact},
    )


def send_login_code(*, user, to: str, code: str) -> None:
    send_email(
        "account-login-code",
        to,
        {"name": _greeting_name(user), "code": code, "minutes": settings.ACCOUNTS_EMAIL_CODE_MINUTES},
    )


def send_factor_added(*, user, label: str) -> None:
    send_email("security-factor-added", user.email, {"name": _greeting_name(user), "label": label, "when": timezone.localtime()})


def send_factor_removed(*, user, label: str) -> None:
    send_email("security-factor-removed", user.email, {"name": _greeting_name(user), "label": label, "when": timezone.localtime()})


def send_password_changed(*, user) -> None:
    send_email("security-password-changed", user.email, {"name": _greeting_name(user), "when": timezone.localtime()})


def send_trusted_browser_added(*, user, browser) -> None:
    send_email(
        "security-trusted-browser",
        user.email,
        {"name": _greeting_name(user), "browser": browser, "when": timezone.localtime(browser.created_at)},
    )
