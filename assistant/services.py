from __future__ import annotations

from django.db import transaction

from assistant.knowledge import entry
from assistant.models import Feedback


class UnknownAnswer(Exception):
    pass


@transaction.atomic
def feedback_record(*, user, question: str, answer_id: str, helpful: bool) -> Feedback:
    answer = entry(answer_id)
    if answer is None:
        raise UnknownAnswer(answer_id)
    feedback = Feedback(user=user, question=question[:300], answer_id=answer.id, answer_title=answer.title[:200], helpful=helpful)
    feedback.full_clean()
    feedback.save()
    return feedback
