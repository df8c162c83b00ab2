from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from accounts import selectors, services
from accounts.requests import OTPRequest
from accounts.session import mark_verified
from core.client_ip import client_ip

# Pages a logged-in user may reach before passing the second factor.
OPEN_VIEWS = {
    "accounts:second_factor",
    "accounts:second_factor_resend",
    "accounts:enrol",
    "accounts:enrol_email",
    "accounts:enrol_totp",
    "accounts:activation_request",
    "accounts:activation_sent",
    "accounts:activation_link",
    "accounts:activation_password",
    "account_logout",
}
TRUSTED_COOKIE_SALT = "accounts.trusted-browser"
NETWORK_CHANGED_SESSION_KEY = "accounts_trusted_network_changed"


class SecondFactorMiddleware:
    """No page is served to a logged-in user who has not passed the second factor:
    a trusted browser passes it silently, anyone else is sent to the code step (or to
    enrolment when the account has no factor yet). Views also check it (core.access):
    this is the net under pages that forget to."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: OTPRequest) -> HttpResponseBase:
        user = request.user
        if (
            getattr(settings, "OTP_REQUIRED", False)
            and user.is_authenticated
            and not user.is_verified()
            and not self._trusted_browser(request, user)
            and self._view_name(request) not in OPEN_VIEWS
        ):
            return self._redirect(request, user)
        return self.get_response(request)

    @staticmethod
    def _view_name(request: HttpRequest) -> str:
        try:
            return resolve(request.path_info).view_name
        except Resolver404:
            return ""

    @staticmethod
    def _trusted_browser(request: HttpRequest, user: User) -> bool:
        try:
            token = request.get_signed_cookie(settings.ACCOUNTS_TRUSTED_BROWSER_COOKIE, salt=TRUSTED_COOKIE_SALT)
        except (KeyError, signing.BadSignature):
            return False
        if token is None:  # only with a default, and none is given (the stub cannot tell)
            return False
        network = services.network_fingerprint(client_ip(request))
        found = services.trusted_browser_use(user=user, token=token, network=network)
        if found is None:
            if services.trusted_browser_network_changed(user=user, token=token, network=network):
                # The code page says why it is asked on a browser the member trusted.
                request.session[NETWORK_CHANGED_SESSION_KEY] = True
            return False
        record, device = found
        mark_verified(request, device, trusted_browser=record)
        return True

    @staticmethod
    def _redirect(request: HttpRequest, user: User) -> HttpResponseRedirect:
        name = "accounts:second_factor" if selectors.has_second_factor(user) else "accounts:enrol"
        url = reverse(name)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
