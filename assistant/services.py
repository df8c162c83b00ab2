from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from assistant.knowledge import entry
from assistant.models import Feedback
from core.write_limits import write_limit_check


class UnknownAnswer(Exception):
    pass


@transaction.atomic
def feedback_record(*, user, question: str, answer_id: str, helpful: bool) -> Feedback:
    """At most ASSISTANT_FEEDBACK_PER_HOUR per account (``WriteLimitReached``)."""
    answer = entry(answer_id)
    if answer is None:
        raise UnknownAnswer(answer_id)
    write_limit_check(
        owner=user,
        recent=Feedback.objects.filter(user=user),
        limit=settings.ASSISTANT_FEEDBACK_PER_HOUR,
        period=dt.timedelta(hours=1),
        message="Vous avez donné {limit} avis au cours de la dernière heure. Vous pourrez en donner un nouveau {retry}.",
    )
    feedback = Feedback(
        user=user, question=question[:300], answer_id=answer.id, answer_title=answer.title[:200], helpful=helpful
    )
    feedback.full_clean()
    feedback.save()
    return feedback
