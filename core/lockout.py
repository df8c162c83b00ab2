"""django-axes glue: which login a failure counts against, and the French locked page."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.utils import timezone


def axes_username(request, credentials=None) -> str:
    """The login a password failure counts against, whatever form it was typed in.

    allauth passes ``username`` or ``email`` to ``authenticate()`` (never "login"), so
    axes' default lookup would key every failure on the IP alone. Case and spaces do not
    make a new key, and an e-mail address maps to its account's username so that
    alternating the two forms does not double the attempts."""
    value = ""
    data = getattr(request, "POST", None)
    if data is not None:
        value = data.get(settings.AXES_USERNAME_FORM_FIELD, "")
    if not value and credentials:
        value = credentials.get("username") or credentials.get("email") or credentials.get("login") or ""
    value = value.strip().lower()
    if "@" in value:
        usernames = list(get_user_model().objects.filter(email__iexact=value).values_list("username", flat=True)[:2])
        if len(usernames) == 1:
            value = usernames[0].lower()
    return value


def _retry_at(request):
    """When the (login, IP) pair may try again: cool-off after its last recorded failure."""
    from axes.models import AccessAttempt

    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    last = (
        AccessAttempt.objects.filter(
            username=axes_username(request), ip_address=getattr(request, "axes_ip_address", None)
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return timezone.localtime((last or timezone.now()) + cool_off)


def lockout_response(request, credentials=None, *args, **kwargs):
    """Same answer whether the account exists or not."""
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "account/locked.html", {"minutes": minutes, "retry_at": _retry_at(request)}, status=429)
