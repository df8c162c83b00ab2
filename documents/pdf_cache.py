"""The content-keyed cache of generated PDFs and the download log.

A caller describes a document by a key of everything printed on it; the PDF is rendered
only when no document with that key exists for the member, and stored in the private
storage. The previous versions of the same document are removed once a new one is stored,
so the cache holds one file per member and kind.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from documents.models import DocumentDownload, RenderedDocument

logger = logging.getLogger(__name__)


def content_key(content: object) -> str:
    """A stable digest of JSON-serialisable ``content`` (dates become ISO strings)."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _usable(document: RenderedDocument) -> bool:
    return bool(document.file.name) and document.file.storage.exists(document.file.name)


def rendered_document_get_or_render(
    *, member, kind: str, key: str, render: Callable[[], bytes]
) -> tuple[RenderedDocument, bool]:
    """The member's document of ``kind`` for ``key``, rendered by ``render()`` only when
    it is not cached. Returns ``(document, rendered)``."""
    cached = RenderedDocument.objects.filter(member=member, kind=kind, content_key=key).first()
    if cached is not None:
        if _usable(cached):
            return cached, False
        # The row survived its file (storage restored from an older backup...): render again.
        logger.warning("Cached %s %s lost its file; rendering again", kind, cached.pk)
        cached.delete()

    pdf = render()
    document = RenderedDocument(member=member, kind=kind, content_key=key, size=len(pdf))
    document.file.save("document.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # Two first downloads at once: the other request stored the same content first.
        document.file.delete(save=False)
        return RenderedDocument.objects.get(member=member, kind=kind, content_key=key), True

    stale = list(RenderedDocument.objects.filter(member=member, kind=kind).exclude(pk=document.pk))
    for old in stale:
        old.delete()
        # The file goes only once the deletion is committed, never under a rolled-back row.
        transaction.on_commit(lambda name=old.file.name, storage=old.file.storage: storage.delete(name))
    return document, True


def rendered_document_read(document: RenderedDocument) -> bytes:
    with document.file.open("rb") as stored:
        return stored.read()


def document_download_record(*, member, user, document: RenderedDocument) -> DocumentDownload:
    """Log one download: the member's own history, and the gestionnaires' audit."""
    return DocumentDownload.objects.create(
        member=member,
        user=user if getattr(user, "is_authenticated", False) else None,
        kind=document.kind,
        document=document,
        content_key=document.content_key,
    )


def document_downloads_of(member, *, limit: int = 20) -> list[DocumentDownload]:
    return list(DocumentDownload.objects.filter(member=member).select_related("user")[:limit])
