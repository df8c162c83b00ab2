"""The one way a security e-mail (a code, a link, "your account changed") leaves the
portal: built by core.emails from the templates named after its kind, then queued in the
outbox (``security_email_enqueue``: to the given address whatever the member's
preferences, after the caller's transaction commits). accounts and members both send
through it."""

from __future__ import annotations

from core.emails import build_email
from notifications.services import security_email_enqueue


def send_security_email(kind: str, to: str, context: dict, *, member=None) -> None:
    """Build the message of ``kind`` (its templates share its name) and queue it for ``to``."""
    kind = str(kind)  # the value, for the template names
    security_email_enqueue(kind=kind, to=to, message=build_email(kind, to, context), member=member)
