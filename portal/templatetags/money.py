"""``euros`` for the Django templates left (e-mails, PDFs): portal.money.euros."""

from django import template

from portal.money import euros

register = template.Library()
register.filter("euros", euros)
