"""Secure messaging between a member and the gestionnaires.

A thread is one request ("demande") about one covered person, filed under a category and
an objet that gestionnaires maintain in the back-office. Messages are what both sides
read; internal notes are a separate table that no member-facing query ever touches.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Category(models.Model):
    code = models.SlugField(
        "code", max_length=60, unique=True, help_text="Utilisé dans les liens pré-remplis (?categorie=)."
    )
    label = models.CharField("libellé", max_length=120)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    active = models.BooleanField("proposée aux assurés", default=True)

    class Meta:
        verbose_name = "catégorie de message"
        verbose_name_plural = "catégories de message"
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class Topic(models.Model):
    """An "objet" of message within a category, with the justificatifs it expects."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics", verbose_name="catégorie")
    code = models.SlugField(
        "code", max_length=60, unique=True, help_text="Utilisé dans les liens pré-remplis (?objet=)."
    )
    label = models.CharField("libellé", max_length=160)
    justificatifs = models.TextField(
        "justificatifs attendus",
        blank=True,
        help_text="Un justificatif par ligne ; affichés à l'assuré pendant qu'il écrit.",
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    active = models.BooleanField("proposé aux assurés", default=True)

    class Meta:
        verbose_name = "objet de message"
        verbose_name_plural = "objets de message"
        ordering = ["category__position", "position", "label"]

    def __str__(self) -> str:
        return self.label

    @property
    def justificatif_list(self) -> list[str]:
        return [line.strip() for line in self.justificatifs.splitlines() if line.strip()]


class ThreadStatus(models.TextChoices):
    SENT = "envoye", "Envoyé"
    IN_PROGRESS = "en_cours", "En cours"
    ANSWERED = "repondu", "Répondu"
    CLOSED = "clos", "Clos"


class Thread(models.Model):
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="message_threads", verbose_name="assuré"
    )
    beneficiary = models.ForeignKey(
        "members.Beneficiary",
        on_delete=models.PROTECT,
        related_name="message_threads",
        verbose_name="bénéficiaire concerné",
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="threads", verbose_name="catégorie")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="threads", verbose_name="objet")
    status = models.CharField("état", max_length=10, choices=ThreadStatus.choices, default=ThreadStatus.SENT)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_threads",
        verbose_name="attribuée à",
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)
    last_message_at = models.DateTimeField("dernier message le", default=timezone.now)
    # Set while the member waits for an answer: the gestionnaires' service level.
    waiting_since = models.DateTimeField("en attente depuis", null=True, blank=True)
    closed_at = models.DateTimeField("close le", null=True, blank=True)

    class Meta:
        verbose_name = "demande (messagerie)"
        verbose_name_plural = "demandes (messagerie)"
        ordering = ["-last_message_at"]
        indexes = [
            models.Index(fields=["member", "-last_message_at"], name="thread_member_recent_idx"),
            models.Index(fields=["member", "created_at"], name="thread_member_created_idx"),
            models.Index(fields=["status", "waiting_since"], name="thread_status_waiting_idx"),
            # The gestionnaires' queue (admin changelist) lists every thread, latest activity first.
            models.Index(fields=["-last_message_at", "-id"], name="thread_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"Demande n° {self.pk} - {self.topic}"

    @property
    def is_open(self) -> bool:
        return self.status != ThreadStatus.CLOSED

    def clean(self) -> None:
        errors = {}
        if self.beneficiary_id and self.member_id and self.beneficiary.member_id != self.member_id:
            errors["beneficiary"] = "Cette personne n'est pas couverte par votre contrat."
        if self.topic_id and self.category_id and self.topic.category_id != self.category_id:
            errors["topic"] = "Cet objet ne correspond pas à la catégorie choisie."
        if errors:
            raise ValidationError(errors)


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages", verbose_name="demande")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="auteur"
    )
    from_member = models.BooleanField("écrit par l'assuré")
    body = models.TextField("message", max_length=5000)
    attachments = models.ManyToManyField(
        "documents.PrivateFile", blank=True, related_name="messages", verbose_name="pièces jointes"
    )
    created_at = models.DateTimeField("envoyé le", default=timezone.now)
    # For the member's unread marks; only a gestionnaire's message can be unread.
    read_by_member_at = models.DateTimeField("lu par l'assuré le", null=True, blank=True)

    class Meta:
        verbose_name = "message"
        verbose_name_plural = "messages"
        ordering = ["created_at", "pk"]
        indexes = [
            # The few unread gestionnaire messages, for the header's count on every member
            # page and the inbox's unread marks: a small index, not a scan of each thread.
            models.Index(
                fields=["thread"],
                name="message_unread_idx",
                condition=models.Q(from_member=False, read_by_member_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} ({self.created_at:%d/%m/%Y %H:%M})"


class InternalNote(models.Model):
    """What gestionnaires tell each other about a thread. Never shown to the member."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="internal_notes", verbose_name="demande")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="auteur"
    )
    body = models.TextField("note interne", max_length=5000)
    created_at = models.DateTimeField("écrite le", default=timezone.now)

    class Meta:
        verbose_name = "note interne"
        verbose_name_plural = "notes internes"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Note {self.pk}"
