"""The base class of the member-side forms: their widgets render with Jinja2, like the
pages that show them (``Renderer``). The admin's forms and allauth's keep Django's default
renderer."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import BaseRenderer, Jinja2
from django.template import engines

# Django's widget templates that the portal writes in one template each, with the same
# markup (templates/jinja2/forms/widgets/): Django's select includes a template per option,
# and each kind of <input> includes input.html, which includes attrs.html.
_INPUTS = (
    "checkbox",
    "color",
    "date",
    "datetime",
    "email",
    "file",
    "hidden",
    "input",
    "number",
    "password",
    "search",
    "tel",
    "text",
    "time",
    "url",
)
OWN_TEMPLATES = {
    "django/forms/widgets/select.html": "forms/widgets/select.html",
    **{f"django/forms/widgets/{kind}.html": "forms/widgets/input.html" for kind in _INPUTS},
}


class Renderer(Jinja2):
    """``django.forms.renderers.Jinja2`` with the portal's select and input templates
    (``OWN_TEMPLATES``): the widgets of a search form were most of its page's time."""

    def get_template(self, template_name):
        own = OWN_TEMPLATES.get(template_name)
        if own is not None:
            return engines["jinja2"].get_template(own)
        return super().get_template(template_name)


# One instance for every form: its engine compiles each widget template once per process
# (a renderer per form would compile them at every page).
renderer = Renderer()


class PortalForm(forms.Form):
    # A subclass may go back to Django's default (None), as the admin's forms do.
    default_renderer: BaseRenderer | None = renderer


def form_error_from(form, error: ValidationError, *, fields: dict[str, str] | None = None) -> None:
    """Show a service's refusal on ``form``, which keeps everything typed. A message about
    a model field goes under the form's field of that name (or of the name ``fields``
    maps it to); one the form has no field for goes on top (``add_error`` would raise)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    fields = fields or {}
    for name, field_errors in error.error_dict.items():
        target = fields.get(name, name)
        form.add_error(target if target in form.fields else None, field_errors)
