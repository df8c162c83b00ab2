"""A member's request filed in the gestionnaires' inbox for an app below messaging
(members.profile.account_closure_request finds it through core.registry)."""

from messaging.models import Topic
from messaging.services import thread_create


def member_request_file(*, member, author, topic_code: str, body: str):
    """The new thread, from the member's holder, or None when the objet is not offered."""
    topic = Topic.objects.filter(code=topic_code, active=True, category__active=True).first()
    if topic is None:
        return None
    return thread_create(member=member, author=author, beneficiary=member.holder, topic=topic, body=body)
