"""Form fields written in Python (portal.form_rendering, ``{% field %}``, ``{% fields %}``)
against their specification: the field template below (what templates/partials/field.html
was) rendered with Django's own widget templates (``TemplatesSetting``). Byte for byte:
the Python markup keeps even the template's whitespace, so pages are unchanged."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting, get_default_renderer
from django.template import engines
from django.test import override_settings
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from accounts.forms import ActivationPasswordForm, ActivationRequestForm, CodeForm, EnrolCodeForm
from assistant.forms import FeedbackForm, QuestionForm
from claims.forms import DecompteFilterForm, QuoteDocumentsForm, QuoteLineForm, QuoteRequestForm
from directory.forms import ImportForm
from directory.forms import SearchForm as DirectorySearchForm
from documents.forms import MultiplePrivateFileField, PrivateFileField
from guarantees.forms import SimulationForm
from members.forms_profile import (
    BankForm,
    ClosureForm,
    ContactForm,
    EmailForm,
    NotificationPreferencesForm,
    ProofForm,
    SecondFactorCodeForm,
)
from messaging.forms import ComposeForm, NoteForm, ReplyForm
from messaging.forms import SearchForm as MessagingSearchForm
from portal.form_rendering import FormRenderer, field_html

pytestmark = pytest.mark.django_db

# The specification: one form field with its label, help text and errors, linked for
# screen readers (templates/partials/field.html before the fields were written in Python).
FIELD_TEMPLATE = """\
{# One form field with its label, help text and errors, linked for screen readers. #}
<div class="field{% if field.errors %} field--error{% endif %}">
  {% if field.field.widget.input_type == "checkbox" %}
    <label class="field__check">{{ field }} {{ field.label }}</label>
  {% else %}
    <label for="{{ field.id_for_label }}">{{ field.label }}{% if field.field.required %} <span class="required" aria-hidden="true">*</span>{% endif %}</label>
    {{ field }}
  {% endif %}
  {% if field.help_text %}<p class="field__help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</p>{% endif %}
  {% for error in field.errors %}<p class="field__error" id="{{ field.auto_id }}_error">{{ error }}</p>{% endfor %}
</div>
"""

NASTY = """<b>"Tom" & 'Jerry'</b>"""


def _spec(form) -> str:
    """Each field of ``form`` as the specification writes it, with Django's widget templates."""
    template = engines["django"].from_string(FIELD_TEMPLATE)
    form.renderer = TemplatesSetting()
    return "".join(template.render({"field": field}) for field in form)


def _python(form) -> str:
    form.renderer = FormRenderer()
    return "".join(field_html(field) for field in form)


def assert_written_as_specified(make_form, data=None, files=None) -> str:
    """Build the form twice (bound forms validate on first access to ``errors``), compare
    each field byte for byte, return the Python markup."""
    expected = _spec(make_form(copy.deepcopy(data), files))
    written = _python(make_form(copy.deepcopy(data), files))
    assert written == expected
    return written


# --------------------------------------------------------------------------- every kind of field


def _groups():
    return [("", "Aucune"), (NASTY, [("a&b", NASTY), ("2", "Deux")]), ("Autres", [(3, Decimal("1.5")), ("x", "X")])]


class EveryKind(forms.Form):
    """One field of each kind the project's forms use, and the cases around them."""

    text = forms.CharField(label=NASTY, help_text=NASTY, max_length=20,
                           widget=forms.TextInput(attrs={"placeholder": NASTY, "autofocus": True, "data-off": False}))
    safe_label = forms.CharField(label=mark_safe("Nom <em>légal</em>"), required=False, help_text=mark_safe("<b>gras</b>"))
    lazy_label = forms.CharField(label=gettext_lazy("Password"), required=False, initial=NASTY)
    email = forms.EmailField(label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label="Mot de passe", strip=False, widget=forms.PasswordInput)
    shown_password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    integer = forms.IntegerField(label="Quantité", min_value=1, max_value=99, initial=1)
    number = forms.FloatField(required=False, min_value=-90, max_value=90)
    money = forms.DecimalField(required=False, max_digits=9, decimal_places=2, localize=True, initial=Decimal("1234.5"))
    decimal = forms.DecimalField(required=False, max_digits=5, decimal_places=2)
    day = forms.DateField(required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), initial=dt.date(2025, 1, 2))
    plain_day = forms.DateField(required=False, initial=dt.date(2025, 3, 4))
    moment = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    hour = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    site = forms.URLField(required=False, assume_scheme="https")
    phone = forms.CharField(required=False, widget=forms.TelInput)
    query = forms.CharField(required=False, widget=forms.SearchInput)
    search = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search"}))
    hidden = forms.FloatField(required=False, widget=forms.HiddenInput, initial=1.5)
    accept = forms.BooleanField(label=NASTY, help_text="Cochez", required=False)
    confirm = forms.BooleanField(label="Je confirme", initial=True)
    message = forms.CharField(label="Message", required=False, initial="</textarea><script>&amp;",
                              widget=forms.Textarea(attrs={"rows": 3}))
    empty_message = forms.CharField(required=False, widget=forms.Textarea)
    kind = forms.ChoiceField(label="Sorte", choices=_groups, required=False)
    radius = forms.TypedChoiceField(choices=[(5, "5 km"), (20, "20 km")], coerce=int, initial=20, required=False)
    several = forms.MultipleChoiceField(choices=[("a", "A"), ("b", NASTY), ("c", "C")], required=False, initial=["a", "c"])
    grouped_several = forms.MultipleChoiceField(choices=_groups, required=False)
    locked = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], disabled=True, initial="b")
    locked_text = forms.CharField(disabled=True, initial="figé", required=False)
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", NASTY)], widget=forms.RadioSelect, required=False)
    boxes = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple, required=False)
    upload = PrivateFileField(label="Fichier", required=False)
    uploads = MultiplePrivateFileField(label="Fichiers", max_files=2)
    described = forms.CharField(required=False, widget=forms.TextInput(attrs={"aria-describedby": "ailleurs"}),
                                help_text="Aide")


