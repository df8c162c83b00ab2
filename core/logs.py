"""Log lines that an operator can follow across machines, and that never carry member data.

Every record gets ``request_id`` and ``user_id`` (web requests) or ``task_id`` and
``task_name`` (Celery tasks) from context variables set by the middleware and the task
signals below; ``JsonFormatter`` writes one JSON object per line (production),
``TextFormatter`` a readable line with the same ids (local default).

What a line holds is the message its code wrote (ids, counts, error classes) and, for an
exception, its traceback: never a request body, a query string value or a form field.
Code that logs must follow that rule (tests/core/test_logs.py drives the pages that
handle health data, NIR, IBAN and search texts, and reads every line).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid

from django.conf import settings
from django.core.signals import request_finished

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_user_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)
_task: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar("task", default=("", ""))

# What a proxy of ours may send (nginx's $request_id is 32 hex digits); anything else is
# replaced, so a client cannot write what it likes into the logs.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
REQUEST_ID_HEADER = "X-Request-ID"
# PostgreSQL details the value behind a constraint error ('DETAIL:  Key (nir)=(1820575...)
# already exists.'): kept out of log lines and error reports.
_DETAIL = re.compile(r"^DETAIL:.*$", re.M)


def without_detail(text: str) -> str:
    return _DETAIL.sub("DETAIL: (removed)", text)


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """First in the chain: the request's id, taken from the proxy in front (only when
    PORTAL_TRUSTED_PROXY_COUNT says there is one) or made here, for every log line of the
    request and in the response's ``X-Request-ID`` (a member quoting it to support)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "") if settings.PORTAL_TRUSTED_PROXY_COUNT else ""
        request_id = given if _SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Kept until the response is closed (request_finished, below): Django logs a 4xx or
        # a 5xx after the middleware chain has returned.
        _request_id.set(request_id)
        _user_id.set(None)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _request_finished(**kwargs) -> None:
    _request_id.set("")
    _user_id.set(None)


request_finished.connect(_request_finished, dispatch_uid="core.logs.request_finished")


class LogUserMiddleware:
    """After authentication: the user's id (never a login, a name or an address)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            _user_id.set(user.pk)
        return self.get_response(request)


class ContextFilter(logging.Filter):
    """Adds the ids of the current request or task to every record (handler filter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        record.user_id = _user_id.get()
        record.task_id, record.task_name = _task.get()
        return True


def _ids(record: logging.LogRecord) -> dict:
    ids = {
        "request_id": getattr(record, "request_id", ""),
        "user_id": getattr(record, "user_id", None),
        "task_id": getattr(record, "task_id", ""),
        "task_name": getattr(record, "task_name", ""),
    }
    return {key: value for key, value in ids.items() if value not in ("", None)}


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Only named fields: extras a library attaches (Django puts
    the whole request on its ``django.request`` records) are never dumped."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": without_detail(record.getMessage()),
            **_ids(record),
        }
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            line["status"] = status
        if record.exc_info:
            line["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else ""
            line["exc"] = without_detail(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The local default: readable, with the same ids as the JSON lines."""

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(f"{key}={value}" for key, value in _ids(record).items())
        text = f"{record.levelname} {record.name}: {record.getMessage()}" + (f" [{ids}]" if ids else "")
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return without_detail(text)


def _task_started(task_id=None, task=None, **kwargs) -> None:
    _task.set((task_id or "", getattr(task, "name", "") or ""))


def _task_finished(**kwargs) -> None:
    _task.set(("", ""))


def connect_celery_signals() -> None:
    """Called by portal/celery.py: task logs carry the task's id and name."""
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_task_started, weak=False)
    task_postrun.connect(_task_finished, weak=False)
