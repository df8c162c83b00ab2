"""Reimbursements: décomptes (payment statements) and their care lines, imported in
batches by gestionnaires; each line is explained by the guarantee engine."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from claims.calendar import add_working_days
from documents.imports import ImportJob
from guarantees import catalogue

PAYMENT_DELAY_WORKING_DAYS = 8


# How the import writes a line's source for the back-office (claims/services/imports.py).
_RULE_SOURCE = re.compile(r"Notice (?P<notice>\w+), ligne (?P<line>\d+)")


class ImportBatch(ImportJob):
    """One décomptes file: queued, run by a worker, accepted or refused as a whole
    (documents.imports.ImportJob has the state, the counters and the stored file)."""

    created_count = models.PositiveIntegerField("décomptes créés", default=0)
    updated_count = models.PositiveIntegerField("décomptes mis à jour", default=0)
    unchanged_count = models.PositiveIntegerField("décomptes inchangés", default=0)
    differences = models.JSONField("écarts avec le moteur de garanties", default=list, blank=True)

    class Meta:
        verbose_name = "import de décomptes"
        verbose_name_plural = "imports de décomptes"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"


class Decompte(models.Model):
    class Origin(models.TextChoices):
        NOEMIE = "noemie", "Télétransmission NOEMIE"
        PAPER = "papier", "Envoi papier"
        THIRD_PARTY = "tiers_payant", "Tiers payant"

    class Payee(models.TextChoices):
        MEMBER = "assure", "Vous"
        PROFESSIONAL = "professionnel", "Le professionnel de santé"

    class Status(models.TextChoices):
        PENDING = "en_attente", "En attente de paiement"
        PAID = "paye", "Payé"

    external_id = models.CharField("numéro de décompte", max_length=40, unique=True)
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="decomptes", verbose_name="assuré"
    )
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="decomptes", verbose_name="import")
    status = models.CharField("statut", max_length=12, choices=Status.choices, default=Status.PAID)
    origin = models.CharField("origine", max_length=14, choices=Origin.choices)
    payee = models.CharField("payé à", max_length=14, choices=Payee.choices)
    payee_name = models.CharField("bénéficiaire du paiement", max_length=120, blank=True)
    payment_date = models.DateField("date de paiement", null=True, blank=True)
    documents_complete_on = models.DateField("pièces complètes le", null=True, blank=True)
    iban_masked = models.CharField("compte crédité", max_length=24, blank=True)
    first_care_date = models.DateField("premier soin")
    total_frais_reels = models.DecimalField("frais réels", max_digits=12, decimal_places=2)
    total_ss = models.DecimalField("remboursement SS", max_digits=12, decimal_places=2)
    total_complementary = models.DecimalField("remboursement complémentaire", max_digits=12, decimal_places=2)
    total_rac = models.DecimalField("reste à charge", max_digits=12, decimal_places=2)
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        verbose_name = "décompte"
        verbose_name_plural = "décomptes"
        ordering = ["-payment_date", "-id"]
        indexes = [
            models.Index(fields=["member", "-payment_date", "-id"], name="decompte_member_recent"),
            models.Index(fields=["member", "status"], name="decompte_member_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="en_attente") | Q(payment_date__isnull=False), name="paid_decompte_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"Décompte {self.external_id}"

    @property
    def expected_payment_date(self) -> dt.date | None:
        """8 working days after every document was received (notices 003/004)."""
        if self.status != self.Status.PENDING or self.documents_complete_on is None:
            return None
        return add_working_days(self.documents_complete_on, PAYMENT_DELAY_WORKING_DAYS)

    def is_late(self, today: dt.date | None = None) -> bool:
        expected = self.expected_payment_date
        return expected is not None and (today or timezone.localdate()) > expected


class DecompteLine(models.Model):
    decompte = models.ForeignKey(Decompte, on_delete=models.CASCADE, related_name="lines", verbose_name="décompte")
    line_number = models.PositiveIntegerField("ligne du fichier")
    beneficiary = models.ForeignKey(
        "members.Beneficiary", on_delete=models.PROTECT, related_name="decompte_lines", verbose_name="bénéficiaire"
    )
    care_date = models.DateField("date des soins")
    act_code = models.CharField("code acte", max_length=60)
    act_label = models.CharField("acte", max_length=200)
    category = models.CharField("catégorie", max_length=60, db_index=True)
    practitioner = models.CharField("professionnel de santé", max_length=120, blank=True)
    quantity = models.PositiveIntegerField("quantité", default=1)
    frais_reels = models.DecimalField("frais réels", max_digits=10, decimal_places=2)
    base_remboursement = models.DecimalField("base de remboursement", max_digits=10, decimal_places=2)
    ss_paid = models.DecimalField("remboursement SS", max_digits=10, decimal_places=2)
    complementary_paid = models.DecimalField("remboursement complémentaire", max_digits=10, decimal_places=2)
    computed_complementary = models.DecimalField("calcul du moteur", max_digits=10, decimal_places=2)
    reste_a_charge = models.DecimalField("reste à charge", max_digits=10, decimal_places=2)
    rule_label = models.CharField("garantie appliquée", max_length=300, blank=True)
    rule_source = models.CharField("source", max_length=200, blank=True)
    explanation = models.TextField("explication", blank=True)
    limits = models.JSONField("limites appliquées", default=list, blank=True)
    # What the engine needs to replay this line as history (eye, ear, days, dioptres...).
    engine_details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "ligne de décompte"
        verbose_name_plural = "lignes de décompte"
        ordering = ["decompte", "line_number"]
        indexes = [models.Index(fields=["beneficiary", "care_date"])]

    def __str__(self) -> str:
        return f"{self.act_label} du {self.care_date:%d/%m/%Y}"

    @property
    def rule_citation(self) -> str:
        """The rule's source as a member reads it: the notice's title and table heading
        (``rule_source`` keeps the line number, for gestionnaires)."""
        match = _RULE_SOURCE.fullmatch(self.rule_source)
        return catalogue.citation(match["notice"], int(match["line"])) if match else ""

    @property
    def difference(self) -> Decimal:
        return self.complementary_paid - self.computed_complementary


class QuoteKind(models.TextChoices):
    DENTAL = "dentaire", "Dentaire"
    OPTICAL = "optique", "Optique"
    HEARING = "audioprothese", "Audioprothèse"
    DEVICE = "appareillage", "Appareillage"
    OTHER = "autre", "Autre"


class QuoteStatus(models.TextChoices):
    SENT = "envoyee", "Envoyée"
    REVIEWING = "en_cours", "En cours d'étude"
    MISSING_DOCUMENT = "piece_manquante", "Pièce manquante demandée"
    ANSWERED = "repondue", "Répondue"


class QuoteRequest(models.Model):
    """A devis sent by a member for an estimate ("Estimation de mes remboursements")."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="quotes", verbose_name="assuré")
    beneficiary = models.ForeignKey(
        "members.Beneficiary", on_delete=models.PROTECT, related_name="quotes", verbose_name="bénéficiaire"
    )
    kind = models.CharField("type de soins", max_length=14, choices=QuoteKind.choices)
    status = models.CharField("statut", max_length=16, choices=QuoteStatus.choices, default=QuoteStatus.SENT)
    created_at = models.DateTimeField("envoyée le", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="gestionnaire",
    )
    missing_document_note = models.TextField("pièce demandée", blank=True)
    answer_note = models.TextField("réponse du gestionnaire", blank=True)
    answered_at = models.DateTimeField("répondue le", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="répondue par",
    )

    class Meta:
        verbose_name = "demande d'estimation (devis)"
        verbose_name_plural = "demandes d'estimation (devis)"
        ordering = ["created_at"]
        indexes = [models.Index(fields=["member", "-created_at"], name="quote_member_recent")]

    def __str__(self) -> str:
        return f"Devis {self.get_kind_display().lower()} n° {self.pk}"

    @property
    def total_amount(self) -> Decimal:
        return sum((line.frais_reels for line in self.lines.all()), Decimal("0.00"))

    @property
    def total_ss(self) -> Decimal:
        return sum((line.ss_expected for line in self.lines.all()), Decimal("0.00"))

    @property
    def total_complementary(self) -> Decimal:
        return sum((line.final_complementary for line in self.lines.all()), Decimal("0.00"))

    @property
    def total_rac(self) -> Decimal:
        return self.total_amount - self.total_ss - self.total_complementary

    @property
    def member_can_add_documents(self) -> bool:
        return self.status == QuoteStatus.MISSING_DOCUMENT


