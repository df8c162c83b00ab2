"""Private files: devis, justificatifs, attachments, RIB. Stored outside any public URL,
under a random name, and served only through documents.views.download."""

from __future__ import annotations

import uuid
from typing import cast

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models
from django.utils import timezone
from django.utils.functional import LazyObject


class PrivateStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


# A lazy proxy of a Storage (settings are read on first use); typed as what it stands for.
private_storage = cast(Storage, PrivateStorage())


def private_path(instance: PrivateFile, filename: str) -> str:
    return f"{instance.created_at:%Y/%m}/{instance.id.hex}.{instance.extension}"


class PrivateFile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="files", verbose_name="assuré")
    purpose = models.CharField("nature", max_length=40)
    original_name = models.CharField("nom du fichier", max_length=120)
    content_type = models.CharField("type", max_length=40)
    extension = models.CharField(max_length=5)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField(max_length=64)
    file = models.FileField(storage=private_storage, upload_to=private_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="déposé par"
    )
    created_at = models.DateTimeField("déposé le", default=timezone.now)

    class Meta:
        verbose_name = "fichier privé"
        verbose_name_plural = "fichiers privés"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("documents:download", args=[self.pk])


class GeneratedKind(models.TextChoices):
    """Documents the portal produces for a member (as opposed to files they upload)."""

    TIERS_PAYANT_CARD = "carte_tiers_payant", "Carte de tiers payant"
    AFFILIATION_CERTIFICATE = "attestation_affiliation", "Attestation d'affiliation"


def rendered_path(instance: RenderedDocument, filename: str) -> str:
    return f"rendered/{instance.created_at:%Y/%m}/{instance.id.hex}.pdf"


class RenderedDocument(models.Model):
    """A PDF rendered for a member, cached by a key of everything printed on it (and the
    template version): the same content is never rendered twice, and any change of content
    gives another key, hence a fresh render.

    ``checked_version`` and ``checked_for`` record the last time the key was computed and
    found equal: against which ``members.HouseholdVersion`` and for which day and layout. While
    both still hold, the document is served without computing its content again
    (``pdf_cache.rendered_document_probe``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="rendered_documents", verbose_name="assuré"
    )
    kind = models.CharField("document", max_length=30, choices=GeneratedKind.choices)
    content_key = models.CharField("clé de contenu", max_length=64)
    file = models.FileField(storage=private_storage, upload_to=rendered_path, max_length=200)
    size = models.PositiveIntegerField("taille (octets)")
    created_at = models.DateTimeField("généré le", default=timezone.now)
    checked_version = models.PositiveBigIntegerField("vérifié pour la version du foyer", null=True, blank=True)
    checked_for = models.CharField("vérifié pour (jour et mise en page)", max_length=64, blank=True)

    class Meta:
        verbose_name = "document généré"
        verbose_name_plural = "documents générés (cache)"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "content_key"], name="rendered_document_unique_content"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.created_at:%d/%m/%Y}"


class DocumentDownload(models.Model):
    """One download of a generated document: who, when, which document."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="document_downloads", verbose_name="assuré"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="téléchargé par"
    )
    kind = models.CharField("document", max_length=30, choices=GeneratedKind.choices)
    document = models.ForeignKey(
        RenderedDocument, on_delete=models.SET_NULL, null=True, related_name="downloads", verbose_name="fichier"
    )
    content_key = models.CharField("clé de contenu", max_length=64)
    at = models.DateTimeField("le", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "téléchargement"
        verbose_name_plural = "journal des téléchargements"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} le {self.at:%d/%m/%Y %H:%M}"
