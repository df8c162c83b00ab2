from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from core.forms import PortalForm
from guarantees import catalogue
from guarantees.engine import CareLine
from members.models import Beneficiary

UNIT_FIELDS = {
    "day": ["days"],
    "eye": ["eye"],
    "ear": ["ear"],
    "glass": ["sphere", "cylinder", "addition"],
}
EYE_CHOICES = [("", "—"), ("left", "Œil gauche"), ("right", "Œil droit"), ("both", "Les deux yeux")]
EAR_CHOICES = [("", "—"), ("left", "Oreille gauche"), ("right", "Oreille droite"), ("both", "Les deux oreilles")]
OPTAM_CHOICES = [("", "Je ne sais pas / sans objet"), ("oui", "Oui, adhérent OPTAM / OPTAM-CO"), ("non", "Non")]
RENEWAL_CHOICES = [
    ("", "Aucun"),
    ("evolution_vue", "Évolution de la vue justifiée par une prescription"),
    ("pathologie", "Situation médicale particulière (LPP)"),
]


def _money(label: str, required: bool = False, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0"),
        max_digits=9,
        decimal_places=2,
        help_text=help_text,
        localize=True,
        error_messages={
            "invalid": "Saisissez un montant en euros, par exemple 25,50.",
            "min_value": "Le montant ne peut pas être négatif.",
            "max_decimal_places": "Indiquez au plus deux chiffres après la virgule.",
            "required": "Ce montant est obligatoire.",
        },
    )


def _dioptre(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=5,
        decimal_places=2,
        localize=True,
        error_messages={"invalid": "Saisissez une valeur en dioptries, par exemple -2,25."},
    )


class BeneficiaryChoiceField(forms.ModelChoiceField[Beneficiary]):
    """A covered person of the household, shown with their relationship."""

    def label_from_instance(self, obj: Beneficiary) -> str:
        return f"{obj.full_name} ({obj.get_relationship_display()})"


class SimulationForm(PortalForm):
    beneficiary = BeneficiaryChoiceField(
        label="Bénéficiaire des soins",
        queryset=None,
        empty_label="Choisissez",
        error_messages={
            "invalid_choice": "Choisissez une personne couverte de votre foyer.",
            "required": "Choisissez le bénéficiaire des soins.",
        },
    )
    act = forms.ChoiceField(
        label="Acte ou soin",
        error_messages={"invalid_choice": "Choisissez un acte de la liste.", "required": "Choisissez l'acte."},
    )
    care_date = forms.DateField(
        label="Date des soins",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": "Saisissez une date valide (jj/mm/aaaa).",
            "required": "Indiquez la date des soins.",
        },
    )
    frais_reels = _money("Frais réels (montant payé)", required=True)
    base_remboursement = _money(
        "Base de remboursement SS",
        help_text="Indiquée sur le décompte ou la feuille de soins ; 0 si l'acte n'est pas remboursé.",
    )
    ss_paid = _money("Remboursement de la Sécurité sociale")
    quantity = forms.IntegerField(
        label="Quantité (actes, prothèses, verres, séances...)",
        min_value=1,
        max_value=99,
        initial=1,
        error_messages={
            "invalid": "Saisissez un nombre entier.",
            "min_value": "La quantité doit être au moins 1.",
            "max_value": "La quantité ne peut pas dépasser 99.",
        },
    )
    days = forms.IntegerField(
        label="Nombre de jours",
        required=False,
        min_value=1,
        max_value=366,
        error_messages={
            "invalid": "Saisissez un nombre entier de jours.",
            "min_value": "Au moins 1 jour.",
            "max_value": "Au plus 366 jours.",
        },
    )
    optam = forms.ChoiceField(label="Médecin adhérent OPTAM / OPTAM-CO", choices=OPTAM_CHOICES, required=False)
    conventionne = forms.BooleanField(label="Professionnel ou établissement conventionné", required=False, initial=True)
    eye = forms.ChoiceField(label="Œil", choices=EYE_CHOICES, required=False)
    ear = forms.ChoiceField(label="Oreille", choices=EAR_CHOICES, required=False)
    sphere = _dioptre("Sphère (dioptries)")
    cylinder = _dioptre("Cylindre (dioptries)")
    addition = _dioptre("Addition (verres multifocaux)")
    frame_amount = _money("Dont prix de la monture")
    price_limit = _money("Prix limite de vente / honoraire limite (100 % santé)")
    renewal = forms.ChoiceField(label="Renouvellement anticipé", choices=RENEWAL_CHOICES, required=False)

    def __init__(self, *args: Any, beneficiaries: QuerySet[Beneficiary], formula_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(BeneficiaryChoiceField, self.fields["beneficiary"]).queryset = beneficiaries
        acts = catalogue.catalogue_acts(formula_code)
        self.units = {act: unit for act, _label, unit in acts}
        cast(forms.ChoiceField, self.fields["act"]).choices = [("", "Choisissez")] + [
            (act, label) for act, label, _unit in acts
        ]
        self.fields["act"].widget.attrs["data-units"] = "guarantees"
        self.act_units = [(act, unit) for act, _label, unit in acts]

    def clean_care_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["care_date"]
        if day > timezone.localdate():
            raise forms.ValidationError("La date des soins ne peut pas être dans le futur.")
        return day

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        fr, ss = data.get("frais_reels"), data.get("ss_paid") or Decimal("0")
        if fr is not None and ss > fr:
            self.add_error("ss_paid", "Le remboursement de la Sécurité sociale ne peut pas dépasser les frais réels.")
        br = data.get("base_remboursement")
        if br is not None and ss > br and br > 0:
            self.add_error(
                "ss_paid", "Le remboursement de la Sécurité sociale ne peut pas dépasser la base de remboursement."
            )
        frame = data.get("frame_amount")
        if fr is not None and frame is not None and frame > fr:
            self.add_error("frame_amount", "Le prix de la monture ne peut pas dépasser les frais réels.")
        return data

    def care_line(self) -> CareLine:
        data = self.cleaned_data
        zero = Decimal("0")
        return CareLine(
            act=data["act"],
            care_date=data["care_date"],
            frais_reels=data["frais_reels"],
            base_remboursement=data.get("base_remboursement") or zero,
            ss_paid=data.get("ss_paid") or zero,
            quantity=data.get("quantity") or 1,
            days=data.get("days"),
            eye=data.get("eye") or None,
            ear=data.get("ear") or None,
            sphere=data.get("sphere"),
            cylinder=data.get("cylinder"),
            addition=data.get("addition"),
            frame_amount=data.get("frame_amount"),
            price_limit=data.get("price_limit"),
            optam={"oui": True, "non": False}.get(data.get("optam") or ""),
            conventionne=bool(data.get("conventionne")),
            renewal=data.get("renewal") or None,
        )
