"""The member's "Profil" and portability pages. No ids in URLs except the member's own
bank change (looked up within their changes, so anyone else's is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.reauth import reauth_is_recent, reauth_redirect, reauth_required
from core.access import member_required
from core.forms import form_error_from
from documents.downloads import attachment, safe_filename
from members import portability, profile
from members.forms_profile import (
    BankForm,
    ClosureForm,
    ContactForm,
    EmailForm,
    NotificationPreferencesForm,
    ProofForm,
    SecondFactorCodeForm,
)
from members.models import BankChangeStatus

BANK_CODE_SENT_SESSION_KEY = "profile_bank_code_sent"
EMAIL_TYPED_SESSION_KEY = "profile_email_typed"


def _profile_page(request, **forms):
    member = request.member
    file = portability.latest_portability_file(member)
    context = {
        "member": member,
        "contact_form": ContactForm(initial={name: getattr(member, name) for name in profile.CONTACT_FIELDS}),
        "notifications_form": NotificationPreferencesForm(choices=profile.notification_choices(member)),
        "closure_form": ClosureForm(),
        "pending_email": profile.pending_email_change(member),
        "bank_changes": member.bank_changes.exclude(status=BankChangeStatus.CANCELLED)[:3],
        "portability_file": file,
        "portability_open": file is not None and file.is_open,
        **forms,
    }
    status = 400 if any(form.is_bound and form.errors for form in forms.values()) else 200
    return render(request, "members/profile.html", context, status=status)


@require_GET
@member_required
def profile_page(request):
    return _profile_page(request)


@require_POST
@member_required
def contact_update(request):
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            changed = profile.contact_details_update(member=request.member, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_error_from(form, error)
        else:
            if changed:
                messages.success(request, "Vos coordonnées sont modifiées. Une confirmation vous a été envoyée par e-mail.")
            else:
                messages.info(request, "Aucune modification : vos coordonnées sont inchangées.")
            return redirect("members:profile")
    return _profile_page(request, contact_form=form)


@require_http_methods(["GET", "POST"])
@member_required
def email_update(request):
    """A new address, after a recent re-authentication (accounts.reauth). An address typed
    when that had run out waits in the session for the form, so nothing typed is lost."""
    if not reauth_is_recent(request):
        if request.method == "POST":
            request.session[EMAIL_TYPED_SESSION_KEY] = request.POST.get("email", "")[:254]
        return reauth_redirect(request.path)
    form = EmailForm(request.POST or None, initial={"email": request.session.pop(EMAIL_TYPED_SESSION_KEY, "")})
    if request.method == "POST" and form.is_valid():
        try:
            change = profile.email_change_request(
                member=request.member, actor=request.user, new_email=form.cleaned_data["email"]
            )
        except ValidationError as error:
            form_error_from(form, error)
        else:
            messages.success(
                request,
                f"Un lien de confirmation a été envoyé à {change.new_email}. Votre adresse actuelle reste utilisée "
                "tant que vous ne l'avez pas ouvert.",
            )
            return redirect("members:profile")
    status = 429 if form.has_error("email", code="throttled") else (400 if form.is_bound and form.errors else 200)
    return render(
        request, "members/profile_email.html",
        {"form": form, "member": request.member, "pending_email": profile.pending_email_change(request.member)},
        status=status,
    )


@require_GET
@member_required
def email_confirm(request, token):
    try:
        change = profile.email_change_confirm(member=request.member, actor=request.user, token=token)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Votre adresse e-mail est désormais {change.new_email}.")
    return redirect("members:profile")


@require_http_methods(["GET", "POST"])
@member_required
@reauth_required
def bank_update(request):
    form = BankForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = profile.bank_change_request(
                member=request.member, actor=request.user, iban=data["iban"], bic=data["bic"], rib=data["rib"]
            )
        except ValidationError as error:
            form_error_from(form, error)
        else:
            return redirect("members:profile_bank_confirm", pk=change.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "members/profile_bank.html", {"form": form, "member": request.member}, status=status)


def _bank_device(request, devices):
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
def bank_confirm(request, pk: int):
    """A recent re-authentication (as for every sensitive change), then a code bound to
    this change: its e-mail names the new IBAN, so the member confirms what they see."""
    change = profile.bank_change_to_confirm(request.member, pk)
    if change is None:
        raise Http404("Pas de demande à confirmer.")
    user = request.user
    devices = account_selectors.user_devices(user)
    method, device = _bank_device(request, devices)
    if device is None:
        return redirect("accounts:enrol")
    locked_until = account_selectors.second_factor_locked_until(user)
    form = SecondFactorCodeForm()
    sent_for = request.session.get(BANK_CODE_SENT_SESSION_KEY)
    if request.method == "POST" and request.POST.get("action") == "envoyer" and method == "email":
        if account_services.email_code_send(device=device, purpose="bank", iban=change.masked_iban):
            request.session[BANK_CODE_SENT_SESSION_KEY] = change.pk
            messages.success(request, "Un nouveau code vous a été envoyé par e-mail.")
        else:
            messages.warning(request, "Un code vient de vous être envoyé : patientez une minute avant d'en demander un autre.")
        return redirect(f"{request.path}?methode=email")
    if request.method == "POST" and not locked_until:
        form = SecondFactorCodeForm(request.POST)
        if form.is_valid():
            try:
                check = profile.bank_change_confirm(change=change, actor=user, device=device,
                                                    code=form.cleaned_data["code"])
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
    elif request.method == "GET" and method == "email" and sent_for != change.pk and not locked_until:
        # One code on arrival for this change; "Recevoir un nouveau code" for another.
        account_services.email_code_send(device=device, purpose="bank", iban=change.masked_iban)
        request.session[BANK_CODE_SENT_SESSION_KEY] = change.pk
    status = 429 if locked_until else (400 if form.is_bound and form.errors else 200)
    return render(
        request,
        "members/profile_bank_confirm.html",
        {"change": change, "form": form, "method": method, "device": device, "devices": devices,
         "locked_until": locked_until},
        status=status,
    )


@require_POST
@member_required
def notifications_update(request):
    form = NotificationPreferencesForm(request.POST, choices=profile.notification_choices(request.member))
    if form.is_valid():
        changed = profile.notification_preferences_update(
            member=request.member, actor=request.user, enabled=form.enabled()
        )
        messages.success(request, "Vos préférences d'e-mail sont enregistrées." if changed
                         else "Aucune modification : vos préférences sont inchangées.")
        return redirect("members:profile")
    return _profile_page(request, notifications_form=form)


@require_POST
@member_required
def france_travail_consent(request):
    consent = request.POST.get("consentement") == "oui"
    try:
        portability.france_travail_consent_set(member=request.member, actor=request.user, consent=consent)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            "Merci : vos justificatifs France Travail nous seront transmis automatiquement." if consent else
            "Votre consentement est retiré : déposez chaque mois votre attestation de paiement des allocations.",
        )
    back = "members:portability" if request.POST.get("retour") == "portabilite" else "members:profile"
    return redirect(back)


@require_POST
@member_required
def data_export(request):
    content = profile.member_data_export(member=request.member, actor=request.user)
    response = attachment(HttpResponse(content, content_type="application/zip"),
                          safe_filename(f"mes-donnees-{timezone.localdate():%Y-%m-%d}", extension="zip"))
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@member_required
def closure_request(request):
    form = ClosureForm(request.POST)
    if form.is_valid():
        try:
            thread = profile.account_closure_request(
                member=request.member, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_error_from(form, error)
        else:
            messages.success(request, "Votre demande de clôture est transmise à nos gestionnaires : "
                                      "nous vous répondrons dans votre messagerie.")
            return redirect("messaging:thread", pk=thread.pk)
    return _profile_page(request, closure_form=form)


@require_http_methods(["GET", "POST"])
@member_required
def portability_page(request):
    member = request.member
    file = portability.latest_portability_file(member)
    if file is None:
        return render(request, "members/portability.html", {"member": member, "file": None})
    form = ProofForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            proof = portability.portability_proof_add(member=member, actor=request.user, uploaded=form.cleaned_data["file"])
        except ValidationError as error:
            form_error_from(form, error)
        else:
            messages.success(request, f"Votre justificatif de {proof.month:%m/%Y} est bien reçu. Merci.")
            return redirect("members:portability")
    today = timezone.localdate()
    month = portability.month_start(today)
    return render(
        request,
        "members/portability.html",
        {
            "member": member,
            "file": file,
            "form": form,
            "proofs": file.proofs.select_related("file"),
            "proof_expected": portability.proof_expected(file, today),
            "proof_received": portability.proof_received(file, month),
            "proof_missing": portability.proof_missing(file, today),
            "due_date": portability.proof_due_date(month),
            "deadline": portability.proof_deadline(file, month),
            "evin_deadline": portability.loi_evin_deadline(file),
            "today": today,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
