"""The member's "Profil" and portability pages. No ids in URLs: the one page that has one,
the confirmation of the member's own bank change by the second factor, is accounts'
(accounts.views_bank)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import member_required
from core.forms import form_error_from
from core.reauth import reauth_is_recent, reauth_redirect, reauth_required
from documents.downloads import attachment, safe_filename
from members import portability, profile
from members.forms_profile import (
    BankForm,
    ClosureForm,
    ContactForm,
    EmailForm,
    NotificationPreferencesForm,
    ProofForm,
)
from members.models import BankChangeStatus

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
                messages.success(
                    request, "Vos coordonnées sont modifiées. Une confirmation vous a été envoyée par e-mail."
                )
            else:
                messages.info(request, "Aucune modification : vos coordonnées sont inchangées.")
            return redirect("members:profile")
    return _profile_page(request, contact_form=form)


@require_http_methods(["GET", "POST"])
@member_required
def email_update(request):
    """A new address, after a recent re-authentication (core.reauth). An address typed
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
        request,
        "members/profile_email.html",
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
            # Step 2, the second factor, is accounts' page (accounts.views_bank).
            return redirect("profile_bank_confirm", pk=change.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "members/profile_bank.html", {"form": form, "member": request.member}, status=status)


@require_POST
@member_required
def notifications_update(request):
    form = NotificationPreferencesForm(request.POST, choices=profile.notification_choices(request.member))
    if form.is_valid():
        changed = profile.notification_preferences_update(
            member=request.member, actor=request.user, enabled=form.enabled()
        )
        messages.success(
            request,
            "Vos préférences d'e-mail sont enregistrées."
            if changed
            else "Aucune modification : vos préférences sont inchangées.",
        )
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
            "Merci : vos justificatifs France Travail nous seront transmis automatiquement."
            if consent
            else "Votre consentement est retiré : déposez chaque mois votre attestation de paiement des allocations.",
        )
    back = "members:portability" if request.POST.get("retour") == "portabilite" else "members:profile"
    return redirect(back)


@require_POST
@member_required
def data_export(request):
    content = profile.member_data_export(member=request.member, actor=request.user)
    response = attachment(
        HttpResponse(content, content_type="application/zip"),
        safe_filename(f"mes-donnees-{timezone.localdate():%Y-%m-%d}", extension="zip"),
    )
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
            messages.success(
                request,
                "Votre demande de clôture est transmise à nos gestionnaires : "
                "nous vous répondrons dans votre messagerie.",
            )
            return redirect("messaging:thread", pk=thread.pk)
    return _profile_page(request, closure_form=form)


@require_http_methods(["GET", "POST"])
@member_required
def portability_page(request):
    member = request.member
    file = portability.latest_portability_file(member)
    if file is None:
        return render(
            request,
            "members/portability.html",
            {
                "member": member,
                "file": None,
                "pending_thread": portability.pending_portability_thread(member),
                "justificatifs": portability.REQUIRED_JUSTIFICATIFS,
            },
        )
    form = ProofForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            proof = portability.portability_proof_add(
                member=member, actor=request.user, uploaded=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form_error_from(form, error)
        else:
            messages.success(request, f"Votre justificatif de {proof.month:%m/%Y} est bien reçu. Merci.")
            return redirect("members:portability")
    today = timezone.localdate()
    # The current proof period (a month or a quarter, per the contract), None in the first one.
    period = portability.proof_period_start(file, today)
    return render(
        request,
        "members/portability.html",
        {
            "member": member,
            "file": file,
            "form": form,
            "proofs": file.proofs.select_related("file"),
            "proof_expected": portability.proof_expected(file, today),
            "proof_received": portability.proof_received(file, period),
            "proof_missing": portability.proof_missing(file, today),
            "period_label": portability.proof_period_label(file, period) if period else "",
            "due_date": portability.proof_due_date(period) if period else None,
            "deadline": portability.proof_deadline(file, period),
            "evin_deadline": portability.loi_evin_deadline(file),
            "today": today,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
@member_required
def portability_form(request):
    """The member's own pre-filled "bulletin de demande de portabilité", made on demand."""
    member = request.member
    if not member.contract.portability_offered:
        return redirect("members:portability")
    response = HttpResponse(portability.portability_form_pdf(member), content_type="application/pdf")
    attachment(response, safe_filename("bulletin-demande-portabilite", extension="pdf"))
    response["Cache-Control"] = "private, no-store"
    return response
