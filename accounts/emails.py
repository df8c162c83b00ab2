"""The security e-mails, one function per message, all sent by
``notifications.emails.send_security_email`` (built by core.emails, queued in the outbox
as security e-mails): to the given address, whatever the member's preferences, after the
caller's transaction commits (a rolled-back change tells no one). The member is waiting
for some of them (a code, a link): the outbox publishes them at once after the commit
(in-process when Celery runs eagerly, locally and in tests; to a worker otherwise).

Each e-mailed code says what it is for (login, enrolment, confirming one's identity before
a sensitive change, confirming a new IBAN): a member reading "someone is logging in" while
changing their IBAN would rightly be alarmed. Every message is signed by the member's
organisme when the account belongs to a member (``members.emails.signature_for``), never
by the web server's host name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from members.emails import PORTAL_SIGNATURE, signature_for
from notifications.emails import send_security_email
from notifications.models import SecurityKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from accounts.models import TrustedBrowser
    from members.models import Member

CODE_EMAILS = {
    "login": SecurityKind.LOGIN_CODE.value,
    "enrol": SecurityKind.ENROL_CODE.value,
    "reauth": SecurityKind.REAUTH_CODE.value,
    "bank": SecurityKind.BANK_CODE.value,
}


def _member(user: User) -> Member | None:
    return getattr(user, "member", None)


def _holder_name(member: Member) -> str:
    # A member always has a holder; without one (bad data) the e-mail still goes out.
    holder = member.holder
    return holder.full_name if holder is not None else ""


def _greeting_name(user: User) -> str:
    """The holder's name for a member's account; a gestionnaire's own name otherwise."""
    member = _member(user)
    name = _holder_name(member).strip() if member is not None else ""
    return name or str(user.get_full_name() or user.get_username())


def _context(user: User, **extra: object) -> dict[str, Any]:
    return {"name": _greeting_name(user), "signature": signature_for(_member(user)), **extra}


def send_activation_link(*, member: Member, url: str) -> None:
    send_security_email(
        SecurityKind.ACTIVATION_LINK,
        member.email,
        {
            "name": _holder_name(member),
            "url": url,
            "hours": settings.ACCOUNTS_ACTIVATION_LINK_HOURS,
            "signature": signature_for(member),
        },
        member=member,
    )


def send_already_active(*, member: Member) -> None:
    send_security_email(
        SecurityKind.ALREADY_ACTIVE,
        member.email,
        {"name": _holder_name(member), "signature": signature_for(member)},
        member=member,
    )


def send_activation_terminated(*, member: Member, contact: dict[str, str]) -> None:
    send_security_email(
        SecurityKind.ACTIVATION_TERMINATED,
        member.email,
        {
            "name": _holder_name(member),
            "cover_end_date": member.cover_end_date,
            "contact": contact,
            "signature": signature_for(member),
        },
        member=member,
    )


def send_code(*, user: User, to: str, code: str, purpose: str = "login", **extra: str) -> None:
    """An e-mailed second-factor code, worded for its ``purpose`` (a key of CODE_EMAILS)."""
    context = _context(user, code=code, minutes=settings.ACCOUNTS_EMAIL_CODE_MINUTES, **extra)
    send_security_email(CODE_EMAILS[purpose], to, context, member=_member(user))


def send_factor_added(*, user: User, label: str) -> None:
    send_security_email(
        SecurityKind.FACTOR_ADDED,
        user.email,
        _context(user, label=label, when=timezone.localtime()),
        member=_member(user),
    )


def send_factor_removed(*, user: User, label: str) -> None:
    send_security_email(
        SecurityKind.FACTOR_REMOVED,
        user.email,
        _context(user, label=label, when=timezone.localtime()),
        member=_member(user),
    )


def send_password_changed(*, user: User) -> None:
    send_security_email(
        SecurityKind.PASSWORD_CHANGED, user.email, _context(user, when=timezone.localtime()), member=_member(user)
    )


def send_trusted_browser_added(*, user: User, browser: TrustedBrowser) -> None:
    send_security_email(
        SecurityKind.TRUSTED_BROWSER,
        user.email,
        _context(user, browser=browser, when=timezone.localtime(browser.created_at)),
        member=_member(user),
    )


def send_password_reset(*, user: User, to: str, url: str) -> None:
    """allauth's reset link, in the portal's words (accounts.adapters.AccountAdapter)."""
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    context = _context(user, url=url, username=user.get_username(), hours=hours)
    send_security_email(SecurityKind.PASSWORD_RESET, to, context, member=_member(user))


def send_password_reset_unknown(*, to: str) -> None:
    """A reset asked for an address no account uses: the same work as a real one (an
    e-mail goes out either way), and a member who never activated learns how to."""
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("accounts:activation_request")
    send_security_email(
        SecurityKind.PASSWORD_RESET_UNKNOWN, to, {"email": to, "activation_url": url, "signature": PORTAL_SIGNATURE}
    )
