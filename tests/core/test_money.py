"""One money formatter (core.money.euros) for pages, e-mails, PDFs and Python callers."""

from __future__ import annotations

from decimal import Decimal

from django.template import engines

from core.money import euros
from guarantees import engine


def test_amounts_are_written_the_french_way_and_never_break_across_lines():
    assert euros(Decimal("1234.5")) == "1\u202f234,50\u00a0€"
    assert euros(Decimal("1234567.891")) == "1\u202f234\u202f567,89\u00a0€"
    assert euros(Decimal("-1234.5")) == "-1\u202f234,50\u00a0€"
    assert euros(Decimal("0.005")) == "0,01\u00a0€" and euros(Decimal("12.345")) == "12,35\u00a0€"  # half up
    assert euros(Decimal("-0.004")) == "0,00\u00a0€"  # nothing left to pay has no sign
    assert euros(12) == "12,00\u00a0€" and euros("7.5") == "7,50\u00a0€"
    assert euros(None) == "" and euros("") == ""


def test_pages_e_mails_and_python_callers_share_the_formatter():
    amount = Decimal("98765.432")
    assert engines["jinja2"].from_string("{{ amount|euros }}").render({"amount": amount}) == euros(amount)
    assert engines["django"].from_string("{% load money %}{{ amount|euros }}").render({"amount": amount}) == euros(
        amount
    )


def test_the_engines_explanations_keep_plain_spaces():
    # Their wording is pinned by the regression fixtures (tests/guarantees/test_engine_regression.py).
    assert engine.euros(Decimal("1234.5")) == "1 234,50 €"
    assert engine.euros(Decimal("-0.004")) == "0,00 €"