class QuoteLine(models.Model):
    request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="lines", verbose_name="demande")
    position = models.PositiveSmallIntegerField("ligne")
    act_code = models.CharField("code acte", max_length=60)
    act_label = models.CharField("acte", max_length=200)
    ccam_code = models.CharField("code CCAM", max_length=7, blank=True)
    tooth = models.CharField("dent", max_length=2, blank=True)
    frais_reels = models.DecimalField("montant du devis", max_digits=10, decimal_places=2)
    base_remboursement = models.DecimalField("base de remboursement", max_digits=10, decimal_places=2)
    ss_expected = models.DecimalField("remboursement SS attendu", max_digits=10, decimal_places=2)
    ss_estimated = models.BooleanField("SS estimée par le portail", default=False)
    engine_details = models.JSONField(default=dict, blank=True)
    complementary_estimate = models.DecimalField("estimation du moteur", max_digits=10, decimal_places=2)
    corrected_complementary = models.DecimalField(
        "montant retenu par le gestionnaire", max_digits=10, decimal_places=2, null=True, blank=True
    )
    rule_source = models.CharField("garantie appliquée", max_length=300, blank=True)
    explanation = models.TextField("explication", blank=True)
    limits = models.JSONField("limites", default=list, blank=True)

    class Meta:
        verbose_name = "ligne de devis"
        verbose_name_plural = "lignes du devis"
        ordering = ["request", "position"]

    def __str__(self) -> str:
        return self.act_label

    @property
    def final_complementary(self) -> Decimal:
        return self.corrected_complementary if self.corrected_complementary is not None else self.complementary_estimate

    @property
    def reste_a_charge(self) -> Decimal:
        return self.frais_reels - self.ss_expected - self.final_complementary


