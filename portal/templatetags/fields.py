"""``{% field bound_field %}`` and ``{% fields form %}``: form fields with their label, help
text and errors (portal.form_rendering.field_html). A builtin library (settings.TEMPLATES):
templates use these tags without ``{% load %}``."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from portal.form_rendering import field_html

register = template.Library()


@register.simple_tag(name="field")
def field_tag(bound_field) -> SafeString:
    """One field: ``{% field form.email %}``."""
    return mark_safe(field_html(bound_field))


@register.simple_tag(name="fields")
def fields_tag(bound_fields) -> SafeString:
    """Each field of a form, or of a list of bound fields, in turn: ``{% fields form %}``,
    ``{% fields form.visible_fields %}``."""
    return mark_safe("".join(field_html(bound_field) for bound_field in bound_fields))
