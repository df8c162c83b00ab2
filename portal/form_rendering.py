"""Form fields written in Python: the project's form renderer and the markup of one field.

The template engine's cost per node made form fields a large part of page time: a select
of 50 objets was 50 template includes. ``FormRenderer`` (settings.FORM_RENDERER, so the
admin's forms too) writes the common widgets from the context Django builds for them
(attributes, ``aria-*``, selected options) and leaves every other widget to the templates;
``field_html`` writes a whole field (label, widget, help text, errors), which
``{% field %}`` and ``{% fields %}`` (portal.templatetags.fields) put in pages.

The markup is byte for byte what Django's widget templates
(django/forms/templates/django/forms/widgets/) and the field template kept in
tests/portal/test_form_rendering.py write: values are printed as ``{{ value }}`` prints
them (localized, escaped unless safe) and attribute values as
``{{ value|stringformat:'s' }}`` does."""

from __future__ import annotations

from html import escape
from pathlib import Path

import django.forms
from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime

_DJANGO_WIDGETS = Path(django.forms.__file__).resolve().parent / "templates"
_OPTION = "django/forms/widgets/select_option.html"


def _text(value) -> str:
    """What ``{{ value }}`` prints in an autoescaped template
    (django.template.base.render_value_in_context)."""
    if type(value) is str:
        return escape(value)
    value = localize(template_localtime(value))
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


def _formatted(value) -> str:
    """What ``{{ value|stringformat:'s' }}`` prints: the text, escaped unless the value was safe."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)  # noqa: UP031 (the filter's own formatting)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html (and the templates that only include it)."""
    value = f' value="{_formatted(widget["value"])}"' if widget["value"] is not None else ""
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _textarea(widget: dict) -> str:
    """django/forms/widgets/textarea.html."""
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(widget: dict) -> str | None:
    """django/forms/widgets/select.html with its options written as select_option.html
    writes them (the include's trailing newline included), or None when an option has a
    template of its own."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option.get("template_name") != _OPTION:
                return None
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f'{_text(option["label"])}</option>\n'
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


_WRITERS = {
    **{
        f"django/forms/widgets/{kind}.html": _input
        for kind in (
            "input", "text", "email", "password", "number", "date", "time", "datetime", "url", "tel", "search",
            "hidden", "checkbox",
        )
    },
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}


class FormRenderer(TemplatesSetting):
    """``TemplatesSetting`` with the widgets of ``_WRITERS`` written in Python. Returns what
    the template would, stripped as ``BaseRenderer.render`` strips it. A widget template
    that a project or app directory overrides is rendered from that template."""

    def __init__(self) -> None:
        super().__init__()
        self._django_own: dict[str, bool] = {}

    def _is_django_own(self, template_name: str) -> bool:
        """Whether the template the engine finds for ``template_name`` is Django's file
        (looked up once per name)."""
        own = self._django_own.get(template_name)
        if own is None:
            origin = getattr(self.get_template(template_name), "origin", None)
            own = origin is not None and Path(origin.name).resolve() == _DJANGO_WIDGETS / template_name
            self._django_own[template_name] = own
        return own

    def render(self, template_name, context, request=None):
        write = _WRITERS.get(template_name)
        if write is not None and self._is_django_own(template_name):
            html = write(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)


def field_html(field) -> str:
    """One form field (``BoundField``) with its label, help text and errors, linked for
    screen readers: the widget carries ``aria-describedby`` (help text, errors) and
    ``aria-invalid`` (Django's ``BoundField.build_widget_attrs``), the ids below match."""
    errors = field.errors
    if getattr(field.field.widget, "input_type", None) == "checkbox":
        body = f'\n    <label class="field__check">{field} {_text(field.label)}</label>\n  '
    else:
        required = ' <span class="required" aria-hidden="true">*</span>' if field.field.required else ""
        body = f'\n    <label for="{_text(field.id_for_label)}">{_text(field.label)}{required}</label>\n    {field}\n  '
    auto_id = _text(field.auto_id)
    help_text = f'<p class="field__help" id="{auto_id}_helptext">{_text(field.help_text)}</p>' if field.help_text else ""
    error_lines = "".join(f'<p class="field__error" id="{auto_id}_error">{_text(error)}</p>' for error in errors)
    return (f'\n<div class="field{" field--error" if errors else ""}">\n  {body}\n  {help_text}\n  {error_lines}\n'
            "</div>\n")
