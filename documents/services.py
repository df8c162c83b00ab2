from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum

from documents.models import PrivateFile, private_storage
from documents.uploads import RefusedUpload
from documents.validation import UploadRejected, megabytes, safe_display_name, too_large_message, validate_upload

logger = logging.getLogger(__name__)

# The names of the private files written in each private_files_atomic block now open in
# this thread (or task), innermost last.
_written: ContextVar[tuple[list[str], ...]] = ContextVar("private_files_written", default=())


@contextmanager
def private_files_atomic() -> Iterator[None]:
    """``transaction.atomic()`` that also deletes the private files written inside it
    (by ``private_file_store``) when it rolls back.

    Django runs code on commit, never on rollback: a file written before a refusal would
    stay on disk with no row. Every service that stores private files opens its
    transaction with this instead of ``@transaction.atomic``, so that a refusal anywhere
    after the file was written (an IBAN found invalid, a full quota, a failed insert)
    removes it. A nested block hands its files to the enclosing one, whose rollback
    removes them too. Usable as ``@private_files_atomic()`` (a fresh block per call)."""
    written: list[str] = []
    token = _written.set((*_written.get(), written))
    try:
        with transaction.atomic():
            yield
    except BaseException:
        _delete_files(written)
        raise
    finally:
        _written.reset(token)
    enclosing = _written.get()
    if enclosing:
        enclosing[-1].extend(written)


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            private_storage.delete(name)
        except OSError:
            # The refusal the member sees matters more; the file is only an orphan now.
            logger.exception("Could not delete the private file %s of a rolled-back transaction", name)


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


def storage_used(member) -> int:
    """Bytes of the files the household deposited itself (what its quota counts)."""
    if member.user_id is None:
        return 0
    return (
        PrivateFile.objects.filter(member=member, uploaded_by_id=member.user_id).aggregate(total=Sum("size"))["total"]
        or 0
    )


def _quota_check(*, member, name: str, size: int, uploaded_by) -> None:
    """A household stores at most PRIVATE_STORAGE_QUOTA_BYTES of its own uploads. Files
    the gestionnaires attach are theirs to manage: neither counted nor refused."""
    if uploaded_by is None or member.user_id is None or uploaded_by.pk != member.user_id:
        return
    quota = settings.PRIVATE_STORAGE_QUOTA_BYTES
    used = storage_used(member)
    if used + size <= quota:
        return
    contract = member.contract
    phone = contract.management_phone or contract.organisme.phone
    raise UploadRejected(
        f"Votre espace de documents est plein : les documents que vous avez déposés occupent {megabytes(used)} "
        f"sur les {megabytes(quota)} autorisés. Il reste {megabytes(max(quota - used, 0))} "
        f"et « {name} » fait {megabytes(size)} : il n'a pas été enregistré. Pour faire de la place "
        f"ou pour toute question, appelez votre centre de gestion au {phone}."
    )


@private_files_atomic()
def private_file_store(*, member, uploaded: UploadedFile, purpose: str, uploaded_by) -> PrivateFile:
    """Validate ``uploaded`` by its content, check the household's quota and store it
    privately for ``member``. Call it inside ``private_files_atomic``: the file is removed
    if the caller's transaction rolls back."""
    name = uploaded.name or "document"
    content = read_upload(uploaded)
    kind = validate_upload(name, content)
    _quota_check(member=member, name=name, size=len(content), uploaded_by=uploaded_by)
    stored = PrivateFile(
        member=member,
        purpose=purpose,
        original_name=safe_display_name(name, kind),
        content_type=kind.content_type,
        extension=kind.extension,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=uploaded_by,
    )
    stored.full_clean(exclude=["file"])
    stored.file.save("upload", ContentFile(content), save=False)
    if stored.file.name:  # set by save() above
        _written.get()[-1].append(stored.file.name)
    stored.save()
    return stored