class QuoteDocument(models.Model):
    request = models.ForeignKey(
        QuoteRequest, on_delete=models.CASCADE, related_name="documents", verbose_name="demande"
    )
    file = models.ForeignKey(
        "documents.PrivateFile", on_delete=models.PROTECT, related_name="+", verbose_name="fichier"
    )
    added_at = models.DateTimeField("ajouté le", default=timezone.now)

    class Meta:
        verbose_name = "pièce du devis"
        verbose_name_plural = "pièces du devis"
        ordering = ["added_at"]

    def __str__(self) -> str:
        return str(self.file)


class QuoteEvent(models.Model):
    """Who did what on a devis request, and when."""

    request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="events", verbose_name="demande")
    at = models.DateTimeField("le", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
    )
    action = models.CharField("action", max_length=80)
    detail = models.TextField("détail", blank=True)

    class Meta:
        verbose_name = "historique"
        verbose_name_plural = "historique de la demande"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.action


class YearTotal(models.Model):
    """A member's paid reimbursements summed per year of payment: the list page shows
    these totals without scanning twenty years of décomptes. Maintained by the importer
    in the same transaction as the décomptes (claims.services.imports.year_totals_refresh)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="year_totals")
    year = models.PositiveSmallIntegerField()
    frais_reels = models.DecimalField(max_digits=14, decimal_places=2)
    ss = models.DecimalField(max_digits=14, decimal_places=2)
    complementary = models.DecimalField(max_digits=14, decimal_places=2)
    reste_a_charge = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "total annuel"
        verbose_name_plural = "totaux annuels"
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="one_total_per_member_year")]
        ordering = ["member", "-year"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}"


class ClaimsVersion(models.Model):
    """A counter the database itself bumps on every write to a member's décomptes or yearly
    totals. Triggers (migration 0003) keep it, so that it holds whatever the write path: the
    importer's bulk inserts, a status update, raw SQL. What the reimbursements list shows
    without filters is cached under it (``claims.selectors.list_overview``). A member with no
    row has never had a décompte written: version 0."""

    member = models.OneToOneField(
        "members.Member",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="claims_version",
        verbose_name="assuré",
    )
    version = models.PositiveBigIntegerField("version", default=0)

    class Meta:
        verbose_name = "version des remboursements"
        verbose_name_plural = "versions des remboursements"

    def __str__(self) -> str:
        return f"{self.member_id} v{self.version}"


class RightsEvent(models.Model):
    """A change of a member's rights already told by the opt-in e-mail ("un de vos droits a
    évolué"): an equipment covered again, a yearly ceiling almost used. Only a digest of
    the event is kept (person, ceiling or equipment, date or year): no act, no amount, so
    that the table says nothing about anyone's health; its uniqueness makes the daily
    sweep tell each event once."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="rights_events")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "évolution de droits signalée"
        verbose_name_plural = "évolutions de droits signalées"

    def __str__(self) -> str:
        return f"{self.member_id} {self.created_at:%Y-%m-%d}"
