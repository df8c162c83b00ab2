"""A simulation another feature offers to start (the assistant's "combien pour des
lunettes ?"): the act to pre-select is kept in the member's session under a short key,
and the link to the simulator carries only that key (``?brouillon=assistant``), as for
messaging's pre-filled messages: what care a member asks about stays out of URLs. And the
one-click message about a late payment (the follow-up page and the assistant)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from claims.models import Decompte
from messaging.prefill import compose_prefill_url

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


def late_report_url(request: HttpRequest, decompte: Decompte) -> str | None:
    """A one-click message to the gestionnaires, pre-filled with what they need. The text
    (dates of care) is kept in the session; the link names only the décompte's pre-fill."""
    text = (
        f"Bonjour, je n'ai pas reçu le remboursement des soins du {decompte.first_care_date:%d/%m/%Y} "
        f"(décompte {decompte.external_id}), attendu au plus tard le {decompte.expected_payment_date:%d/%m/%Y}."
    )
    lines = list(decompte.lines.all())
    return compose_prefill_url(
        request,
        f"retard-{decompte.pk}",
        texte=text,
        categorie="remboursements",
        objet="remboursement-non-recu",
        beneficiaire=lines[0].beneficiary_id if lines else None,
    )
