"""What a member sees of a form: labels, the required mark, help texts and errors linked to
their field for screen readers, typed text kept and escaped. Member forms render with the
portal's Jinja2 renderer (core.forms), the admin's with Django's default one."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, Jinja2, get_default_renderer
from django.urls import reverse

from accounts import forms as accounts_forms
from assistant import forms as assistant_forms
from claims import forms as claims_forms
from core.forms import OWN_TEMPLATES, PortalForm, Renderer
from directory import forms as directory_forms
from guarantees import forms as guarantees_forms
from members import forms_profile
from messaging import forms as messaging_forms

pytestmark = pytest.mark.django_db

# Forms of the back office, rendered in the admin like the admin's own.
ADMIN_FORMS = {"directory.forms.ImportForm", "messaging.forms.NoteForm", "messaging.forms.GestionnaireReplyForm"}
# Forms of allauth's own pages, which render with Django templates like the admin.
ALLAUTH_FORMS = {"accounts.forms.PasswordResetForm"}


def test_a_field_shows_its_label_its_required_mark_and_its_help_linked_to_it(client):
    html = client.get(reverse("accounts:activation_request")).content.decode()
    assert (
        '<label for="id_number">Numéro d&#39;adhérent <span class="required" aria-hidden="true">*</span></label>'
        in html
    )
    number = re.search(r'<input type="text" name="number"[^>]*>', html).group(0)
    assert 'aria-describedby="id_number_helptext"' in number and 'id="id_number"' in number
    assert (
        '<p class="field__help" id="id_number_helptext">Il figure sur votre carte de tiers payant et sur vos '
        "courriers.</p>"
    ) in html


def test_an_error_is_shown_under_its_field_and_linked_to_it(alice_client):
    html = alice_client.post(reverse("messaging:compose"), {"texte": ""}).content.decode()
    assert '<div class="alert alert--error" role="alert">' in html  # the form's summary at the top
    assert (
        '<p class="field__error" id="id_beneficiaire_error">Choisissez le bénéficiaire concerné par votre demande.</p>'
    ) in html
    textarea = re.search(r"<textarea [^>]*>", html).group(0)
    assert 'aria-invalid="true"' in textarea and 'aria-describedby="id_texte_error"' in textarea
    assert '<p class="field__error" id="id_texte_error">Écrivez votre message.</p>' in html


def test_a_checkbox_sits_inside_its_label(alice_client):
    html = alice_client.post(reverse("members:profile_closure"), {"reason": ""}).content.decode()
    label = re.search(
        r'<label class="field__check">(<input [^>]*>) Je demande la clôture de mon compte Espace '
        r"Assuré</label>",
        html,
    )
    assert label is not None
    assert 'type="checkbox"' in label.group(1) and 'aria-describedby="id_confirm_error"' in label.group(1)
    assert '<p class="field__error" id="id_confirm_error">Cochez la case pour confirmer' in html


def test_typed_text_comes_back_escaped_and_a_choice_stays_selected(alice_client):
    hostile = "</textarea><script>alert(1)</script>"
    html = alice_client.post(
        reverse("messaging:compose"), {"texte": hostile, "categorie": "remboursements"}
    ).content.decode()
    assert "<script>alert(1)" not in html
    assert ">\n&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html
    categories = re.search(r'<select name="categorie".*?</select>', html, re.S).group(0)
    assert re.search(r'<option value="remboursements" selected>', categories)


def test_the_login_page_writes_its_fields_like_the_portal_pages(client):
    html = client.post(reverse("account_login"), {"login": "", "password": ""}).content.decode()
    assert '<label for="id_login">' in html and '<span class="required" aria-hidden="true">*</span>' in html
    login = re.search(r'<input type="text" name="login"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in login and 'aria-describedby="id_login_error"' in login
    assert '<p class="field__error" id="id_login_error">' in html


def _member_forms():
    for module in (
        accounts_forms,
        assistant_forms,
        claims_forms,
        directory_forms,
        guarantees_forms,
        forms_profile,
        messaging_forms,
    ):
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                yield f"{form.__module__}.{form.__name__}", form


def test_member_forms_render_with_the_portals_renderer_and_the_admin_with_djangos():
    names = dict(_member_forms())
    assert "messaging.forms.ComposeForm" in names and set(names) >= ADMIN_FORMS
    assert [
        name
        for name, form in names.items()
        if name not in ADMIN_FORMS | ALLAUTH_FORMS and not issubclass(form, PortalForm)
    ] == []
    assert isinstance(PortalForm().renderer, Renderer)
    assert isinstance(get_default_renderer(), DjangoTemplates)
    assert isinstance(messaging_forms.GestionnaireReplyForm().renderer, DjangoTemplates)
    lines = claims_forms.QuoteLineFormSet(prefix="lignes", form_kwargs={"acts": []})
    assert isinstance(lines.renderer, Renderer) and isinstance(lines.forms[0].renderer, Renderer)


NASTY = """<b>"Tom" & 'Jerry'</b>"""


class EveryWidget(forms.Form):
    """A field for each widget the portal writes in its own templates (core.forms.OWN_TEMPLATES)."""

    text = forms.CharField(
        max_length=20, widget=forms.TextInput(attrs={"placeholder": NASTY, "autofocus": True, "data-off": False})
    )
    email = forms.EmailField(required=False)
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    number = forms.IntegerField(required=False, min_value=1, initial=3)
    money = forms.DecimalField(required=False, decimal_places=2, initial=Decimal("1234.5"))
    day = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), initial=dt.date(2025, 1, 2)
    )
    moment = forms.DateTimeField(required=False, widget=forms.DateTimeInput)
    hour = forms.TimeField(required=False, widget=forms.TimeInput)
    site = forms.URLField(required=False, assume_scheme="https")
    phone = forms.CharField(required=False, widget=forms.TelInput)
    query = forms.CharField(required=False, widget=forms.SearchInput)
    colour = forms.CharField(required=False, widget=forms.ColorInput)
    hidden = forms.FloatField(required=False, widget=forms.HiddenInput, initial=1.5)
    upload = forms.FileField(required=False, widget=forms.FileInput)
    accept = forms.BooleanField(required=False, initial=True)
    kind = forms.ChoiceField(
        choices=[("", "Aucun"), (NASTY, [(1, "<i>un</i>"), ("a&b", "Deux")]), ("x", "X")], initial=1
    )
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", NASTY)], initial=["b"], required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "text": NASTY * 3,
            "email": "x",
            "number": "0",
            "kind": "z",
            "many": ["c"],
            "day": "2025-13-45",
            "accept": "on",
            "hidden": NASTY,
        },
    ],
    ids=["unbound", "invalid"],
)
def test_the_portals_widget_templates_write_djangos_markup(data):
    mine, djangos = EveryWidget(data, renderer=Renderer()), EveryWidget(data, renderer=Jinja2())
    assert set(OWN_TEMPLATES) >= {field.field.widget.template_name for field in mine}
    for name in mine.fields:
        assert str(mine[name]) == str(djangos[name]), name
    assert "&lt;i&gt;un&lt;/i&gt;" in str(mine["kind"]) and "<b>" not in str(mine["text"])
