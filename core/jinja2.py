"""The Jinja2 environment of the portal's pages (settings.TEMPLATES, templates/jinja2/).

Values print as ``{{ value }}`` prints them in a Django template: numbers and dates
localized (French), aware datetimes in Paris time; everything is escaped unless it is
safe markup (autoescape). A variable a template names but the
view does not pass is an error (``StrictUndefined``): a misspelt name fails the page's
tests instead of printing nothing.

Globals: ``url()`` and ``optional_url()`` (reverse), ``url_builder()`` (the URL of a list's
rows, reversed once for the list), ``static()``. The backend adds
``request``, ``csrf_input`` and ``csrf_token``; the context processors of
settings.TEMPLATES add ``user``, ``messages``, ``current_member``, ``site_urls``, the
member menu and the unread count. Filters: Django's formatting for French readers
(``date``, ``time``, ``pluralize``, ``capfirst``, ``linebreaksbr``, ``filesizeformat``,
``json_script``), ``euros`` and ``distance``. Tag: ``{% cache "name", part, ... %}``
(``FragmentCache``), the markup of a fragment kept in Django's cache."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import string
from collections.abc import Callable

import jinja2
from django.conf import settings
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import NoReverseMatch
from django.utils import formats
from django.utils.html import json_script
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser

from core.caching import cached
from core.formatting import distance
from core.money import euros
from core.navigation import url, url_builder


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
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize() returns for it, without looking up three formats
    return formats.localize(template_localtime(value))


# Django's date format characters that strftime writes alike (zero-padded numbers).
_NUMERIC = {"d": "%d", "m": "%m", "Y": "%Y", "H": "%H", "i": "%M"}


@functools.cache
def _strftime_pattern(format: str) -> tuple[str, bool] | None:
    """The strftime pattern of a Django date format made of numeric fields and literal
    text ("d/m/Y à H:i") and whether it has a time field, or None for any other format
    (month names, escapes...)."""
    parts = []
    for char in format:
        if char in _NUMERIC:
            parts.append(_NUMERIC[char])
        elif char in string.ascii_letters or char == "\\":
            return None
        else:
            parts.append(char.replace("%", "%%"))
    return "".join(parts), bool(set(format) & set("Hi"))


def date(value, format: str | None = None) -> str:
    """``{{ day|date("j F Y") }}``: Django's ``date`` filter (French month names), after
    converting an aware datetime to local time as Django's templates do. The numeric
    formats of lists (``"d/m/Y"``, ``"d/m/Y H:i"``) are written by strftime: Django's
    formatter costs 20 µs a value, and a page lists 20 rows."""
    # (strftime writes years before 1000 without Django's leading zeros)
    if isinstance(value, dt.date) and value.year >= 1000 and format and (numeric := _strftime_pattern(format)):
        pattern, has_time = numeric
        if isinstance(value, dt.datetime):
            return template_localtime(value).strftime(pattern)
        if not has_time:
            return value.strftime(pattern)
    return defaultfilters.date(template_localtime(value), format)


def time(value, format: str | None = None) -> str:
    """``{{ moment|time("H:i") }}``, in local time."""
    return defaultfilters.time(template_localtime(value), format)


FRAGMENT_CACHE_SECONDS = 3600


class FragmentCache(Extension):
    """``{% cache "name", part, ... %}markup{% endcache %}``: Django's ``{% cache %}`` for
    the portal's Jinja2 pages (the extension of Jinja's own documentation). The rendered
    markup is kept in Django's cache under the name, the parts and a digest of the
    template's source, so a release that changes the template reads none of the former
    entries. The parts must name everything the markup shows (a version stamp kept by
    the database, say); a part that is None renders without the cache (what cannot be
    named, such as a filtered list, is never cached). Nothing of the request (CSRF token,
    CSP nonce) may be inside the fragment."""

    tags = {"cache"}

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        parts = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            parts.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        loader = self.environment.loader
        source = loader.get_source(self.environment, parser.name)[0] if loader and parser.name else ""
        digest = hashlib.sha256(source.encode()).hexdigest()[:12]
        call = self.call_method("_cached", [nodes.Const(digest), nodes.List(parts)])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _cached(self, digest: str, parts: list[object], caller: Callable[[], str]) -> str:
        if any(part is None for part in parts):
            return caller()
        key = ":".join(["jinja2-fragment", digest, *map(str, parts)])
        # Markup (autoescape), and kept so through the cache's pickling.
        return cached(key, caller, FRAGMENT_CACHE_SECONDS)


def _concat(pieces) -> str:
    """The page from its pieces, each kept as a plain string: an escaped value is a Markup
    string, an object the garbage collector tracks, and ``"".join`` would hold the page's
    hundreds of them until the end, making a collection run every other request on the
    longer pages (measured: half as many collections on the reimbursements list)."""
    return "".join([str(piece) for piece in pieces])


def environment(**options) -> jinja2.Environment:
    # Escaping on and undefined variables as errors, whatever OPTIONS say (the backend's
    # default prints nothing, or in DEBUG the variable's name, for an undefined variable).
    options.pop("autoescape", None)
    options["undefined"] = jinja2.StrictUndefined
    options["extensions"] = [*options.get("extensions", ()), FragmentCache]
    env = jinja2.Environment(autoescape=True, finalize=printed, **options)
    # Jinja2 calls env.concat to join a template's output; its stubs type it as a method.
    env.concat = _concat  # type: ignore[method-assign]
    env.globals.update(url=url, url_builder=url_builder, optional_url=optional_url, static=static)
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
