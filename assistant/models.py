from django.conf import settings
from django.db import models
from django.utils import timezone


class Feedback(models.Model):
    """A member's answer to "Cette réponse vous a-t-elle aidé ?", read by gestionnaires to
    improve the knowledge base."""

    created_at = models.DateTimeField("le", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="compte",
    )
    question = models.CharField("question posée", max_length=300)
    answer_id = models.CharField("réponse (identifiant)", max_length=60)
    answer_title = models.CharField("réponse", max_length=200)
    helpful = models.BooleanField("réponse utile")

    class Meta:
        verbose_name = "avis sur une réponse de l'assistant"
        verbose_name_plural = "avis sur les réponses de l'assistant"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{'Utile' if self.helpful else 'Pas utile'} : {self.answer_title}"
