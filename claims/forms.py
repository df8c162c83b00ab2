from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from claims.models import QuoteKind
from claims.services import PRIOR_AGREEMENT_THRESHOLD, QuoteLineInput
from core import forms as core_forms
from core.forms import PortalForm
from documents.forms import MultiplePrivateFileField
from guarantees.forms import EAR_CHOICES, EYE_CHOICES, BeneficiaryChoiceField, _dioptre, _money
from members.models import Beneficiary


class DecompteFilterForm(PortalForm):
    beneficiaire = forms.TypedChoiceField(label="Bénéficiaire", required=False, coerce=int, empty_value=None)
    du = forms.DateField(label="Payés à partir du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label="Payés jusqu'au", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    categorie = forms.ChoiceField(label="Catégorie de soins", required=False)

    def __init__(self, *args: Any, people: list[tuple[int, str]], categories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["beneficiaire"]).choices = [("", "Tous"), *people]
        cast(forms.ChoiceField, self.fields["categorie"]).choices = [("", "Toutes")] + [
            (c, c.capitalize()) for c in categories
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("du") and cleaned.get("au") and cleaned["du"] > cleaned["au"]:
            self.add_error("au", "La date de fin précède la date de début.")
        return cleaned


CCAM = re.compile(r"^[A-Z]{4}[0-9]{3}$")
FDI_TEETH = {f"{quadrant}{tooth}" for quadrant in "1234" for tooth in "12345678"} | {
    f"{quadrant}{tooth}" for quadrant in "5678" for tooth in "12345"
}


class QuoteRequestForm(PortalForm):
    beneficiaire = BeneficiaryChoiceField(
        label="Bénéficiaire des soins",
        queryset=None,
        empty_label="Choisissez",
        error_messages={
            "required": "Choisissez le bénéficiaire des soins.",
            "invalid_choice": "Choisissez une personne couverte de votre foyer.",
        },
    )
    pieces = MultiplePrivateFileField(label="Devis et pièces complémentaires", required=True, max_files=5)

    def __init__(self, *args: Any, beneficiaries: QuerySet[Beneficiary], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(BeneficiaryChoiceField, self.fields["beneficiaire"]).queryset = beneficiaries


class QuoteLineForm(PortalForm):
    acte = forms.ChoiceField(label="Acte", required=False)
    montant = _money("Montant du devis")
    base_remboursement = _money("Base de remboursement SS", help_text="Indiquée sur le devis ; 0 si non remboursable.")
    montant_ss = _money("Remboursement SS indiqué", help_text="Laissez vide : le portail l'estime à 60 % de la base.")
    quantite = forms.IntegerField(
        label="Quantité",
        min_value=1,
        max_value=32,
        initial=1,
        required=False,
        error_messages={"invalid": "Saisissez un nombre entier.", "min_value": "Au moins 1."},
    )
    code_ccam = forms.CharField(label="Code CCAM", required=False, max_length=7)
    dent = forms.CharField(label="N° de dent", required=False, max_length=2)
    oeil = forms.ChoiceField(label="Œil", choices=EYE_CHOICES, required=False)
    sphere = _dioptre("Sphère")
    cylindre = _dioptre("Cylindre")
    addition = _dioptre("Addition")
    oreille = forms.ChoiceField(label="Oreille", choices=EAR_CHOICES, required=False)

    def __init__(self, *args: Any, acts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["acte"]).choices = [("", "Choisissez"), *acts]

    def clean_code_ccam(self) -> str:
        code: str = self.cleaned_data["code_ccam"].strip().upper()
        if code and not CCAM.match(code):
            raise forms.ValidationError("Un code CCAM comporte 4 lettres et 3 chiffres, par exemple HBLD036.")
        return code

    def clean_dent(self) -> str:
        tooth: str = self.cleaned_data["dent"].strip()
        if tooth and tooth not in FDI_TEETH:
            raise forms.ValidationError("Numéro de dent inconnu : utilisez la numérotation internationale (11 à 48).")
        return tooth

    def is_blank(self) -> bool:
        """A line left empty (the form offers three): nothing typed that describes care."""
        data = getattr(self, "cleaned_data", {})
        typed = (
            "acte",
            "montant",
            "base_remboursement",
            "montant_ss",
            "code_ccam",
            "dent",
            "sphere",
            "cylindre",
            "addition",
            "oeil",
            "oreille",
        )
        return not any(data.get(name) not in (None, "") for name in typed) and not any(
            name in self.errors for name in typed
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.is_blank():
            return data
        if not data.get("acte"):
            self.add_error("acte", "Choisissez l'acte de cette ligne.")
        if data.get("montant") is None and "montant" not in self.errors:
            self.add_error("montant", "Indiquez le montant de cette ligne du devis.")
        if data.get("base_remboursement") is None and "base_remboursement" not in self.errors:
            data["base_remboursement"] = Decimal("0.00")
        ss, fr = data.get("montant_ss"), data.get("montant")
        if ss is not None and fr is not None and ss > fr:
            self.add_error("montant_ss", "Le remboursement SS ne peut pas dépasser le montant du devis.")
        return data

    def to_input(self) -> QuoteLineInput:
        data = self.cleaned_data
        details = {}
        if data.get("oeil"):
            details["eye"] = data["oeil"]
        if data.get("oreille"):
            details["ear"] = data["oreille"]
        for name, target in (("sphere", "sphere"), ("cylindre", "cylinder"), ("addition", "addition")):
            if data.get(name) is not None:
                details[target] = data[name]
        return QuoteLineInput(
            act=data["acte"],
            frais_reels=data["montant"],
            base_remboursement=data["base_remboursement"],
            ss_expected=data.get("montant_ss"),
            quantity=data.get("quantite") or 1,
            ccam_code=data.get("code_ccam", ""),
            tooth=data.get("dent", ""),
            details=details,
        )


class BaseQuoteLineFormSet(forms.BaseFormSet[QuoteLineForm]):
    def clean(self) -> None:
        if any(self.errors):
            return
        if all(form.is_blank() for form in self.forms):
            raise forms.ValidationError("Saisissez au moins une ligne du devis.")

    def filled_inputs(self) -> list[QuoteLineInput]:
        return [form.to_input() for form in self.forms if not form.is_blank()]


# Typed as the base it is built on: the views call its filled_inputs().
QuoteLineFormSet = cast(
    type[BaseQuoteLineFormSet],
    forms.formset_factory(
        QuoteLineForm,
        formset=BaseQuoteLineFormSet,
        extra=3,
        max_num=10,
        validate_max=True,
        renderer=core_forms.renderer,
    ),
)


def needs_prior_agreement(kind: str, total: Decimal) -> bool:
    """Notice 004 line 575: dental prostheses over 4,500 € need a devis soin par soin."""
    return kind == QuoteKind.DENTAL and total > PRIOR_AGREEMENT_THRESHOLD


class QuoteDocumentsForm(PortalForm):
    pieces = MultiplePrivateFileField(label="Pièces demandées", required=True, max_files=5)


class SpendingFilterForm(PortalForm):
    """ "Mes dépenses de santé": a person of the household and a care category. Posted and
    kept in the session: a category (audioprothèse, optique...) says something of a
    member's health, which a URL would leave in logs and the browser's history."""

    beneficiaire = forms.TypedChoiceField(label="Personne", required=False, coerce=int, empty_value=None)
    categorie = forms.ChoiceField(label="Catégorie de soins", required=False)

    def __init__(self, *args: Any, people: list[tuple[int, str]], categories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["beneficiaire"]).choices = [("", "Tout le foyer"), *people]
        cast(forms.ChoiceField, self.fields["categorie"]).choices = [("", "Toutes")] + [
            (c, c.capitalize()) for c in categories
        ]

    def kept(self) -> dict[str, Any]:
        """What the session keeps (the form re-validates it on each page: a person who
        left the household no longer filters)."""
        return {"beneficiaire": self.cleaned_data["beneficiaire"], "categorie": self.cleaned_data["categorie"]}
