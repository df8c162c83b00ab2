"""What members does when a thread is created or a member replies
(messaging.services calls ``thread_created`` and ``member_replied`` of every
``<app>/messaging_hooks.py``, through core.registry). A hook returns the text of an
automatic answer, or None."""

from members.portability import portability_request_from_reply, portability_request_from_thread


def thread_created(*, thread) -> str | None:
    return portability_request_from_thread(thread=thread)


def member_replied(*, thread, message) -> str | None:
    return portability_request_from_reply(thread=thread, message=message)
