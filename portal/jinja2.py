"""The Jinja2 environment of the portal's pages (settings.TEMPLATES, templates/jinja2/).

Values print as ``{{ value }}`` prints them in a Django template: numbers and dates
localized (French), aware datetimes in Paris time; everything is escaped unless it is
safe markup (autoescape, set by Django's backend). A variable a template names but the
view does not pass is an error (``StrictUndefined``): a misspelt name fails the page's
tests instead of printing nothing.

Globals: ``url()`` and ``optional_url()`` (reverse), ``static()``. The backend adds
``request``, ``csrf_input`` and ``csrf_token``; the context processors of
settings.TEMPLATES add ``user``, ``messages``, ``current_member``, ``site_urls``, the
member menu and the unread count. Filters: Django's formatting for French readers
(``date``, ``time``, ``pluralize``, ``capfirst``, ``linebreaksbr``, ``filesizeformat``,
``json_script``), ``euros`` and ``distance``."""

from __future__ import annotations

import jinja2
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.html import json_script
from django.utils.timezone import template_localtime

from directory.formatting import distance
from portal.money import euros


def url(name: str, *args, **kwargs) -> str:
    """``{{ url('claims:detail', decompte.pk) }}``."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def optional_url(name: str, *args, **kwargs) -> str:
    """The URL, or "" when that page is not installed (``{% url ... as name %}``): links
    to another app's page appear only once that app is in the URLconf."""
    try:
        return url(name, *args, **kwargs)
    except NoReverseMatch:
        return ""


def printed(value):
    """What ``{{ value }}`` prints in a Django template (the environment's ``finalize``):
    text as it is, numbers with a decimal comma, dates in the French format."""
    if isinstance(value, str):
        return value
    return formats.localize(template_localtime(value))


def date(value, format: str | None = None) -> str:
    """``{{ day|date("j F Y") }}``: Django's ``date`` filter (French month names), after
    converting an aware datetime to local time as Django's templates do."""
    return defaultfilters.date(template_localtime(value), format)


def time(value, format: str | None = None) -> str:
    """``{{ moment|time("H:i") }}``, in local time."""
    return defaultfilters.time(template_localtime(value), format)


def environment(**options) -> jinja2.Environment:
    # Escaping on and undefined variables as errors, whatever OPTIONS say (the backend's
    # default prints nothing, or in DEBUG the variable's name, for an undefined variable).
    options.pop("autoescape", None)
    options["undefined"] = jinja2.StrictUndefined
    env = jinja2.Environment(autoescape=True, finalize=printed, **options)
    env.globals.update(url=url, optional_url=optional_url, static=static)
    env.filters.update(
        date=date,
        time=time,
        pluralize=defaultfilters.pluralize,
        capfirst=defaultfilters.capfirst,
        linebreaksbr=defaultfilters.linebreaksbr,
        filesizeformat=defaultfilters.filesizeformat,
        json_script=json_script,
        euros=euros,
        distance=distance,
    )
    return env
