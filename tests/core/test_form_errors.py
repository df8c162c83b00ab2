"""One way to show a service's ValidationError on a form (core.forms.form_error_from)."""

import re
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError

from core.forms import form_error_from

ROOT = Path(__file__).resolve().parents[2]


class _Form(forms.Form):
    texte = forms.CharField()
    email = forms.EmailField()


def _bound() -> _Form:
    form = _Form({"texte": "Bonjour", "email": "a@example.org"})
    assert form.is_valid()
    return form


def test_a_message_about_a_field_goes_under_that_field_mapped_or_not():
    form = _bound()
    form_error_from(form, ValidationError({"body": "Trop long.", "email": "Déjà utilisée."}), fields={"body": "texte"})
    assert form.errors == {"texte": ["Trop long."], "email": ["Déjà utilisée."]}
    assert form.cleaned_data == {}  # a field with an error leaves cleaned_data


def test_a_field_the_form_does_not_have_and_a_plain_refusal_go_on_top():
    form = _bound()
    form_error_from(form, ValidationError({"topic": "Objet fermé."}))
    form_error_from(form, ValidationError("Réessayez plus tard."))
    assert form.non_field_errors() == ["Objet fermé.", "Réessayez plus tard."]


def test_no_app_keeps_its_own_copy_of_the_helper():
    copies = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/**/*.py")
        if path.relative_to(ROOT).parts[0] not in {".venv", "tests"}
        and re.search(r"^def _\w*form_error\w*\(", path.read_text(), re.M)
    ]
    assert copies == []
