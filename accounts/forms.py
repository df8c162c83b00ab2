from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.forms import ResetPasswordForm
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from accounts import emails
from core.forms import PortalForm
from members.validators import normalize_nir, validate_member_number, validate_nir

# Plausible birth years of a contract's holder: an employee or a retiree.
MAX_AGE_YEARS = 120
MIN_HOLDER_AGE_YEARS = 14


class ActivationRequestForm(PortalForm):
    number = forms.CharField(
        label="Numéro d'adhérent",
        max_length=30,
        help_text="Il figure sur votre carte de tiers payant et sur vos courriers.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "numeric"}),
    )
    birth_date = forms.DateField(
        label="Date de naissance",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="Format JJ/MM/AAAA.",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    nir = forms.CharField(
        label="Numéro de sécurité sociale",
        max_length=21,
        help_text="15 caractères, clé comprise, tel qu'il figure sur votre carte Vitale.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    # The formats are checked before anything is looked up, each field said wrong in
    # French: a malformed entry tells nothing about who is a member, and a member who
    # mistyped learns it here rather than waiting for an e-mail that never comes.
    def clean_number(self) -> str:
        number = "".join(self.cleaned_data["number"].split())
        validate_member_number(number)
        return number

    def clean_birth_date(self) -> dt.date:
        birth_date: dt.date = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if birth_date > today:
            raise ValidationError("La date de naissance ne peut pas être dans le futur.", code="birth_future")
        if birth_date.year < today.year - MAX_AGE_YEARS:
            raise ValidationError(
                "Vérifiez l'année de naissance : elle semble incomplète ou erronée.", code="birth_old"
            )
        if birth_date.year > today.year - MIN_HOLDER_AGE_YEARS:
            raise ValidationError(
                "Cette date de naissance est celle d'un enfant : indiquez celle de l'assuré principal (le titulaire "
                "du contrat), qui active l'Espace Assuré.",
                code="birth_child",
            )
        return birth_date

    def clean_nir(self) -> str:
        nir = normalize_nir(self.cleaned_data["nir"])
        validate_nir(nir)
        return nir


class ActivationPasswordForm(PortalForm):
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_texts()[-1]
        if password_validation.password_validators_help_texts()
        else "",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        return data


class CodeForm(PortalForm):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )
    # The member guide: the code is asked once, then only on a new browser, a new network
    # or after 3 months without connection; hence trust by default on one's own device,
    # and a shared computer said so explicitly.
    trust = forms.TypedChoiceField(
        label="Cet appareil est",
        choices=[
            ("oui", "Mon appareil personnel : ne plus me demander de code sur ce navigateur"),
            ("non", "Un ordinateur partagé ou public : me demander un code à chaque connexion"),
        ],
        coerce=lambda value: value == "oui",
        empty_value=False,  # type: ignore[arg-type]  # django-stubs: str only; Django returns it as given
        initial="oui",
        required=False,
        widget=forms.RadioSelect,
        help_text="Sur votre appareil personnel, le code vous sera demandé à nouveau sur un autre navigateur, "
        "depuis un autre réseau (box, wifi) ou après 3 mois sans connexion.",
    )


class EnrolCodeForm(PortalForm):
    code = forms.CharField(
        label="Code de vérification",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
    )


class ReauthenticationForm(PortalForm):
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        error_messages={"required": "Saisissez votre mot de passe."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.CharField(
        label="Code de vérification",
        max_length=20,
        error_messages={"required": "Saisissez le code de vérification."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


class SecondFactorCodeForm(PortalForm):
    """A code of one of the account's factors, confirming a new IBAN (accounts.views_bank)."""

    code = forms.CharField(
        label="Code de vérification",
        max_length=20,
        error_messages={"required": "Saisissez le code de vérification."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


class PasswordResetForm(ResetPasswordForm):
    """allauth's "Mot de passe oublié" form, sending a link only to an account's verified
    primary address (the one its second-factor codes go to): never to an address merely
    typed somewhere, or awaiting confirmation. Any other address gets the portal's "no
    account" e-mail, so that the answer and the work are the same either way."""

    def clean_email(self) -> str:
        email = super().clean_email()
        self.users = list(
            get_user_model().objects.filter(
                email__iexact=email,
                is_active=True,
                emailaddress__email__iexact=email,
                emailaddress__primary=True,
                emailaddress__verified=True,
            )
        )
        return email

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        if self.users:
            return super().save(request, **kwargs)
        email: str = self.cleaned_data["email"]
        emails.send_password_reset_unknown(to=email)
        return email
