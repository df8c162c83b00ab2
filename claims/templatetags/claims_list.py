"""Markup of the reimbursements list (``templates/claims/decompte_list.html``) built in
Python: the décompte cards, the rows of yearly totals and the fields of the filter form.

A page holds 20 cards and up to 20 years, about 400 values, plus two select lists, and the
template engine's cost per value made this markup most of the page's time. The markup is
what the templates produce (tests/claims/test_list_page.py compares both); every text goes
through ``escape``, amounts through the same formatting as ``money.euros``."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django import template
from django.conf import settings
from django.forms.renderers import TemplatesSetting
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeData, SafeString, mark_safe

from portal.templatetags.money import NBSP, THOUSANDS, euros

register = template.Library()

_SENTINEL = "987654321"  # an integer that appears nowhere else in the project's URLs


@functools.cache
def _url_parts(name: str, urlconf: str, script_prefix: str) -> tuple[str, str]:
    """The URL of ``name`` around its one integer argument, reversed once per URLconf and
    script prefix (neither changes while the process runs)."""
    url = reverse(name, args=[int(_SENTINEL)], urlconf=urlconf)
    head, found, tail = url.partition(_SENTINEL)
    if not found or _SENTINEL in tail:
        raise ValueError(f"{name} does not take one integer as-is")
    return head, tail


def url_builder(name: str):
    """A function ``value -> reverse(name, args=[value])`` for a URL taking one ``int``,
    without walking the resolver for every row."""
    head, tail = _url_parts(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    return lambda value: f"{head}{int(value)}{tail}"


_CENT = Decimal("0.01")


def _euros(amount: Decimal) -> str:
    """``money.euros`` (same output, tested) for a Decimal, the grouping done by the format
    specification rather than a loop: a page writes about 180 amounts."""
    if not isinstance(amount, Decimal):
        return euros(amount)
    amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,.2f}".replace(",", THOUSANDS).replace(".", ",") + f"{NBSP}€"


_CARD = (
    '<article class="card decompte">\n'
    '  <h3><a href="{url}">Décompte du {day}</a>\n'
    '    <span class="muted">n° {number}</span></h3>\n'
    "  <p>{origin} - payé à {payee}</p>\n"
    '  <ul class="plain">\n{lines}  </ul>\n'
    '  <p class="decompte__totals">Frais réels {frais_reels} · Sécurité sociale {ss} · '
    "Complémentaire <strong>{complementary}</strong> · Reste à charge {rac}</p>\n"
    "</article>\n"
)
_LINE = "    <li>{day} - {first_name} - {act} : <strong>{paid}</strong> remboursés par votre complémentaire</li>\n"


@register.simple_tag
def decompte_cards(items) -> SafeString:
    """One ``<article>`` per ``claims.selectors.DecompteRow``, with its lines."""
    detail_url = url_builder("claims:detail")
    return mark_safe("".join(
        _CARD.format(
            url=detail_url(row.pk), day=f"{row.payment_date:%d/%m/%Y}", number=escape(row.external_id),
            origin=escape(row.origin_label), payee=escape(row.payee_label),
            lines="".join(
                _LINE.format(day=f"{line.care_date:%d/%m/%Y}", first_name=escape(line.first_name),
                             act=escape(line.act_label), paid=_euros(line.complementary_paid))
                for line in row.lines
            ),
            frais_reels=_euros(row.total_frais_reels), ss=_euros(row.total_ss),
            complementary=_euros(row.total_complementary), rac=_euros(row.total_rac),
        )
        for row in items
    ))


_YEAR = (
    '<tr><th scope="row">{year}</th><td class="num">{frais_reels}</td><td class="num">{ss}</td>'
    '<td class="num">{complementary}</td><td class="num">{rac}</td>\n'
    '  <td><a href="{url}">CSV {year}</a></td></tr>\n'
)


@register.simple_tag
def year_total_rows(totals) -> SafeString:
    """One table row per ``claims.selectors.YearTotals``, with its CSV export link."""
    export_url = url_builder("claims:export")
    return mark_safe("".join(
        _YEAR.format(year=int(row.year), frais_reels=_euros(row.frais_reels), ss=_euros(row.ss),
                     complementary=_euros(row.complementary), rac=_euros(row.reste_a_charge), url=export_url(row.year))
        for row in totals
    ))


# --------------------------------------------------------------------------- filter form


def _esc(value) -> str:
    """What ``{{ value }}`` prints with autoescaping: safe strings as they are."""
    return value if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_esc(name)}" if value is True else f' {_esc(name)}="{_esc(value)}"'
        for name, value in attrs.items() if value is not False
    )


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html."""
    value = f' value="{_esc(widget["value"])}"' if widget["value"] is not None else ""
    return f'<input type="{_esc(widget["type"])}" name="{_esc(widget["name"])}"{value}{_attrs(widget["attrs"])}>\n'


def _select(widget: dict) -> str:
    """templates/django/forms/widgets/select.html (the project's, options inline)."""
    parts = [f'<select name="{_esc(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_esc(group_name)}">')
        parts.extend(
            f'\n  <option value="{_esc(option["value"])}"{_attrs(option["attrs"])}>{_esc(option["label"])}</option>'
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


_WIDGETS = {
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/date.html": lambda widget: _input(widget) + "\n",  # date.html includes input.html
}


@register.simple_tag
def filter_fields(form) -> SafeString:
    """Each field of ``form`` as templates/partials/field.html renders it (label, widget,
    help text, errors, linked for screen readers)."""
    return mark_safe("".join(_field(field) for field in form))


def _field(field) -> str:
    errors = field.errors
    if getattr(field.field.widget, "input_type", None) == "checkbox":
        body = f'<label class="field__check">{field} {_esc(field.label)}</label>'
    else:
        required = ' <span class="required" aria-hidden="true">*</span>' if field.field.required else ""
        body = f'<label for="{_esc(field.id_for_label)}">{_esc(field.label)}{required}</label>\n    {field}'
    help_text = (f'<p class="field__help" id="{_esc(field.auto_id)}_helptext">{_esc(field.help_text)}</p>'
                 if field.help_text else "")
    error_lines = "".join(f'<p class="field__error" id="{_esc(field.auto_id)}_error">{_esc(error)}</p>' for error in errors)
    return (f'<div class="field{" field--error" if errors else ""}">\n    {body}\n  {help_text}\n  {error_lines}\n'
            "</div>\n")


class FilterFormRenderer(TemplatesSetting):
    """The project's form renderer, with the widgets of the list's filter form written in
    Python from the context Django builds for them (attributes, ``aria-*``, selected
    option): four widgets through the template engine cost as much as a query each."""

    def render(self, template_name, context, request=None):
        build = _WIDGETS.get(template_name)
        if build is None:
            return super().render(template_name, context, request)
        return build(context["widget"])