def _every_kind(data, files):
    return EveryKind(data, files)


VALID = {
    "text": "Tom & <Jerry>", "email": "tom@example.fr", "password": "secret<>", "shown_password": 'a"b',
    "integer": "3", "number": "-2.5", "money": "25,50", "decimal": "1.25", "day": "02/01/2025",
    "plain_day": "2025-03-04", "moment": "2025-01-02 10:30", "hour": "10:30", "site": "https://example.fr/?a=1&b=2",
    "phone": "06 12 34 56 78", "query": NASTY, "search": "x", "hidden": "3.5", "accept": "on", "confirm": "on",
    "message": "Ligne 1\n</textarea>\n& 'fin'", "kind": "a&b", "radius": "5", "several": ["b", "c"],
    "grouped_several": ["2", "3"], "radio": "b", "boxes": ["a"],
}
INVALID = {
    "text": NASTY * 3, "email": NASTY, "integer": "0", "number": "abc", "money": "-1", "decimal": "1.234",
    "day": "pas une date", "moment": "demain", "hour": "midi", "site": "pas une url", "hidden": NASTY,
    "kind": NASTY, "radius": "7", "several": ["z"], "grouped_several": [NASTY], "radio": "z", "boxes": ["z"],
}


@pytest.mark.parametrize("data", [None, {}, VALID, INVALID], ids=["unbound", "empty", "valid", "invalid"])
def test_every_kind_of_field_is_written_as_specified(data):
    written = assert_written_as_specified(_every_kind, data)
    if data is INVALID:
        assert 'aria-invalid="true" aria-describedby="id_text_helptext id_text_error"' in written
        assert '<p class="field__error" id="id_email_error">' in written
    if data is VALID:
        assert "aria-invalid" not in written and "field--error" not in written
        assert '<option value="b" selected>&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt;</option>' in written
    if data is None:
        assert '<optgroup label="&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt;">' in written
        assert '<option value="3">1,5</option>' in written  # printed as {{ }} prints it: localized
        assert '<option value="20" selected>20 km</option>' in written
        assert 'Nom <em>légal</em>' in written and "<b>gras</b>" in written
        assert '<select name="locked" disabled id="id_locked">' in written
        assert '<input type="text" name="money" value="1234,5" id="id_money">' in written  # localize=True


