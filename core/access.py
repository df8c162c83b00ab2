"""Who may see what. Every view that touches member data goes through these helpers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, resolve_url

GESTIONNAIRE_GROUP = "Gestionnaire"

# A decorated view keeps its own signature (a member view takes a members.requests.MemberRequest).
_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def is_gestionnaire(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.is_superuser or user.groups.filter(name=GESTIONNAIRE_GROUP).exists())
    )


def second_factor_ok(request) -> bool:
    """True once the session passed the second factor (a code, or a trusted browser)."""
    if not getattr(settings, "OTP_REQUIRED", False):
        return True
    return bool(getattr(request.user, "is_verified", lambda: False)())


def can_read_member_data(user, member) -> bool:
    if is_gestionnaire(user):
        return True
    own = getattr(user, "member", None)
    return own is not None and own.pk == member.pk


def login_and_second_factor_required(view: _View) -> _View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not second_factor_ok(request):
            # The second-factor step sends an account without any factor to enrolment.
            target = resolve_url(settings.OTP_LOGIN_URL)
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return view(request, *args, **kwargs)

    return cast(_View, wrapper)


def member_required(view: _View) -> _View:
    """The requester is a member with a verified second factor; sets ``request.member``."""

    @wraps(view)
    @login_and_second_factor_required
    def wrapper(request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        member = getattr(request.user, "member", None)
        if member is None:
            raise PermissionDenied("Cet espace est réservé aux assurés.")
        request.member = member
        return view(request, *args, **kwargs)

    return cast(_View, wrapper)
