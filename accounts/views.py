from __future__ import annotations

import base64
from datetime import datetime, timedelta
from urllib.parse import urlencode

import segno
from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp.models import Device

from accounts import selectors, services
from accounts.forms import ActivationPasswordForm, ActivationRequestForm, CodeForm, EnrolCodeForm, ReauthenticationForm
from accounts.middleware import NETWORK_CHANGED_SESSION_KEY, TRUSTED_COOKIE_SALT
from accounts.models import EmailCodeDevice, RecoveryCodeDevice, TOTPDevice, TrustedBrowser
from accounts.requests import AuthenticatedRequest
from accounts.selectors import UserDevices
from accounts.session import TRUSTED_BROWSER_SESSION_KEY, mark_verified
from core.access import login_and_second_factor_required
from core.client_ip import client_ip
from core.reauth import reauth_is_recent, reauth_mark, reauth_redirect, reauth_required

ACTIVATION_TOKEN_SESSION_KEY = "accounts_activation_token"
ACTIVATED_SESSION_KEY = "accounts_just_activated"
CODE_SENT_SESSION_KEY = "accounts_login_code_sent"
PENDING_TOTP_SESSION_KEY = "accounts_pending_totp"
REAUTH_CODE_SENT_SESSION_KEY = "accounts_reauth_code_sent"
METHODS = ("email", "application", "secours")


def _next_url(request: HttpRequest, user: User | None = None) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: redirect() takes a bare word ("?next=abc") for a view name (a 500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    who = user or request.user
    if getattr(who, "member", None) is None and who.is_staff:
        return reverse("admin:index")
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url: str, next_url: str, **params: str) -> str:
    return url + "?" + urlencode({**params, "next": next_url})


# --- first connection ---------------------------------------------------------------


