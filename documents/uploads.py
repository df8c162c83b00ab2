"""Upload limits enforced while a request body streams in, before anything holds it.

Two barriers stand before any view:

- ``RequestBodyLimitMiddleware``: a body declared larger than the view's whole allowance
  (``PRIVATE_UPLOAD_MAX_REQUEST_BYTES``: five files and the form fields) is answered 413
  with a French page, without reading it. No form of the site can legitimately send that
  much; in production nginx's ``client_max_body_size`` refuses such bodies even earlier.
- ``LimitedUploadHandler``, first of ``FILE_UPLOAD_HANDLERS``: each file is passed on to
  Django's own handlers (memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``, then a temporary
  file) only until it exceeds ``PRIVATE_UPLOAD_MAX_BYTES``. The rest of it is read from the
  socket and dropped, and the form receives a ``RefusedUpload`` in its place, which the
  field turns into its French message. Parsing goes on after the refused file, so every
  other field of the form, even one sent after the file, comes back as the member typed it.

Views that take larger files (the gestionnaires' CSV imports) declare it with
``@upload_limits``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render

from documents.validation import megabytes, too_large_message

# Room for the form fields and the multipart headers around the files of one request.
FORM_MARGIN_BYTES = 1024 * 1024

_View = TypeVar("_View", bound=Callable[..., Any])


@dataclass(frozen=True)
class UploadLimits:
    file_bytes: int  # one file
    request_bytes: int  # the whole body


def upload_limits(*, file_bytes: int, request_bytes: int | None = None) -> Callable[[_View], _View]:
    """Declare a view's limits, when they are not the private files' ones."""
    limits = UploadLimits(file_bytes=file_bytes, request_bytes=request_bytes or file_bytes + FORM_MARGIN_BYTES)

    def decorate(view):
        # An attribute, not a wrapper: Django's view decorators copy it (functools.wraps),
        # and the middleware and the handler read it on the resolved view.
        view.portal_upload_limits = limits
        return view

    return decorate


def limits_of(view) -> UploadLimits:
    declared = getattr(view, "portal_upload_limits", None)
    if isinstance(declared, UploadLimits):
        return declared
    return UploadLimits(
        file_bytes=settings.PRIVATE_UPLOAD_MAX_BYTES, request_bytes=settings.PRIVATE_UPLOAD_MAX_REQUEST_BYTES
    )


def _declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class RequestBodyLimitMiddleware:
    """Answers 413 to a body larger than the view allows, before CSRF reads it.

    Django never reads past the declared ``Content-Length``, so that declared length is
    what a request can make the worker read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limits = limits_of(view_func)
        if _declared_length(request) <= limits.request_bytes:
            return None
        context = {
            "request_limit": megabytes(limits.request_bytes),
            "file_limit": megabytes(limits.file_bytes),
        }
        return render(request, "413.html", context, status=413)


class RefusedUpload(UploadedFile):
    """Stands in the form's files for a file refused while it streamed in: nothing of it
    was kept. ``size`` is the size the member sent, ``limit`` the one it exceeded."""

    def __init__(self, *, name: str, content_type: str | None, size: int, limit: int) -> None:
        super().__init__(file=io.BytesIO(b""), name=name, content_type=content_type, size=size)
        self.limit = limit

    @property
    def message(self) -> str:
        return too_large_message(self.name or "", self.limit)


class LimitedUploadHandler(FileUploadHandler):
    """Lets each file through to the next handlers up to the view's per-file limit."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        match = getattr(request, "resolver_match", None)
        self.limit = limits_of(match.func if match is not None else None).file_bytes
        self.received = 0
        self.refused = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.refused = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.refused or self.received > self.limit:
            # None stops the chunk here: the next handlers keep at most the limit, and
            # the parser goes on reading (and dropping) the rest of this file.
            self.refused = True
            return None
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.refused:
            return None  # the next handler returns the file
        return RefusedUpload(
            name=self.file_name or "", content_type=self.content_type, size=self.received, limit=self.limit
        )