def test_the_cases_are_written_in_python_not_through_the_templates():
    """The comparisons above would pass if everything fell back to the templates."""
    form = EveryKind(None, renderer=FormRenderer())
    python_written = [name for name in form.fields
                      if name not in ("radio", "boxes", "upload", "uploads")]
    with mock.patch.object(TemplatesSetting, "render", side_effect=AssertionError("rendered by a template")):
        for name in python_written:
            field_html(form[name])
    with pytest.raises(AssertionError, match="rendered by a template"), \
            mock.patch.object(TemplatesSetting, "render", side_effect=AssertionError("rendered by a template")):
        field_html(form["upload"])


# --------------------------------------------------------------------------- the project's forms


def _project_forms(member):
    household = member.beneficiaries.all()
    return {
        "activation_request": lambda d, f: ActivationRequestForm(d),
        "activation_password": lambda d, f: ActivationPasswordForm(d),
        "code": lambda d, f: CodeForm(d),
        "enrol_code": lambda d, f: EnrolCodeForm(d),
        "contact": lambda d, f: ContactForm(d),
        "email": lambda d, f: EmailForm(d),
        "bank": lambda d, f: BankForm(d, f),
        "second_factor": lambda d, f: SecondFactorCodeForm(d),
        "notifications": lambda d, f: NotificationPreferencesForm(
            d, choices=[("a", NASTY, True), ("b", "Courriers", False)]),
        "closure": lambda d, f: ClosureForm(d),
        "proof": lambda d, f: ProofForm(d, f),
        "compose": lambda d, f: ComposeForm(d, f, member=member),
        "reply": lambda d, f: ReplyForm(d, f),
        "note": lambda d, f: NoteForm(d),
        "messaging_search": lambda d, f: MessagingSearchForm(d),
        "decompte_filter": lambda d, f: DecompteFilterForm(d, member=member, categories=["optique", NASTY]),
        "quote_request": lambda d, f: QuoteRequestForm(d, f, beneficiaries=household),
        "quote_line": lambda d, f: QuoteLineForm(d, acts=[("a", NASTY), ("b", "Couronne")]),
        "quote_documents": lambda d, f: QuoteDocumentsForm(d, f),
        "simulation": lambda d, f: SimulationForm(d, beneficiaries=household, formula_code="IDCC1412-BASE"),
        "directory_search": lambda d, f: DirectorySearchForm(d),
        "directory_import": lambda d, f: ImportForm(d, f),
        "question": lambda d, f: QuestionForm(d),
        "feedback": lambda d, f: FeedbackForm(d),
    }


@pytest.mark.parametrize("data", [None, {}, "nasty", "valid"])
def test_the_projects_forms_are_written_as_specified(alice, data):
    forms_ = _project_forms(alice)
    paul = alice.beneficiaries.get(first_name="Paul")
    for name, make_form in forms_.items():
        if data == "nasty":  # every field given a value it refuses or must escape
            data_ = {field: NASTY for field in make_form(None, None).fields}
        elif data == "valid":
            data_ = {
                "compose": {"beneficiaire": paul.pk, "categorie": "je-quitte-mon-entreprise",
                            "objet": "maintien-des-garanties", "texte": "Bonjour & merci"},
                "decompte_filter": {"beneficiaire": str(paul.pk), "du": "2025-01-01", "au": "2025-12-31",
                                    "categorie": "optique"},
                "simulation": {"beneficiary": paul.pk, "act": "x", "care_date": "2025-01-02", "frais_reels": "25,50",
                               "quantity": "2", "conventionne": "on", "eye": "left"},
                "contact": {"address_line1": "1 rue <A>", "postcode": "75002", "city": "Paris", "phone": "0612345678"},
                "directory_search": {"kind": "", "lieu": "Lyon", "rayon": "50", "itelis": "on"},
                "quote_line": {"acte": "b", "montant": "1200,00", "quantite": "1", "dent": "11"},
            }.get(name, {})
        else:
            data_ = data
        written = assert_written_as_specified(make_form, data_)
        assert written.count('<div class="field') == len(make_form(None, None).fields), name


