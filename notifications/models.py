"""The outbox: every e-mail the portal sends.

A notification is written in the same transaction as the business data that causes it
(a reply, a décompte, a login code...), with a unique key, so it is never lost when the
broker is down and never sent twice. Celery only carries its id;
``services.notification_deliver`` sends it at most once and records the outcome on the row.

Two families. A member notification (``NotificationKind``) goes to the member's address on
file at sending time and follows their preferences. A security or transactional e-mail
(``SecurityKind``: codes, links, "your account changed") goes to an explicit address (the
old one, a new unverified one, a gestionnaire's), whatever the preferences, with or
without a member; it is rendered when enqueued and its text is blanked once it is sent
or given up, because codes and links are secrets.
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
    RIGHTS = "droits", "Évolution de mes droits (équipement de nouveau pris en charge, forfait presque utilisé)"


# Kinds a member must turn on (Profil): without a preference row, no e-mail. The others
# are on until turned off.
OPT_IN_KINDS = frozenset({NotificationKind.RIGHTS.value})


class SecurityKind(models.TextChoices):
    """Security and transactional e-mails, one kind per message; never subject to opt-out."""

    ACTIVATION_LINK = "account-activation", "Lien de première connexion"
    ALREADY_ACTIVE = "account-already-active", "Compte déjà activé"
    ACTIVATION_TERMINATED = "account-activation-terminated", "Adhésion terminée (première connexion)"
    LOGIN_CODE = "account-login-code", "Code de connexion"
    ENROL_CODE = "account-enrol-code", "Code d'activation de la double authentification"
    REAUTH_CODE = "account-reauth-code", "Code de confirmation d'identité"
    BANK_CODE = "account-bank-code", "Code de confirmation d'IBAN"
    PASSWORD_RESET = "account-password-reset", "Réinitialisation du mot de passe"
    PASSWORD_RESET_UNKNOWN = "account-password-reset-unknown", "Réinitialisation demandée pour une adresse inconnue"
    FACTOR_ADDED = "security-factor-added", "Facteur d'authentification ajouté"
    FACTOR_REMOVED = "security-factor-removed", "Facteur d'authentification supprimé"
    PASSWORD_CHANGED = "security-password-changed", "Mot de passe modifié"
    TRUSTED_BROWSER = "security-trusted-browser", "Navigateur de confiance ajouté"
    PROFILE_UPDATED = "profile-updated", "Coordonnées modifiées"
    EMAIL_IN_USE = "profile-email-in-use", "Adresse e-mail déjà utilisée"
    EMAIL_VERIFY = "profile-email-verify", "Vérification d'une nouvelle adresse e-mail"
    EMAIL_CHANGED = "profile-email-changed", "Adresse e-mail modifiée"
    BANK_REQUESTED = "profile-bank-requested", "Demande de changement d'IBAN"
    BANK_CHANGED = "profile-bank-changed", "Décision sur le changement d'IBAN"
    ALLAUTH = "allauth", "Autre e-mail de compte (django-allauth)"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    SENT = "sent", "Envoyée"
    FAILED = "failed", "Échec définitif"
    SKIPPED = "skipped", "Non envoyée"


class Notification(models.Model):
    key = models.CharField(
        "clé", max_length=120, unique=True, help_text="Unique par événement, p. ex. « message-reply:42 »."
    )
    # None for a security e-mail to someone without a member file (a gestionnaire).
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="assuré",
        null=True,
        blank=True,
    )
    kind = models.CharField("type", max_length=40, choices=NotificationKind.choices + SecurityKind.choices)
    template = models.CharField("modèle d'e-mail", max_length=80)
    # Only what the e-mail shows: never a diagnosis, an act or a practitioner.
    context = models.JSONField("contexte", default=dict, blank=True, encoder=DjangoJSONEncoder)
    # Security e-mails: the explicit address and the message rendered when enqueued
    # (blanked once sent or given up: it may hold a code or a link).
    to = models.EmailField("destinataire", blank=True)
    subject = models.CharField("objet", max_length=255, blank=True)
    body_text = models.TextField("texte", blank=True)
    body_html = models.TextField("texte HTML", blank=True)
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
        constraints = [
            models.CheckConstraint(condition=Q(member__isnull=False) | ~Q(to=""), name="notification_has_recipient"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_security(self) -> bool:
        return self.kind in SecurityKind.values


class NotificationPreference(models.Model):
    """A member's choice for one kind of e-mail. No row means the default: e-mails on,
    except for the opt-in kinds (``OPT_IN_KINDS``)."""

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
