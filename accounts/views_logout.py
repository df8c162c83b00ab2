"""Logging out also clears what the portal left in the browser: the tiers-payant card a
phone keeps for offline use (its service worker and cache, home.pwa)."""

from __future__ import annotations

from allauth.account import views as allauth_views
from django.http import HttpRequest, HttpResponse

# "storage" unregisters the service workers and empties their caches (and local storage,
# which the portal does not use); "cache" drops the HTTP cache. Cookies stay: the trusted
# browser's cookie is a choice the member made for this browser.
CLEAR_SITE_DATA = '"cache", "storage"'


def logout(request: HttpRequest) -> HttpResponse:
    """allauth's logout (POST only: ACCOUNT_LOGOUT_ON_GET is off), plus Clear-Site-Data
    on the response that ends the session."""
    was_authenticated = request.user.is_authenticated
    response = allauth_views.logout(request)
    if request.method == "POST" and was_authenticated and not request.user.is_authenticated:
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
