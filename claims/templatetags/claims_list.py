"""Markup of the reimbursements list (``templates/claims/decompte_list.html``) built in
Python: the décompte cards and the rows of yearly totals (the filter form's fields are
written by ``{% fields %}``, portal/form_rendering.py).

A page holds 20 cards and up to 20 years, about 400 values, and the template engine's cost
per value made this markup most of the page's time. The markup is
what the templates produce (tests/claims/test_list_page.py compares both); every text goes
through ``escape``, amounts through the same formatting as ``money.euros``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from portal.navigation import url_builder
from portal.templatetags.money import NBSP, THOUSANDS, euros

register = template.Library()

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
