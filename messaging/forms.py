"""Forms of the messaging pages. Field names are the public GET parameters of the
compose page (``?categorie=&objet=&beneficiaire=&texte=``) that other features link to."""

from __future__ import annotations

from django import forms

from documents.forms import MultiplePrivateFileField
from messaging.models import Category, Topic
from messaging.selectors import active_topics, compose_beneficiaries, search_choices
from portal.forms import PortalForm

MAX_TEXT = 5000
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


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
        self.fields["beneficiaire"].queryset = compose_beneficiaries(member)
        self.fields["objet"].queryset = active_topics()

    def clean(self):
        cleaned = super().clean()
        category, topic = cleaned.get("categorie"), cleaned.get("objet")
        if category and topic and topic.category_id != category.pk:
            self.add_error(
                "objet", f"Cet objet ne correspond pas à la catégorie « {category.label} ». Choisissez un objet de cette catégorie."
            )
        return cleaned

    @classmethod
    def initial_from_query(cls, query, *, member) -> dict:
        """Pre-fill from links of other features; unknown or foreign values are ignored."""
        initial: dict = {}
        topic = active_topics().filter(code=query.get("objet", "")).first() if query.get("objet") else None
        category = (
            Category.objects.filter(active=True, code=query.get("categorie", "")).first() if query.get("categorie") else None
        )
        if topic and (category is None or topic.category_id == category.pk):
            initial["objet"], initial["categorie"] = topic, topic.category
        elif category:
            initial["categorie"] = category
        beneficiary_id = query.get("beneficiaire", "")
        if beneficiary_id.isdigit():
            beneficiary = compose_beneficiaries(member).filter(pk=int(beneficiary_id)).first()
            if beneficiary:
                initial["beneficiaire"] = beneficiary
        if query.get("texte"):
            initial["texte"] = query["texte"][:MAX_TEXT]
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
        label="Catégorie", required=False, error_messages={"invalid_choice": "Cette catégorie n'existe pas."},
    )
    objet = forms.ChoiceField(
        label="Objet", required=False, error_messages={"invalid_choice": "Cet objet n'existe pas."},
    )
    du = forms.DateField(
        label="Du", required=False, input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )
    au = forms.DateField(
        label="Au", required=False, input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("du") and cleaned.get("au") and cleaned["du"] > cleaned["au"]:
            self.add_error("au", "La date de fin précède la date de début.")
        return cleaned

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        categories, topics = search_choices()
        self.fields["categorie"].choices = [("", "Toutes"), *categories]
        self.fields["objet"].choices = [("", "Tous"), *topics]

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
