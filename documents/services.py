from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from documents.models import PrivateFile
from documents.validation import safe_display_name, validate_upload


def read_upload(uploaded: UploadedFile) -> bytes:
    uploaded.seek(0)
    return uploaded.read()


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
