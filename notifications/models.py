"""The outbox of member notifications (e-mails).

A notification is written in the same transaction as the business data that causes it
(a reply, a décompte...), with a unique key, so it is never lost when the broker is down
and never sent twice. Celery only carries its id; ``services.notification_deliver``
sends it at most once and records the outcome on the row.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationKind(models.TextChoices):
    """What a member can opt out of, one preference per kind (Profil)."""

    MESSAGE_REPLY = "message_reply", "Nouveau message dans la messagerie"
    DECOMPTE = "decompte", "Nouveau remboursement"
    ALERT = "alerte", "Message d'alerte vous concernant ou concernant un bénéficiaire"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    SENT = "sent", "Envoyée"
    FAILED = "failed", "Échec définitif"
    SKIPPED = "skipped", "Non envoyée"


class Notification(models.Model):
    key = models.CharField(
        "clé", max_length=120, unique=True, help_text="Unique par événement, p. ex. « message-reply:42 »."
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="notifications", verbose_name="assuré"
    )
    kind = models.CharField("type", max_length=20, choices=NotificationKind.choices)
    template = models.CharField("modèle d'e-mail", max_length=80)
    # Only what the e-mail shows: never a diagnosis, an act or a practitioner.
    context = models.JSONField("contexte", default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(
        "état", max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    # Until then the row is in flight (queued or waiting for a retry) and the relay leaves
    # it alone; null means it was never handed to the broker.
    relay_after = models.DateTimeField("relance après", null=True, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications (boîte d'envoi)"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status="pending"), name="notification_pending_idx"),
        ]

    def __str__(self) -> str:
        return self.key


class NotificationPreference(models.Model):
    """A member's choice for one kind of e-mail. No row means the default: e-mails on."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="notification_preferences", verbose_name="assuré"
    )
    kind = models.CharField("type", max_length=20, choices=NotificationKind.choices)
    email_enabled = models.BooleanField("recevoir un e-mail", default=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "préférence de notification"
        verbose_name_plural = "préférences de notification"
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], name="notification_preference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind}: {'oui' if self.email_enabled else 'non'}"
