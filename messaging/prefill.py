"""Messages other features offer to write for the member (the assistant's hand-off, a late
payment to report): what to pre-fill is kept in the member's session under a short key,
and the link to the compose page carries only that key (``?brouillon=retard-123``).

A question or a text about care never travels in a URL: URLs end up in proxy and server
logs, the browser's history and the Referer of the next request.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

SESSION_KEY = "messaging_prefills"
MAX_PREFILLS = 20  # a member has a few late payments and one last question: never unbounded
_KEY = re.compile(r"[a-z0-9-]{1,40}", re.ASCII)
FIELDS = ("categorie", "objet", "beneficiaire", "texte")


def compose_prefill_url(
    request, key: str, *, texte: str = "", categorie: str = "", objet: str = "", beneficiaire: int | None = None
) -> str | None:
    """Keep a pre-filled message in the session and return the compose page's URL that
    shows it, or None when the messaging is not installed."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"pre-fill key {key!r}: lowercase letters, digits and dashes")
    try:
        compose = reverse("messaging:compose")
    except NoReverseMatch:
        return None
    prefills = dict(request.session.get(SESSION_KEY, {}))
    prefills.pop(key, None)
    prefills[key] = {
        "texte": texte,
        "categorie": categorie,
        "objet": objet,
        "beneficiaire": "" if beneficiaire is None else str(beneficiaire),
    }
    request.session[SESSION_KEY] = dict(list(prefills.items())[-MAX_PREFILLS:])  # the newest ones
    return f"{compose}?{urlencode({'brouillon': key})}"


def prefill_get(request, key: str) -> dict[str, str]:
    """The pre-fill kept under ``key`` (empty when unknown or expired with the session)."""
    if not key or not _KEY.fullmatch(key):
        return {}
    found = request.session.get(SESSION_KEY, {}).get(key) or {}
    return {name: str(found.get(name, "")) for name in FIELDS if found.get(name)}
