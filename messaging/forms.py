"""Forms of the messaging pages. Field names of the compose form are also the GET
parameters other features link to (``?categorie=&objet=&beneficiaire=``: codes and an id,
never text; a pre-filled text comes through ``messaging.prefill``)."""

from __future__ import annotations

import re
from typing import cast

from django import forms

from core.forms import PortalForm
from documents.forms import MultiplePrivateFileField
from messaging.models import Category, Topic
from messaging.selectors import active_topics, compose_beneficiaries, search_choices

MAX_TEXT = 5000
ID = re.compile(r"[0-9]{1,18}", re.ASCII)  # a database id ("²".isdigit() is true; int() refuses it)
CODE = re.compile(r"[-a-z0-9_]{1,60}", re.ASCII)  # a category's or objet's code (a slug)
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
# The services validate model fields; these forms name them in French (core.forms.form_error_from).
SERVICE_FIELDS = {"topic": "objet", "beneficiary": "beneficiaire", "body": "texte"}


class BeneficiaryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.first_name} {obj.last_name} ({obj.get_relationship_display().lower()})"


def _text_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Écrivez votre message.",
            "max_length": f"Votre message ne peut pas dépasser {MAX_TEXT} caractères (%(show_value)d actuellement).",
        },
    )


def _attachments_field() -> MultiplePrivateFileField:
    return MultiplePrivateFileField(max_files=5, label="Pièces jointes")


class ComposeForm(PortalForm):
    beneficiaire = BeneficiaryChoiceField(
        label="Bénéficiaire concerné",
        queryset=None,
        empty_label="Choisissez la personne concernée",
        error_messages={
            "required": "Choisissez le bénéficiaire concerné par votre demande.",
            "invalid_choice": "Cette personne ne fait pas partie des bénéficiaires couverts par votre contrat.",
        },
    )
    categorie = forms.ModelChoiceField(
        label="Catégorie",
        queryset=Category.objects.filter(active=True),
        to_field_name="code",
        empty_label="Choisissez une catégorie",
        error_messages={
            "required": "Choisissez la catégorie de votre demande.",
            "invalid_choice": "Cette catégorie n'existe pas ou n'est plus proposée.",
        },
    )
    objet = forms.ModelChoiceField(
        label="Objet",
        queryset=Topic.objects.none(),
        to_field_name="code",
        empty_label="Choisissez l'objet de votre demande",
        error_messages={
            "required": "Choisissez l'objet de votre demande.",
            "invalid_choice": "Cet objet n'existe pas ou n'est plus proposé.",
        },
    )
    texte = _text_field("Votre message")
    pieces_jointes = _attachments_field()

    def __init__(self, *args, member, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["beneficiaire"]).queryset = compose_beneficiaries(member)
        cast(forms.ModelChoiceField, self.fields["objet"]).queryset = active_topics()

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        category, topic = cleaned.get("categorie"), cleaned.get("objet")
        if category and topic and topic.category_id != category.pk:
            self.add_error(
                "objet",
                f"Cet objet ne correspond pas à la catégorie « {category.label} ». Choisissez un objet de cette catégorie.",
            )
        return cleaned

    @classmethod
    def initial_from(cls, values, *, member) -> dict:
        """The unbound form's values, from a link of another feature or a pre-fill
        (``categorie``, ``objet``, ``beneficiaire``, ``texte``); unknown, unreadable or
        foreign values are ignored."""
        initial: dict = {}
        topic_code, category_code = values.get("objet", ""), values.get("categorie", "")
        # Only what can be a code reaches the database (PostgreSQL refuses a NUL: a 500).
        topic = active_topics().filter(code=topic_code).first() if CODE.fullmatch(topic_code) else None
        category = (
            Category.objects.filter(active=True, code=category_code).first() if CODE.fullmatch(category_code) else None
        )
        if topic and (category is None or topic.category_id == category.pk):
            initial["objet"], initial["categorie"] = topic, topic.category
        elif category:
            initial["categorie"] = category
        beneficiary_id = values.get("beneficiaire", "")
        if ID.fullmatch(beneficiary_id):
            beneficiary = compose_beneficiaries(member).filter(pk=int(beneficiary_id)).first()
            if beneficiary:
                initial["beneficiaire"] = beneficiary
        if values.get("texte"):
            initial["texte"] = values["texte"][:MAX_TEXT]
        return initial


class ReplyForm(PortalForm):
    texte = _text_field("Votre réponse")
    pieces_jointes = _attachments_field()


class GestionnaireReplyForm(ReplyForm):
    """The same reply written in the back office: rendered by the admin's renderer
    (Django's default), like every admin form."""

    default_renderer = None


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Note interne (jamais visible par l'assuré)",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Écrivez la note."},
    )


class SearchForm(PortalForm):
    q = forms.CharField(label="Texte", required=False, max_length=200)
    categorie = forms.ChoiceField(
        label="Catégorie",
        required=False,
        error_messages={"invalid_choice": "Cette catégorie n'existe pas."},
    )
    objet = forms.ChoiceField(
        label="Objet",
        required=False,
        error_messages={"invalid_choice": "Cet objet n'existe pas."},
    )
    du = forms.DateField(
        label="Du",
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )
    au = forms.DateField(
        label="Au",
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("du") and cleaned.get("au") and cleaned["du"] > cleaned["au"]:
            self.add_error("au", "La date de fin précède la date de début.")
        return cleaned

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        categories, topics = search_choices()
        cast(forms.ChoiceField, self.fields["categorie"]).choices = [("", "Toutes"), *categories]
        cast(forms.ChoiceField, self.fields["objet"]).choices = [("", "Tous"), *topics]

    def kept(self) -> dict[str, str]:
        """The search as typed, to keep in the session (never in the URL)."""
        return {name: str(self.data.get(name, ""))[:200] for name in self.base_fields if self.data.get(name)}

    def filters(self) -> dict:
        """The search asked for, as ``messaging.selectors.matching_threads`` arguments
        (empty when every field is blank)."""
        data = self.cleaned_data
        filters = {
            "text": data.get("q", "").strip(),
            "category_code": data.get("categorie", ""),
            "topic_code": data.get("objet", ""),
            "date_from": data.get("du"),
            "date_to": data.get("au"),
        }
        return {name: value for name, value in filters.items() if value}
