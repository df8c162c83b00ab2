"""Request types of the accounts views and middleware, for type checking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    class OTPUser(User):
        """The user as django_otp's OTPMiddleware leaves it on the request: it adds
        ``is_verified()`` at run time, which no stub declares."""

        def is_verified(self) -> bool: ...


class OTPRequest(HttpRequest):
    """Any request once django_otp's OTPMiddleware has run (anonymous or not)."""

    user: OTPUser | AnonymousUser


class AuthenticatedRequest(OTPRequest):
    """A request that ``login_required`` (or ``core.access.login_and_second_factor_required``) let through."""

    user: OTPUser
