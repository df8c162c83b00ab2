"""The base class of the member-side forms: their widgets render with Jinja2
(``django.forms.renderers.Jinja2``), like the pages that show them. The admin's forms and
allauth's keep Django's default renderer."""

from __future__ import annotations

from django import forms
from django.forms.renderers import Jinja2

# One instance for every form: its engine compiles each widget template once per process
# (a renderer per form would compile them at every page).
renderer = Jinja2()


class PortalForm(forms.Form):
    default_renderer = renderer
