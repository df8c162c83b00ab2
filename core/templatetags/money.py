"""``euros`` for the Django templates left (e-mails, PDFs): core.money.euros."""

from django import template

from core.money import euros

register = template.Library()
register.filter("euros", euros)
