"""Forms of the Profil and portability pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from core.forms import PortalForm
from documents.forms import PrivateFileField
from members.validators import normalize_iban, validate_iban


class ContactForm(PortalForm):
    address_line1 = forms.CharField(
        label="Adresse",
        max_length=120,
        error_messages={"required": "Indiquez votre adresse (numéro et voie)."},
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line2 = forms.CharField(
        label="Complément d'adresse",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    postcode = forms.RegexField(
        label="Code postal",
        regex=r"^\d{5}$",
        max_length=5,
        error_messages={
            "required": "Indiquez votre code postal.",
            "invalid": "Le code postal compte 5 chiffres, par exemple 75002.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    city = forms.CharField(
        label="Ville",
        max_length=80,
        error_messages={"required": "Indiquez votre ville."},
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    phone = forms.RegexField(
        label="Téléphone",
        required=False,
        max_length=20,
        regex=r"^\+?[\d .-]{10,19}$",
        help_text="Par exemple 06 12 34 56 78 ou +33 6 12 34 56 78.",
        error_messages={
            "invalid": "Saisissez un numéro de téléphone valide : 10 chiffres, par exemple 06 12 34 56 78."
        },
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class EmailForm(PortalForm):
    email = forms.EmailField(
        label="Nouvelle adresse e-mail",
        max_length=254,
        help_text="Nous y enverrons un lien : l'adresse ne sera utilisée qu'une fois ce lien ouvert.",
        error_messages={
            "required": "Indiquez votre nouvelle adresse e-mail.",
            "invalid": "Saisissez une adresse e-mail valide, par exemple prenom.nom@exemple.fr.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class BankForm(PortalForm):
    iban = forms.CharField(
        label="Nouvel IBAN",
        max_length=42,
        help_text="Tel qu'il figure sur votre RIB, par exemple FR76 3000 6000 0112 3456 7890 189.",
        error_messages={"required": "Indiquez le nouvel IBAN."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    bic = forms.RegexField(
        label="BIC",
        required=False,
        max_length=14,
        regex=r"^\s*[A-Za-z]{6}[A-Za-z0-9]{2}([A-Za-z0-9]{3})?\s*$",
        error_messages={"invalid": "Le BIC compte 8 ou 11 caractères, par exemple AGRIFRPP ou AGRIFRPP882."},
    )
    rib = PrivateFileField(label="Relevé d'identité bancaire (RIB) à votre nom")

    def clean_iban(self) -> str:
        value = normalize_iban(self.cleaned_data["iban"])
        try:
            validate_iban(value)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return value


class NotificationPreferencesForm(PortalForm):
    def __init__(self, *args, choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind, label, enabled in choices:
            self.fields[kind] = forms.BooleanField(label=label, required=False, initial=enabled)

    def enabled(self) -> set[str]:
        return {kind for kind, value in self.cleaned_data.items() if value}


class ClosureForm(PortalForm):
    confirm = forms.BooleanField(
        label="Je demande la clôture de mon compte Espace Assuré",
        error_messages={"required": "Cochez la case pour confirmer votre demande de clôture."},
    )
    reason = forms.CharField(
        label="Précisions (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": "Vos précisions ne peuvent pas dépasser 2000 caractères (%(show_value)d actuellement)."
        },
    )


class ProofForm(PortalForm):
    file = PrivateFileField(label="Attestation de paiement de vos allocations chômage du mois")
