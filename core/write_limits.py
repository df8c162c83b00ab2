"""How often a member may write: replies, devis, assistant feedback, new threads.

Counted in the database, on the rows the member already wrote (as new threads always
were): exact across workers and processes, nothing to keep in a cache, and the refusal can
say when the oldest counted row leaves the window. The member's (or account's) row is locked first, so
two parallel requests of the same member queue instead of both passing the count.

Services call ``write_limit_check`` inside their transaction, before writing or storing
any file; views catch ``WriteLimitReached`` (a ``ValidationError``) and show its French
message on the form, which keeps what the member typed.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils import timezone


class WriteLimitReached(ValidationError):
    """The member wrote ``limit`` rows of one kind within the period; views answer 429."""


def write_limit_check(
    *, owner: Model, recent: QuerySet, limit: int, period: dt.timedelta, message: str, field: str = "created_at"
) -> None:
    """Raise ``WriteLimitReached`` when ``recent`` (the rows of one kind that ``owner``, a
    member or their account, wrote) holds ``limit`` rows written within ``period``.
    ``message`` may use ``{limit}`` and ``{retry}`` ("à partir de 14 h 32", when a new
    write is accepted). Call it inside the service's transaction."""
    # __class__ rather than type(): request.user is a lazy proxy of the account.
    owner.__class__._default_manager.select_for_update().filter(pk=owner.pk).first()
    since = timezone.now() - period
    times = list(recent.filter(**{f"{field}__gte": since}).order_by(f"-{field}").values_list(field, flat=True)[:limit])
    if len(times) < limit:
        return
    # The limit-th newest row leaving the window frees one write.
    raise WriteLimitReached(message.format(limit=limit, retry=retry_phrase(times[-1] + period)))


def retry_phrase(moment: dt.datetime) -> str:
    """ "à partir de 14 h 32" today, "à partir du 03/12/2026 à 14 h 32" another day; rounded
    up to the minute, so that the member is never told a time that is still too early."""
    local = timezone.localtime(moment)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    clock = f"{local:%H} h {local:%M}"
    if local.date() == timezone.localdate():
        return f"à partir de {clock}"
    return f"à partir du {local:%d/%m/%Y} à {clock}"