def test_a_field_error_is_linked_to_its_field(alice):
    def make_form(data, files):
        return DecompteFilterForm(data, member=alice, categories=["optique"])

    written = assert_written_as_specified(make_form, {"du": "2025-07-31", "au": "2025-06-01"})
    assert 'aria-invalid="true" aria-describedby="id_au_error"' in written
    assert '<p class="field__error" id="id_au_error">La date de fin précède la date de début.</p>' in written


# --------------------------------------------------------------------------- templates and fallbacks


def _templates_with(extra: dict[str, str]) -> list[dict]:
    """settings.TEMPLATES with ``extra`` templates found before any other."""
    backend = copy.deepcopy(settings.TEMPLATES[0])
    backend["APP_DIRS"] = False
    backend["OPTIONS"]["loaders"] = [("django.template.loaders.locmem.Loader", extra),
                                     "django.template.loaders.filesystem.Loader",
                                     "django.template.loaders.app_directories.Loader"]
    return [backend]


class CustomOptionSelect(forms.Select):
    option_template_name = "tests/custom_option.html"


def test_a_select_with_its_own_option_template_is_rendered_by_the_templates():
    class Sample(forms.Form):
        kind = forms.ChoiceField(choices=[("a", NASTY), ("b", "B")], widget=CustomOptionSelect, initial="b")

    option = '<option data-custom value="{{ widget.value }}">{{ widget.label }}</option>\n'
    with override_settings(TEMPLATES=_templates_with({"tests/custom_option.html": option})):
        written = assert_written_as_specified(lambda d, f: Sample(d), None)
        assert_written_as_specified(lambda d, f: Sample(d), {"kind": "a"})
    assert written.count("<option data-custom") == 2


def test_a_widget_template_overridden_by_the_project_is_rendered_from_the_override():
    class Sample(forms.Form):
        name = forms.CharField()
        message = forms.CharField(widget=forms.Textarea)

    overrides = {"django/forms/widgets/text.html": '<input data-override name="{{ widget.name }}">'}
    with override_settings(TEMPLATES=_templates_with(overrides)):
        written = assert_written_as_specified(lambda d, f: Sample(d), None)
    assert '<input data-override name="name">' in written and "<textarea" in written


def test_the_renderer_is_the_projects_and_the_admins():
    assert isinstance(get_default_renderer(), FormRenderer)


def test_the_tags_need_no_load_and_write_each_field():
    form = EveryKind(INVALID, renderer=FormRenderer())
    spec = _spec(EveryKind(INVALID))
    engine = engines["django"]
    assert engine.from_string("{% fields form %}").render({"form": form}) == spec
    assert engine.from_string("{% fields form.visible_fields %}").render({"form": form}) == "".join(
        field_html(field) for field in form.visible_fields())
    assert engine.from_string("{% field form.text %}").render({"form": form}) == field_html(form["text"])


# --------------------------------------------------------------------------- real pages


def test_the_login_page_shows_its_fields_as_specified(client):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})
    html = response.content.decode()
    form = response.context["form"]
    template = engines["django"].from_string(FIELD_TEMPLATE)
    form.renderer = TemplatesSetting()
    for field in form.visible_fields():
        assert template.render({"field": field}) in html
    assert 'aria-invalid="true"' in html and '<p class="field__error" id="id_login_error">' in html
    assert '<label for="id_password">' in html


def test_the_compose_page_shows_labels_and_errors(alice_client):
    url = reverse("messaging:compose")
    assert '<label for="id_beneficiaire">Bénéficiaire concerné <span class="required" aria-hidden="true">*</span>' \
        in alice_client.get(url).content.decode()
    html = alice_client.post(url, {"texte": ""}).content.decode()
    assert ('<p class="field__error" id="id_beneficiaire_error">Choisissez le bénéficiaire concerné par votre '
            "demande.</p>") in html
    assert 'aria-invalid="true" aria-describedby="id_texte_error"' in html
    assert '<p class="field__error" id="id_texte_error">Écrivez votre message.</p>' in html
