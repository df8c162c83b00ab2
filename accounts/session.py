"""What a passed second factor leaves in the session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.models import Device

if TYPE_CHECKING:
    from accounts.models import TrustedBrowser

TRUSTED_BROWSER_SESSION_KEY = "accounts_trusted_browser"
VERIFIED_AT_SESSION_KEY = "accounts_verified_at"


def mark_verified(request: HttpRequest, device: Device, *, trusted_browser: TrustedBrowser | None = None) -> None:
    """The session is verified by ``device`` (request.user.is_verified() becomes True);
    with ``trusted_browser``, that record stood in for typing a code."""
    otp_login(request, device)
    # A new session key at each privilege step: a key planted before login is worthless.
    request.session.cycle_key()
    request.session[VERIFIED_AT_SESSION_KEY] = timezone.now().isoformat()
    if trusted_browser is not None:
        request.session[TRUSTED_BROWSER_SESSION_KEY] = trusted_browser.pk
    else:
        request.session.pop(TRUSTED_BROWSER_SESSION_KEY, None)
