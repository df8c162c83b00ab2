from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from documents.models import PrivateFile
from documents.uploads import RefusedUpload
from documents.validation import UploadRejected, safe_display_name, too_large_message, validate_upload


def read_upload(uploaded: UploadedFile) -> bytes:
    """The file's content, refused by its size before it is read: at most the limit and
    one byte are ever read into memory."""
    limit = settings.PRIVATE_UPLOAD_MAX_BYTES
    name = uploaded.name or "document"
    if isinstance(uploaded, RefusedUpload):
        raise UploadRejected(too_large_message(name, uploaded.limit))
    if (uploaded.size or 0) > limit:
        raise UploadRejected(too_large_message(name, limit))
    uploaded.seek(0)
    return uploaded.read(limit + 1)


@transaction.atomic
def private_file_store(*, member, uploaded: UploadedFile, purpose: str, uploaded_by) -> PrivateFile:
    """Validate ``uploaded`` by its content and store it privately for ``member``."""
    content = read_upload(uploaded)
    kind = validate_upload(uploaded.name or "document", content)
    stored = PrivateFile(
        member=member,
        purpose=purpose,
        original_name=safe_display_name(uploaded.name or "document", kind),
        content_type=kind.content_type,
        extension=kind.extension,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=uploaded_by,
    )
    stored.file.save("upload", ContentFile(content), save=False)
    stored.full_clean(exclude=["file"])
    stored.save()
    return stored
