from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from core.access import second_factor_ok


class SecondFactorAdminSite(admin.AdminSite):
    """The back-office demands a verified second factor, and has no login form of its
    own: everyone goes through the portal's login (axes, second factor)."""

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and second_factor_ok(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        target = request.GET.get("next") or reverse("admin:index")
        if request.user.is_authenticated and not second_factor_ok(request):
            return redirect(reverse("accounts:second_factor") + "?" + urlencode({"next": target}))
        if request.user.is_authenticated:
            # Logged in and verified but not staff: the admin would loop back here.
            return redirect("home:home")
        return redirect(reverse("account_login") + "?" + urlencode({"next": target}))
