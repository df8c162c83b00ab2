"""The security e-mails, one function per message, all built by core.emails. Sent
synchronously: the member is waiting for them (a code, a link) or must learn at once
that their account changed.

Each e-mailed code says what it is for (login, enrolment, confirming one's identity before
a sensitive change, confirming a new IBAN): a member reading "someone is logging in" while
changing their IBAN would rightly be alarmed. Every message is signed by the member's
organisme when the account belongs to a member, never by the web server's host name.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.emails import send_email

PORTAL_SIGNATURE = "L'équipe Espace Assuré santé"
CODE_EMAILS = {
    "login": "account-login-code",
    "enrol": "account-enrol-code",
    "reauth": "account-reauth-code",
    "bank": "account-bank-code",
}


def signature_for(member) -> str:
    """The organisme's name for a member's e-mails; the portal's for anyone else."""
    if member is None:
        return PORTAL_SIGNATURE
    return member.contract.organisme.name


def _greeting_name(user) -> str:
    member = getattr(user, "member", None)
    holder = member.holder if member is not None else None
    if holder is not None:
        return f"{holder.first_name} {holder.last_name}".strip()
    return user.get_full_name() or user.get_username()


def _context(user, **extra) -> dict:
    return {"name": _greeting_name(user), "signature": signature_for(getattr(user, "member", None)), **extra}


def send_activation_link(*, member, url: str) -> None:
    holder = member.holder
    send_email(
        "account-activation",
        member.email,
        {"name": f"{holder.first_name} {holder.last_name}", "url": url, "hours": settings.ACCOUNTS_ACTIVATION_LINK_HOURS,
         "signature": signature_for(member)},
    )


def send_already_active(*, member) -> None:
    holder = member.holder
    send_email("account-already-active", member.email,
               {"name": f"{holder.first_name} {holder.last_name}", "signature": signature_for(member)})


def send_activation_terminated(*, member, contact: dict) -> None:
    holder = member.holder
    send_email(
        "account-activation-terminated",
        member.email,
        {"name": f"{holder.first_name} {holder.last_name}", "cover_end_date": member.cover_end_date, "contact": contact,
         "signature": signature_for(member)},
    )


def send_code(*, user, to: str, code: str, purpose: str = "login", **extra) -> None:
    """An e-mailed second-factor code, worded for its ``purpose`` (a key of CODE_EMAILS)."""
    send_email(CODE_EMAILS[purpose], to, _context(user, code=code, minutes=settings.ACCOUNTS_EMAIL_CODE_MINUTES, **extra))


def send_factor_added(*, user, label: str) -> None:
    send_email("security-factor-added", user.email, _context(user, label=label, when=timezone.localtime()))


def send_factor_removed(*, user, label: str) -> None:
    send_email("security-factor-removed", user.email, _context(user, label=label, when=timezone.localtime()))


def send_password_changed(*, user) -> None:
    send_email("security-password-changed", user.email, _context(user, when=timezone.localtime()))


def send_trusted_browser_added(*, user, browser) -> None:
    send_email(
        "security-trusted-browser",
        user.email,
        _context(user, browser=browser, when=timezone.localtime(browser.created_at)),
    )


def send_password_reset(*, user, to: str, url: str) -> None:
    """allauth's reset link, in the portal's words (accounts.adapters.AccountAdapter)."""
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    send_email("account-password-reset", to, _context(user, url=url, username=user.get_username(), hours=hours))


def send_password_reset_unknown(*, to: str) -> None:
    """A reset asked for an address no account uses: the same work as a real one (an
    e-mail goes out either way), and a member who never activated learns how to."""
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("accounts:activation_request")
    send_email("account-password-reset-unknown", to, {"email": to, "activation_url": url, "signature": PORTAL_SIGNATURE})
