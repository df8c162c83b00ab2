"""The confirmation of a new IBAN by the second factor, step 2 of the Profil's bank
change (members.views_profile.bank_update is step 1). It is accounts' page because it
needs the account's devices and code check; its address stays under the Profil
(portal/urls.py) and its template with the Profil's. The change is looked up within the
member's own, so anyone else's is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_otp.models import Device

from accounts import selectors, services
from accounts.bank import bank_change_confirm
from accounts.forms import SecondFactorCodeForm
from accounts.models import EmailCodeDevice
from accounts.selectors import UserDevices
from core.access import member_required
from core.reauth import reauth_required
from members.profile import bank_change_to_confirm
from members.requests import MemberRequest

# The session key's value predates the move from members: a code sent just before a
# deployment is not sent again.
BANK_CODE_SENT_SESSION_KEY = "profile_bank_code_sent"


def _bank_device(request: HttpRequest, devices: UserDevices) -> tuple[str, Device | None]:
    method = request.POST.get("methode") or request.GET.get("methode") or ""
    chosen = {"email": devices.email, "application": devices.totp, "secours": devices.recovery}.get(method)
    if chosen is not None:
        return method, chosen
    if devices.email is not None:
        return "email", devices.email
    if devices.totp is not None:
        return "application", devices.totp
    return "", None


@require_http_methods(["GET", "POST"])
@member_required
@reauth_required
def bank_confirm(request: MemberRequest, pk: int) -> HttpResponse:
    """A recent re-authentication (as for every sensitive change), then a code bound to
    this change: its e-mail names the new IBAN, so the member confirms what they see."""
    change = bank_change_to_confirm(request.member, pk)
    if change is None:
        raise Http404("Pas de demande à confirmer.")
    user = request.user
    devices = selectors.user_devices(user)
    method, device = _bank_device(request, devices)
    if device is None:
        return redirect("accounts:enrol")
    locked_until = selectors.second_factor_locked_until(user)
    form = SecondFactorCodeForm()
    sent_for = request.session.get(BANK_CODE_SENT_SESSION_KEY)
    if request.method == "POST" and request.POST.get("action") == "envoyer" and isinstance(device, EmailCodeDevice):
        if services.email_code_send(device=device, purpose="bank", iban=change.masked_iban):
            request.session[BANK_CODE_SENT_SESSION_KEY] = change.pk
            messages.success(request, "Un nouveau code vous a été envoyé par e-mail.")
        else:
            messages.warning(
                request, "Un code vient de vous être envoyé : patientez une minute avant d'en demander un autre."
            )
        return redirect(f"{request.path}?methode=email")
    if request.method == "POST" and not locked_until:
        form = SecondFactorCodeForm(request.POST)
        if form.is_valid():
            try:
                check = bank_change_confirm(change=change, actor=user, device=device, code=form.cleaned_data["code"])
            except ValidationError as error:
                messages.error(request, error.messages[0])
                return redirect("members:profile")
            if check.ok:
                request.session.pop(BANK_CODE_SENT_SESSION_KEY, None)
                messages.success(
                    request,
                    "Votre demande est enregistrée. Nous vérifions votre RIB : le nouvel IBAN sera utilisé pour vos "
                    "remboursements dès sa validation, qui vous sera confirmée par e-mail.",
                )
                return redirect("members:profile")
            locked_until = check.locked_until
            if not locked_until:
                form.add_error("code", f"Code incorrect ou expiré. Il vous reste {check.attempts_left} essai(s).")
    elif request.method == "GET" and isinstance(device, EmailCodeDevice) and sent_for != change.pk and not locked_until:
        # One code on arrival for this change; "Recevoir un nouveau code" for another.
        services.email_code_send(device=device, purpose="bank", iban=change.masked_iban)
        request.session[BANK_CODE_SENT_SESSION_KEY] = change.pk
    status = 429 if locked_until else (400 if form.is_bound and form.errors else 200)
    return render(
        request,
        "members/profile_bank_confirm.html",
        {
            "change": change,
            "form": form,
            "method": method,
            "device": device,
            "devices": devices,
            "locked_until": locked_until,
        },
        status=status,
    )
