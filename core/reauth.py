"""Recent re-authentication before a sensitive change.

A change of e-mail address, password, second factor (adding or removing one, new recovery
codes) or IBAN needs more than a verified session, which may be hours old, on a shared
computer, or reached through a trusted browser: the member types their password AND a
fresh second-factor code on accounts' page ('accounts:reauthenticate', named by its URL
name only: core imports no feature app), which on success calls ``reauth_mark`` and so
leaves in the session a signed timestamp valid ``ACCOUNTS_REAUTH_MINUTES``. Here are only
those primitives, used by every app that guards a sensitive change.

    @member_required
    @reauth_required                         # GET: come back here afterwards
    def bank_update(request): ...

    @require_POST
    @login_and_second_factor_required
    @reauth_required(on_post="accounts:security")   # a POST-only view: where to come back
    def factor_remove(request, kind, pk): ...

A POST refused for want of re-authentication changes nothing; the member comes back to
the page (``request.path`` by GET unless ``on_post`` names another) and submits again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast, overload
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone

from core.access import login_and_second_factor_required

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])

# Names from when this lived in accounts, kept: sessions re-authenticated before a
# deployment stay so.
REAUTH_SESSION_KEY = "accounts_reauthenticated"
_SALT = "accounts.reauth"
REAUTH_URL_NAME = "accounts:reauthenticate"


def reauth_mark(request) -> None:
    """The password and a fresh code were just typed in this session."""
    # A new session key at each privilege step, as at login (accounts.session.mark_verified).
    request.session.cycle_key()
    request.session[REAUTH_SESSION_KEY] = signing.dumps(
        {"user": request.user.pk, "at": timezone.now().timestamp()}, salt=_SALT
    )


def reauth_is_recent(request) -> bool:
    value = request.session.get(REAUTH_SESSION_KEY)
    if not value or not request.user.is_authenticated:
        return False
    try:
        data = signing.loads(value, salt=_SALT)
    except signing.BadSignature:
        return False
    age = timezone.now().timestamp() - float(data.get("at", 0))
    return bool(data.get("user") == request.user.pk) and 0 <= age <= settings.ACCOUNTS_REAUTH_MINUTES * 60


def reauth_redirect(next_url: str) -> HttpResponseRedirect:
    return redirect(reverse(REAUTH_URL_NAME) + "?" + urlencode({"next": next_url}))


@overload
def reauth_required(view: _View, *, on_post: str | None = None) -> _View: ...
@overload
def reauth_required(view: None = None, *, on_post: str | None = None) -> Callable[[_View], _View]: ...
def reauth_required(view: _View | None = None, *, on_post: str | None = None) -> _View | Callable[[_View], _View]:
    """The view runs only after a recent re-authentication (see the module docstring).
    ``on_post``: URL name or path to come back to after a refused POST (default: the
    view's own path, which must then answer GET)."""

    def decorator(func: _View) -> _View:
        @wraps(func)
        @login_and_second_factor_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if reauth_is_recent(request):
                return func(request, *args, **kwargs)
            if request.method == "GET":
                return reauth_redirect(request.get_full_path())
            return reauth_redirect(resolve_url(on_post) if on_post else request.path)

        return cast(_View, wrapper)

    return decorator(view) if view is not None else decorator
