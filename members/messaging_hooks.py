"""What members does when a thread is created (messaging.services.thread_create calls
``thread_created`` of every ``<app>/messaging_hooks.py``, through core.registry)."""

from members.portability import portability_request_from_thread


def thread_created(*, thread) -> None:
    portability_request_from_thread(thread=thread)
