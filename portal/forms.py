"""The base class of the member-side forms: their widgets render with Jinja2, like the
pages that show them (``Renderer``). The admin's forms and allauth's keep Django's default
renderer."""

from __future__ import annotations

from django import forms
from django.forms.renderers import Jinja2
from django.template import engines

_SELECT = "django/forms/widgets/select.html"


class Renderer(Jinja2):
    """``django.forms.renderers.Jinja2`` with the portal's select, which writes its options
    in its own loop (templates/jinja2/forms/widgets/select.html, same markup): Django's
    includes a template per option, most of the time of a page with a list of objets."""

    def get_template(self, template_name):
        if template_name == _SELECT:
            return engines["jinja2"].get_template("forms/widgets/select.html")
        return super().get_template(template_name)


# One instance for every form: its engine compiles each widget template once per process
# (a renderer per form would compile them at every page).
renderer = Renderer()


class PortalForm(forms.Form):
    default_renderer = renderer
