"""A simulation another feature offers to start (the assistant's "combien pour des
lunettes ?"): the act to pre-select is kept in the member's session under a short key,
and the link to the simulator carries only that key (``?brouillon=assistant``), as for
messaging's pre-filled messages: what care a member asks about stays out of URLs."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

SESSION_KEY = "claims_simulation_prefills"
MAX_PREFILLS = 5
_KEY = re.compile(r"[a-z0-9-]{1,40}", re.ASCII)


def simulation_prefill_url(request: HttpRequest, key: str, *, act: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError(f"pre-fill key {key!r}: lowercase letters, digits and dashes")
    prefills = dict(request.session.get(SESSION_KEY, {}))
    prefills.pop(key, None)
    prefills[key] = {"act": act}
    request.session[SESSION_KEY] = dict(list(prefills.items())[-MAX_PREFILLS:])
    return f"{reverse('claims:simulate')}?{urlencode({'brouillon': key})}"


def simulation_prefill_get(request: HttpRequest, key: str) -> dict[str, str]:
    """The initial values kept under ``key`` (empty when unknown or expired)."""
    if not key or not _KEY.fullmatch(key):
        return {}
    found = request.session.get(SESSION_KEY, {}).get(key) or {}
    return {"act": str(found["act"])} if found.get("act") else {}