def activation_request(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = ActivationRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.activation_request(
            number=form.cleaned_data["number"],
            birth_date=form.cleaned_data["birth_date"],
            nir=form.cleaned_data["nir"],
            ip=client_ip(request),
        )
        if outcome.kind == "throttled":
            return render(request, "accounts/activation_throttled.html", {"minutes": outcome.retry_minutes}, status=429)
        return redirect("accounts:activation_sent")
    return render(
        request,
        "accounts/activation_request.html",
        {"form": form, "contacts": selectors.management_contacts()},
        status=400 if form.is_bound and form.errors else 200,
    )


def activation_sent(request: HttpRequest) -> HttpResponse:
    # The same page for everyone, so it also tells a member without an e-mail address on
    # file whom to call.
    return render(request, "accounts/activation_sent.html", {"contacts": selectors.management_contacts()})


def activation_link(request: HttpRequest, token: str) -> HttpResponse:
    """Checks the e-mailed link, then moves its token into the session and out of the
    address bar (no leak through history or Referer) before the password is chosen."""
    try:
        services.activation_link_get(token=token)
    except services.ActivationError as error:
        return render(request, "accounts/activation_link_error.html", {"code": error.code}, status=400)
    request.session[ACTIVATION_TOKEN_SESSION_KEY] = token
    return redirect("accounts:activation_password")


def activation_password(request: HttpRequest) -> HttpResponse:
    token = request.session.get(ACTIVATION_TOKEN_SESSION_KEY)
    try:
        link = services.activation_link_get(token=token or "")
    except services.ActivationError as error:
        request.session.pop(ACTIVATION_TOKEN_SESSION_KEY, None)
        return render(request, "accounts/activation_link_error.html", {"code": error.code}, status=400)
    form = ActivationPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_activate(token=token or "", password=form.cleaned_data["password1"])
        except ValidationError as error:
            form.add_error("password1", error)
        except services.ActivationError as error:
            return render(request, "accounts/activation_link_error.html", {"code": error.code}, status=400)
        else:
            request.session.pop(ACTIVATION_TOKEN_SESSION_KEY, None)
            login(request, user, backend="accounts.backends.LoginBackend")
            request.session[ACTIVATED_SESSION_KEY] = True
            messages.success(request, "Votre mot de passe est enregistré. Dernière étape : la double authentification.")
            return redirect("accounts:enrol")
    return render(request, "accounts/activation_password.html", {"form": form, "member": link.member})


# --- second factor at login ---------------------------------------------------------


def _locked(request: HttpRequest, locked_until: datetime) -> HttpResponse:
    return render(request, "accounts/second_factor_locked.html", {"locked_until": locked_until}, status=429)


def _pick_device(devices: UserDevices, method: str) -> tuple[str, Device] | tuple[None, None]:
    chosen = {"email": devices.email, "application": devices.totp, "secours": devices.recovery}.get(method)
    if chosen is not None:
        return method, chosen
    for name, device in (("email", devices.email), ("application", devices.totp)):
        if device is not None:
            return name, device
    return None, None


@login_required
def second_factor(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    devices = selectors.user_devices(user)
    if not devices.primary:
        return redirect(_with_next(reverse("accounts:enrol"), next_url))
    locked_until = selectors.second_factor_locked_until(user)
    if locked_until:
        return _locked(request, locked_until)
    method, device = _pick_device(devices, request.POST.get("methode") or request.GET.get("methode") or "")
    if device is None:  # not reached: devices.primary is not empty
        return redirect(_with_next(reverse("accounts:enrol"), next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.second_factor_check(user=user, device=device, code=form.cleaned_data["code"])
        if check.locked_until:
            return _locked(request, check.locked_until)
        if check.ok:
            return _second_factor_passed(request, device, trust=form.cleaned_data["trust"], next_url=next_url)
        form.add_error(
            "code",
            f"Code incorrect ou expiré. Il vous reste {check.attempts_left} essai{'s' if check.attempts_left > 1 else ''} "
            f"avant un blocage de {settings.ACCOUNTS_OTP_LOCK_MINUTES} minutes.",
        )
    elif (
        request.method == "GET"
        and isinstance(device, EmailCodeDevice)
        and request.session.get(CODE_SENT_SESSION_KEY) != device.pk
    ):
        # One code per login session, sent on arrival; "Renvoyer un code" for another.
        services.login_code_send(device=device)
        request.session[CODE_SENT_SESSION_KEY] = device.pk
    return render(
        request,
        "accounts/second_factor.html",
        {
            "form": form,
            "method": method,
            "device": device,
            "devices": devices,
            "next": next_url,
            "network_changed": request.session.get(NETWORK_CHANGED_SESSION_KEY, False),
        },
    )


def _trusted_cookie(request: HttpRequest) -> str:
    try:
        return request.get_signed_cookie(settings.ACCOUNTS_TRUSTED_BROWSER_COOKIE, salt=TRUSTED_COOKIE_SALT) or ""
    except (KeyError, signing.BadSignature):
        return ""


def _second_factor_passed(
    request: AuthenticatedRequest, device: Device, *, trust: bool, next_url: str
) -> HttpResponseRedirect:
    user = request.user
    mark_verified(request, device)
    request.session.pop(CODE_SENT_SESSION_KEY, None)
    response = redirect(next_url)
    request.session.pop(NETWORK_CHANGED_SESSION_KEY, None)
    network = services.network_fingerprint(client_ip(request))
    known = _trusted_cookie(request)
    if not trust:
        # "Ordinateur partagé": a browser trusted earlier stops being so, its cookie goes.
        if known:
            services.trusted_browser_forget(user=user, token=known)
            response.delete_cookie(settings.ACCOUNTS_TRUSTED_BROWSER_COOKIE, samesite="Lax")
    elif known and (record := services.trusted_browser_renew(user=user, token=known, network=network)):
        request.session[TRUSTED_BROWSER_SESSION_KEY] = record.pk
    else:
        record, token = services.trusted_browser_create(
            user=user, device=device, user_agent=request.headers.get("User-Agent", ""), network=network
        )
        request.session[TRUSTED_BROWSER_SESSION_KEY] = record.pk
        response.set_signed_cookie(
            settings.ACCOUNTS_TRUSTED_BROWSER_COOKIE,
            token,
            salt=TRUSTED_COOKIE_SALT,
            max_age=int(timedelta(days=settings.ACCOUNTS_TRUSTED_BROWSER_DAYS).total_seconds()),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    if isinstance(device, RecoveryCodeDevice):
        left = device.codes.count()
        level = messages.WARNING if left <= 3 else messages.INFO
        messages.add_message(
            request,
            level,
            f"Code de secours utilisé : il vous en reste {left}. Vous pouvez en générer de nouveaux dans Sécurité.",
        )
    return response


@login_required
@require_POST
def second_factor_resend(request: AuthenticatedRequest) -> HttpResponse:
    device = get_object_or_404(EmailCodeDevice, user=request.user, confirmed=True)
    next_url = _next_url(request)
    if selectors.second_factor_locked_until(request.user):
        return redirect(_with_next(reverse("accounts:second_factor"), next_url))
    if services.login_code_send(device=device):
        request.session[CODE_SENT_SESSION_KEY] = device.pk
        messages.success(request, "Un nouveau code vous a été envoyé par e-mail.")
    else:
        messages.warning(
            request, "Un code vient de vous être envoyé : patientez une minute avant d'en demander un autre."
        )
    return redirect(_with_next(reverse("accounts:second_factor"), next_url, methode="email"))


# --- enrolment ----------------------------------------------------------------------


def _enrol_guard(request: AuthenticatedRequest) -> HttpResponseRedirect | None:
    """None when the user may add a factor now, else the response to send. Without any
    factor, a fresh login may enrol (that is the first connection); adding one more
    needs the second factor already passed (and, by decorator, a recent password)."""
    if selectors.has_second_factor(request.user) and not request.user.is_verified():
        return redirect(_with_next(reverse("accounts:second_factor"), _next_url(request)))
    return None


def _reauth_guard(request: AuthenticatedRequest) -> HttpResponseRedirect | None:
    """Adding a factor to an account that has one is a sensitive change (core.reauth);
    the first factor, at first connection, is not."""
    if selectors.has_second_factor(request.user) and not reauth_is_recent(request):
        return reauth_redirect(request.get_full_path() if request.method == "GET" else request.path)
    return None


def _factor_enrolled(
    request: AuthenticatedRequest, device: Device, enrolment: services.Enrolment, next_url: str
) -> HttpResponse:
    if enrolment.recovery_codes:
        # First factor: the session is verified by it, and the recovery codes are shown
        # in this response only (never stored in clear, never shown again).
        mark_verified(request, device)
        request.session.pop(ACTIVATED_SESSION_KEY, None)
        return render(
            request,
            "accounts/recovery_codes_issued.html",
            {"codes": enrolment.recovery_codes, "next": next_url, "first": True},
        )
    messages.success(request, f"La méthode « {services.factor_label(device)} » est ajoutée à votre compte.")
    return redirect("accounts:security")


@login_required
def enrol(request: AuthenticatedRequest) -> HttpResponse:
    guard = _enrol_guard(request)
    if guard:
        return guard
    if selectors.has_second_factor(request.user):
        return redirect("accounts:security")
    return render(
        request,
        "accounts/enrol.html",
        {"next": _next_url(request), "may_use_app": bool(request.session.get(ACTIVATED_SESSION_KEY))},
    )


@login_required
def enrol_email(request: AuthenticatedRequest) -> HttpResponse:
    guard = _enrol_guard(request) or _reauth_guard(request)
    if guard:
        return guard
    user = request.user
    next_url = _next_url(request)
    if not user.email:
        member = getattr(user, "member", None)
        contact = selectors.organisme_contact(member) if member else None
        return render(request, "accounts/enrol_no_email.html", {"contact": contact})
    device = EmailCodeDevice.objects.filter(user=user, confirmed=False).first()
    form = EnrolCodeForm()
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            services.email_device_enrol_start(user=user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("accounts:security")
        return redirect(_with_next(reverse("accounts:enrol_email"), next_url))
    if request.method == "POST" and device is not None:
        form = EnrolCodeForm(request.POST)
        if form.is_valid():
            enrolment = services.device_enrol_confirm(user=user, device=device, code=form.cleaned_data["code"])
            if enrolment.check.locked_until:
                return _locked(request, enrolment.check.locked_until)
            if enrolment.check.ok:
                return _factor_enrolled(request, device, enrolment, next_url)
            form.add_error("code", f"Code incorrect ou expiré. Il vous reste {enrolment.check.attempts_left} essai(s).")
    return render(
        request,
        "accounts/enrol_email.html",
        {
            "form": form,
            "device": device,
            "code_sent": device is not None and device.has_pending_code(),
            "next": next_url,
        },
    )


def _qr_data_uri(text: str) -> str:
    # segno's data URI: a standalone SVG document, with the xmlns a browser needs to draw it
    # as an image (svg_inline() omits it, being meant for inline markup) and its size.
    return str(segno.make(text, error="m").svg_data_uri(scale=5, dark="#1b1f24", light="#ffffff"))


@login_required
def enrol_totp(request: AuthenticatedRequest) -> HttpResponse:
    guard = _enrol_guard(request) or _reauth_guard(request)
    if guard:
        return guard
    user = request.user
    next_url = _next_url(request)
    if not selectors.has_second_factor(user) and not request.session.get(ACTIVATED_SESSION_KEY):
        # Only a password so far (no e-mailed link in this session): prove the mailbox on
        # file first, so that a stolen password alone cannot enrol the thief's phone.
        messages.info(request, "Pour sécuriser votre compte, confirmez d'abord votre adresse e-mail.")
        return redirect(_with_next(reverse("accounts:enrol_email"), next_url))
    pending = request.session.get(PENDING_TOTP_SESSION_KEY)
    device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=pending).first() if pending else None
    if device is None:
        try:
            device = services.totp_device_enrol_start(user=user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("accounts:security")
        request.session[PENDING_TOTP_SESSION_KEY] = device.pk
    form = EnrolCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolment = services.device_enrol_confirm(user=user, device=device, code=form.cleaned_data["code"])
        if enrolment.check.locked_until:
            return _locked(request, enrolment.check.locked_until)
        if enrolment.check.ok:
            request.session.pop(PENDING_TOTP_SESSION_KEY, None)
            return _factor_enrolled(request, device, enrolment, next_url)
        form.add_error("code", f"Code incorrect. Il vous reste {enrolment.check.attempts_left} essai(s).")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/enrol_totp.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "next": next_url,
        },
    )


# --- security page ------------------------------------------------------------------


@login_and_second_factor_required
def security(request: AuthenticatedRequest) -> HttpResponse:
    devices = selectors.user_devices(request.user)
    return render(
        request,
        "accounts/security.html",
        {
            "devices": devices,
            "browsers": selectors.active_trusted_browsers(request.user),
            "current_browser": request.session.get(TRUSTED_BROWSER_SESSION_KEY),
        },
    )


@login_and_second_factor_required
@reauth_required
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        codes = services.recovery_codes_regenerate(user=request.user)
        return render(request, "accounts/recovery_codes_issued.html", {"codes": codes, "first": False})
    return render(
        request, "accounts/recovery_codes.html", {"left": selectors.user_devices(request.user).recovery_codes_left}
    )


@require_POST
@login_and_second_factor_required
@reauth_required(on_post="accounts:security")
def factor_remove(request: AuthenticatedRequest, kind: str, pk: int) -> HttpResponse:
    models: dict[str, type[Device]] = {"email": EmailCodeDevice, "application": TOTPDevice}
    model = models.get(kind)
    if model is None:
        return redirect("accounts:security")
    device = get_object_or_404(model, user=request.user, pk=pk, confirmed=True)
    try:
        services.factor_remove(user=request.user, device=device)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"La méthode « {services.factor_label(device)} » est retirée de votre compte.")
    return redirect("accounts:security")


@require_POST
@login_and_second_factor_required
def browser_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    get_object_or_404(TrustedBrowser, user=request.user, pk=pk)
    services.trusted_browser_revoke(user=request.user, pk=pk)
    messages.success(
        request, "Ce navigateur n'est plus un navigateur de confiance : le code sera demandé à la prochaine connexion."
    )
    return redirect("accounts:security")


@require_POST
@login_and_second_factor_required
def browsers_revoke_all(request: AuthenticatedRequest) -> HttpResponse:
    count = services.trusted_browsers_revoke_all(user=request.user)
    messages.success(
        request, f"{count} navigateur(s) révoqué(s) : le code sera demandé à la prochaine connexion sur chacun."
    )
    return redirect("accounts:security")


# --- re-authentication before a sensitive change ----------------------------------


@login_and_second_factor_required
def reauthenticate(request: AuthenticatedRequest) -> HttpResponse:
    """The password and a fresh second-factor code, whatever the session's age or how it
    was verified (a trusted browser types no code): see core.reauth."""
    user = request.user
    next_url = _next_url(request)
    locked_until = selectors.second_factor_locked_until(user)
    if locked_until:
        return _locked(request, locked_until)
    devices = selectors.user_devices(user)
    method, device = _pick_device(devices, request.POST.get("methode") or request.GET.get("methode") or "")
    if device is None:
        return redirect(_with_next(reverse("accounts:enrol"), next_url))
    form = ReauthenticationForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "envoyer" and isinstance(device, EmailCodeDevice):
        if services.email_code_send(device=device, purpose="reauth"):
            request.session[REAUTH_CODE_SENT_SESSION_KEY] = device.pk
            messages.success(request, "Un nouveau code vous a été envoyé par e-mail.")
        else:
            messages.warning(
                request, "Un code vient de vous être envoyé : patientez une minute avant d'en demander un autre."
            )
        return redirect(_with_next(reverse("accounts:reauthenticate"), next_url, methode="email"))
    if request.method == "POST" and form.is_valid():
        check = services.reauthentication_check(
            user=user, password=form.cleaned_data["password"], device=device, code=form.cleaned_data["code"]
        )
        if check.locked_until:
            return _locked(request, check.locked_until)
        if check.ok:
            reauth_mark(request)
            request.session.pop(REAUTH_CODE_SENT_SESSION_KEY, None)
            return redirect(next_url)
        form.add_error(
            None,
            f"Mot de passe ou code incorrect. Il vous reste {check.attempts_left} essai{'s' if check.attempts_left > 1 else ''} "
            f"avant un blocage de {settings.ACCOUNTS_OTP_LOCK_MINUTES} minutes.",
        )
    elif (
        request.method == "GET"
        and isinstance(device, EmailCodeDevice)
        and not (request.session.get(REAUTH_CODE_SENT_SESSION_KEY) == device.pk and device.has_pending_code())
    ):
        # One code on arrival; "Recevoir un nouveau code" for another.
        services.email_code_send(device=device, purpose="reauth")
        request.session[REAUTH_CODE_SENT_SESSION_KEY] = device.pk
    return render(
        request,
        "accounts/reauthenticate.html",
        {
            "form": form,
            "method": method,
            "device": device,
            "devices": devices,
            "next": next_url,
            "minutes": settings.ACCOUNTS_REAUTH_MINUTES,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# allauth's password change, behind a recent re-authentication.
password_change = login_and_second_factor_required(reauth_required(allauth_views.password_change))
