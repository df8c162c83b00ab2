"""The content-keyed cache of generated PDFs and the download log.

A caller describes a document by a key of everything printed on it; the PDF is rendered
only when no document with that key exists for the member, and stored in the private
storage. The previous versions of the same document are removed once a new one is stored,
so the cache holds one file per member and kind.

Computing the key means loading the household; a caller may skip it with
``rendered_document_probe``: one query that returns the document already checked for the
same day and layout (``token``) against the household version the database still holds
(``members.HouseholdVersion``, bumped by triggers on every write to the household).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from documents.models import DocumentDownload, RenderedDocument

logger = logging.getLogger(__name__)


def content_key(content: object) -> str:
    """A stable digest of JSON-serialisable ``content`` (dates become ISO strings)."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _usable(document: RenderedDocument) -> bool:
    name = document.file.name
    if not name:
        return False
    return document.file.storage.exists(name)


@dataclass(frozen=True)
class Check:
    """What a document's key was found equal for: the household ``version`` read *before*
    the content was loaded (so the content is at least that recent), and a caller's
    ``token`` (the day, the layout)."""

    version: int
    token: str


@dataclass(frozen=True)
class Probe:
    document: RenderedDocument | None  # checked for the token and the current version
    check: Check | None  # what to record once the key is found equal; None: no version row
    documents: tuple[RenderedDocument, ...] = ()  # all the member's documents of the kind


# A raw query on the hot path of every cached download: compiling the ORM equivalent costs
# more than running it. Rows without a document (LEFT JOIN) come back with no id.
PROBE_SQL = (
    "SELECT d.*, v.version AS household_version_now FROM members_householdversion v "
    "LEFT JOIN documents_rendereddocument d ON d.member_id = v.member_id AND d.kind = %s "
    "WHERE v.member_id = %s"
)


def rendered_document_probe(*, member_id: int, kind: str, token: str) -> Probe:
    """One query: the member's document of ``kind`` if it was checked for ``token`` and the
    household has not changed since (its file still there), else what to check against."""
    rows = list(RenderedDocument.objects.raw(PROBE_SQL, [kind, member_id]))
    if not rows:
        return Probe(document=None, check=None)
    # A column of PROBE_SQL that the model does not declare (raw() sets it on the instance).
    version = rows[0].household_version_now  # type: ignore[attr-defined]
    documents = tuple(row for row in rows if row.pk is not None)
    for document in documents:
        if document.checked_version == version and document.checked_for == token and _usable(document):
            return Probe(document=document, check=None, documents=documents)
    return Probe(document=None, check=Check(version=version, token=token), documents=documents)


def rendered_document_get_or_render(
    *, member, kind: str, key: str, render: Callable[[], bytes], probe: Probe | None = None
) -> tuple[RenderedDocument, bool]:
    """The member's document of ``kind`` for ``key``, rendered by ``render()`` only when
    it is not cached. Returns ``(document, rendered)``.

    With a ``probe`` (``rendered_document_probe``, just before loading the content), its
    documents stand for the member's current ones (no second query) and the document
    records the probe's check: the next probe finds it."""
    if probe is None:
        existing = list(RenderedDocument.objects.filter(member=member, kind=kind))
    else:
        existing = list(probe.documents)
    check = probe.check if probe is not None else None
    cached = next((document for document in existing if document.content_key == key), None)
    if cached is not None:
        if _usable(cached):
            if check is not None and (cached.checked_version, cached.checked_for) != (check.version, check.token):
                cached.checked_version, cached.checked_for = check.version, check.token
                RenderedDocument.objects.filter(pk=cached.pk).update(
                    checked_version=check.version, checked_for=check.token
                )
            return cached, False
        # The row survived its file (storage restored from an older backup...): render again.
        logger.warning("Cached %s %s lost its file; rendering again", kind, cached.pk)
        cached.delete()

    pdf = render()
    document = RenderedDocument(member=member, kind=kind, content_key=key, size=len(pdf))
    if check is not None:
        document.checked_version, document.checked_for = check.version, check.token
    document.file.save("document.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # Two first downloads at once: the other request stored the same content first.
        document.file.delete(save=False)
        return RenderedDocument.objects.get(member=member, kind=kind, content_key=key), True

    # A document another request stored meanwhile is left for the next render to remove.
    stale = [old for old in existing if old.pk != document.pk and old is not cached]
    for old in stale:
        old.delete()
        # The file goes only once the deletion is committed, never under a rolled-back row.
        if old.file.name:
            transaction.on_commit(partial(old.file.storage.delete, old.file.name))
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
