"""Checks an uploaded file by its content, never by its name or declared type."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.text import get_valid_filename

from core.text import ascii_only


class UploadRejected(ValidationError):
    """The file is refused; ``message`` is shown to the user, in French.

    A ValidationError, so that a refusal raised by a service (the storage quota, a file that
    bypassed the form field) lands on the form like any other refusal, never as a 500."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="upload_rejected")


def megabytes(size: int) -> str:
    """``10485760`` -> ``"10 Mo"``, ``4928307`` -> ``"4,7 Mo"``, ``1500`` -> ``"1,5 Ko"``
    (binary units, as the limits)."""
    value, unit = (size / (1024 * 1024), "Mo") if size >= 1024 * 1024 else (size / 1024, "Ko")
    return f"{value:.1f}".replace(".", ",").removesuffix(",0") + f" {unit}"


def too_large_message(name: str, limit: int) -> str:
    return (
        f"Le fichier « {name} » dépasse la taille maximale autorisée de {megabytes(limit)} : "
        "réduisez-le (numérisation en noir et blanc ou en résolution plus basse, PDF compressé) "
        "puis joignez-le à nouveau."
    )


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    label: str


PDF = FileKind("application/pdf", "pdf", "PDF")
JPEG = FileKind("image/jpeg", "jpg", "JPEG")
PNG = FileKind("image/png", "png", "PNG")
ACCEPTED_LABEL = "PDF, JPEG ou PNG"


def sniff(head: bytes) -> FileKind | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _check_readable(kind: FileKind, content: bytes) -> None:
    """A header alone is easy to fake: the whole file must parse as what it claims."""
    try:
        if kind is PDF:
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(content), strict=False)
            if len(reader.pages) == 0:
                raise ValueError("no page")
        else:
            from PIL import Image

            with Image.open(io.BytesIO(content)) as image:
                image.verify()
    except Exception:
        raise UploadRejected(
            f"Le fichier semble être un {kind.label} mais il est illisible ou endommagé. "
            "Enregistrez-le à nouveau puis réessayez."
        ) from None


def safe_display_name(name: str, kind: FileKind) -> str:
    """A name safe to show and to put in Content-Disposition, with the real extension."""
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = ascii_only(stem)
    stem = get_valid_filename(re.sub(r"\s+", " ", stem).strip()) if stem.strip() else ""
    stem = stem[:80] or "document"
    return f"{stem}.{kind.extension}"


def validate_upload(name: str, content: bytes) -> FileKind:
    """Return the detected kind, or raise UploadRejected with a French message."""
    if not content:
        raise UploadRejected(f"Le fichier « {name} » est vide.")
    limit = settings.PRIVATE_UPLOAD_MAX_BYTES
    if len(content) > limit:
        raise UploadRejected(too_large_message(name, limit))
    kind = sniff(content[:16])
    if kind is None:
        raise UploadRejected(
            f"Le fichier « {name} » n'est pas d'un format accepté ({ACCEPTED_LABEL}), quelle que soit son extension."
        )
    _check_readable(kind, content)
    if settings.PRIVATE_UPLOAD_SCANNER:
        import_string(settings.PRIVATE_UPLOAD_SCANNER)(content)
    return kind
