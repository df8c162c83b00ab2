"""Private files: devis, justificatifs, attachments, RIB. Stored outside any public URL,
under a random name, and served only through documents.views.download."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.functional import LazyObject


class PrivateStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


private_storage = PrivateStorage()


def private_path(instance: PrivateFile, filename: str) -> str:
    return f"{instance.created_at:%Y/%m}/{instance.id.hex}.{instance.extension}"


class PrivateFile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="files", verbose_name="assuré"
    )
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
