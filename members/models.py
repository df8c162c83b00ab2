"""The insurer's domain: organismes, collective contracts, formulas, members and the
people they cover.

The member (assuré principal) is a covered person like the others: every household
person, the member included, is a ``Beneficiary`` row, so reimbursements, devis and
messages always point at one beneficiary. ``Member`` holds what belongs to the account:
member number, contact details, bank details, status and affiliations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from members.validators import mask_iban, normalize_iban, normalize_nir, validate_iban, validate_nir


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class Organisme(models.Model):
    """An insurer (institution de prévoyance, mutuelle...) and how members reach it."""

    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("nom", max_length=120)
    legal_form = models.CharField("forme juridique", max_length=200)
    siren = models.CharField("SIREN", max_length=11, blank=True)
    head_office = models.CharField("siège social", max_length=200)
    amc_number = models.CharField(
        "numéro AMC",
        max_length=12,
        help_text="Identifiant de l'organisme complémentaire porté sur la carte de tiers payant.",
    )
    postal_address = models.TextField("adresse postale de gestion")
    phone = models.CharField("téléphone", max_length=30)
    phone_hours = models.CharField("horaires téléphoniques", max_length=120)
    phone_note = models.CharField("mention tarifaire", max_length=60, blank=True)
    practitioner_phone = models.CharField("ligne des professionnels de santé", max_length=30, blank=True)
    website = models.URLField("site internet", blank=True)

    class Meta:
        verbose_name = "organisme assureur"
        verbose_name_plural = "organismes assureurs"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """A collective contract subscribed by an employer or an association."""

    organisme = models.ForeignKey(
        Organisme, on_delete=models.PROTECT, related_name="contracts", verbose_name="organisme"
    )
    number = models.CharField("numéro de contrat", max_length=40, unique=True)
    name = models.CharField("intitulé", max_length=200)
    subscriber = models.CharField("souscripteur (employeur ou association)", max_length=200)
    branch = models.CharField("branche", max_length=250, blank=True)
    idcc = models.CharField("IDCC", max_length=10, blank=True)
    edition = models.CharField("édition de la notice", max_length=60)
    mandatory = models.BooleanField("adhésion obligatoire", default=False)
    insured_category = models.CharField("catégorie de personnel assurée", max_length=250, blank=True)
    # Contacts of the management centre, shown on the member's "Contacts" page.
    management_name = models.CharField("centre de gestion", max_length=200, blank=True)
    management_address = models.TextField("adresse du centre de gestion", blank=True)
    management_phone = models.CharField("téléphone du centre de gestion", max_length=30, blank=True)
    management_hours = models.CharField("horaires du centre de gestion", max_length=120, blank=True)
    chatbot = models.BooleanField("assistant en ligne 24h/24", default=True)
    care_network = models.CharField("réseau de soins", max_length=60, blank=True)
    teleconsultation_name = models.CharField("service de téléconsultation", max_length=60, blank=True)
    teleconsultation_phone = models.CharField("téléphone de téléconsultation", max_length=30, blank=True)
    portability_months_factor = models.PositiveSmallIntegerField(
        "coefficient de durée de portabilité",
        default=1,
        help_text="2 lorsque l'accord de branche double la durée de maintien (plafonnée à 12 mois).",
    )
    # From each contract's own document: the portability of article L.911-8 CSS covers
    # employees leaving their employer (notice 004, guide), not a retirees' association
    # contract (notice 003), and the proofs' rhythm differs (notice 004 lines 497-501:
    # quarterly; the CCN Immobilier guide line 472: monthly).
    portability_offered = models.BooleanField(
        "portabilité prévue",
        default=True,
        help_text="Le contrat prévoit le maintien des garanties en cas de rupture du contrat de travail.",
    )
    portability_proof_months = models.PositiveSmallIntegerField(
        "rythme des justificatifs France Travail (mois)",
        default=1,
        help_text="1 : chaque mois ; 3 : chaque trimestre (selon la notice du contrat).",
    )
    # Who may be covered, from the notice's "Personnes garanties": for children and
    # grandchildren an age limit (exclusive) per situation, null meaning no age limit;
    # a relationship absent from the rules cannot be covered under this contract.
    eligibility_rules = models.JSONField("règles d'éligibilité des ayants droit", default=dict)
    notice_file = models.CharField("fichier de la notice", max_length=120, blank=True)

    class Meta:
        verbose_name = "contrat collectif"
        verbose_name_plural = "contrats collectifs"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.name} (n° {self.number})"

    @cached_property
    def has_formulas(self) -> bool:
        """Does the portal hold this contract's guarantee table? The CCN Immobilier's is in
        none of the seeds: its members are told so, never shown an invented one."""
        return self.formulas.exists()

    @property
    def portability_proof_rhythm(self) -> str:
        """How often a member in portability sends a France Travail proof, in words."""
        months = self.portability_proof_months
        return {1: "chaque mois", 3: "chaque trimestre"}.get(months, f"tous les {months} mois")


class Formula(models.Model):
    """A level of guarantees. An optional level pays "sous déduction" of the level it
    stacks on (notice 004, "Modalités de choix d'option")."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="formulas", verbose_name="contrat")
    code = models.CharField("code", max_length=40, unique=True)
    name = models.CharField("nom", max_length=120)
    rank = models.PositiveSmallIntegerField("rang", help_text="Ordre des niveaux, du plus bas au plus élevé.")
    can_be_principal = models.BooleanField("peut être souscrite comme garantie de base", default=True)
    stacks_on = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="optional_levels",
        verbose_name="peut compléter (sous déduction)",
    )
    responsible = models.BooleanField("contrat responsable", default=True)
    assistance = models.CharField("assistance", max_length=120, blank=True)
    notice_line = models.PositiveIntegerField("ligne de la notice", null=True, blank=True)
    # Care codes paid in tiers payant and their level, printed on the tiers-payant card:
    # {"PHAR": "100 %", ...}, transcribed from the notice's guarantee table.
    tiers_payant = models.JSONField("tiers payant (codes et niveaux)", default=dict, blank=True)

    class Meta:
        verbose_name = "formule de garanties"
        verbose_name_plural = "formules de garanties"
        ordering = ["contract__number", "rank"]

    def __str__(self) -> str:
        return self.name


class MemberStatus(models.TextChoices):
    ACTIVE = "actif", "Actif"
    PORTABILITY = "portabilite", "En portabilité"
    RETIRED = "retraite", "Retraité"
    TERMINATED = "radie", "Radié"


class Member(models.Model):
    """The assuré principal's account with the insurer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name="compte de connexion",
    )
    number = models.CharField("numéro d'adhérent", max_length=20, unique=True)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="members", verbose_name="contrat")
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    address_line1 = models.CharField("adresse", max_length=120)
    address_line2 = models.CharField("complément d'adresse", max_length=120, blank=True)
    postcode = models.CharField("code postal", max_length=5)
    city = models.CharField("ville", max_length=80)
    iban = models.CharField("IBAN", max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField("BIC", max_length=11, blank=True)
    status = models.CharField("statut", max_length=12, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    status_since = models.DateField("statut depuis")
    cover_end_date = models.DateField("fin de couverture", null=True, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "assuré"
        verbose_name_plural = "assurés"
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=MemberStatus.TERMINATED) | Q(cover_end_date__isnull=False),
                name="member_terminated_has_end_date",
            ),
        ]

    def __str__(self) -> str:
        holder = self.holder
        return f"{self.number} - {holder.full_name}" if holder else self.number

    def clean(self) -> None:
        self.iban = normalize_iban(self.iban)
        if self.status == MemberStatus.TERMINATED and not self.cover_end_date:
            raise ValidationError({"cover_end_date": "Indiquez la date de fin de couverture d'un assuré radié."})

    @property
    def holder(self) -> Beneficiary | None:
        """The member as a covered person (relationship "assuré")."""
        return holder_among(self.beneficiaries.all())

    @property
    def masked_iban(self) -> str:
        return mask_iban(self.iban)

    def is_covered_on(self, day: dt.date) -> bool:
        return self.cover_end_date is None or day <= self.cover_end_date


def holder_among(people: Iterable[Beneficiary]) -> Beneficiary | None:
    """The member among the persons of a household (relationship "assuré"): the one rule
    that picks the holder, for ``Member.holder`` and ``members.selectors.Household``."""
    return next((person for person in people if person.relationship == Relationship.MEMBER), None)


class AffiliationRole(models.TextChoices):
    PRINCIPAL = "principal", "Garantie de base"
    OPTIONAL = "facultative", "Option facultative (sous déduction)"


class Affiliation(models.Model):
    """A period during which a member is affiliated to a formula, as the base level or as
    an optional level on top of it."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="affiliations", verbose_name="assuré")
    formula = models.ForeignKey(Formula, on_delete=models.PROTECT, related_name="affiliations", verbose_name="formule")
    role = models.CharField("rôle", max_length=12, choices=AffiliationRole.choices)
    start_date = models.DateField("début")
    end_date = models.DateField("fin", null=True, blank=True)

    class Meta:
        verbose_name = "affiliation"
        verbose_name_plural = "historique des affiliations"
        ordering = ["start_date", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="affiliation_dates_ordered",
            ),
        ]
        # And in the database, a trigger (migration 0006): the formula belongs to the
        # member's contract, whatever writes the row (a CheckConstraint cannot join).

    def __str__(self) -> str:
        return f"{self.formula} ({self.get_role_display()})"

    def overlaps(self, start: dt.date, end: dt.date | None) -> bool:
        far = dt.date.max
        return self.start_date <= (end or far) and start <= (self.end_date or far)

    def clean(self) -> None:
        if not self.formula_id:
            return
        try:
            # The member itself, not only its id: in the admin's "add" form it is not
            # saved yet, and its contract must be checked all the same.
            member = self.member
        except Member.DoesNotExist:
            return
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "La date de fin précède la date de début."})
        if member.contract_id is not None and self.formula.contract_id != member.contract_id:
            raise ValidationError(
                {
                    "formula": (
                        f"La formule « {self.formula.name} » n'appartient pas au contrat de l'assuré ({member.contract.number}) : "
                        f"elle relève du contrat {self.formula.contract.number}."
                    )
                }
            )
        if member.pk is not None:
            self.check_household([a for a in member.affiliations.select_related("formula") if a.pk != self.pk])
        # A member being created has no affiliation saved yet: the form that creates them
        # with theirs checks them against each other (members.admin.AffiliationFormSet).

    def check_household(self, others: list[Affiliation]) -> None:
        """The rules between this affiliation and the member's ``others``: one level of each
        role at a time, an option completing a base level that accepts it."""
        if not self.start_date:
            return
        same_role = [a for a in others if a.role == self.role and a.overlaps(self.start_date, self.end_date)]
        if same_role:
            raise ValidationError(f"L'assuré a déjà une {self.get_role_display().lower()} sur cette période.")
        if self.role == AffiliationRole.PRINCIPAL:
            if not self.formula.can_be_principal:
                raise ValidationError({"formula": f"La formule {self.formula} ne peut être souscrite qu'en option."})
            return
        base = [
            a
            for a in others
            if a.role == AffiliationRole.PRINCIPAL
            and a.start_date <= self.start_date
            and (a.end_date is None or (self.end_date is not None and self.end_date <= a.end_date))
        ]
        if not base:
            raise ValidationError(
                "Une option facultative doit compléter une garantie de base couvrant toute sa période."
            )
        if not self.formula.stacks_on.filter(pk=base[0].formula_id).exists():
            raise ValidationError(
                {"formula": f"La formule {self.formula} ne peut pas compléter la garantie de base {base[0].formula}."}
            )


class Relationship(models.TextChoices):
    MEMBER = "assure", "Assuré principal"
    SPOUSE = "conjoint", "Conjoint"
    PACS = "pacs", "Partenaire de PACS"
    COHABITANT = "concubin", "Concubin"
    CHILD = "enfant", "Enfant"
    GRANDCHILD = "petit_enfant", "Petit-enfant"
    ASCENDANT = "ascendant", "Ascendant"


PARTNER_RELATIONSHIPS = {Relationship.SPOUSE, Relationship.PACS, Relationship.COHABITANT}


class ChildSituation(models.TextChoices):
    DEPENDENT = "a_charge", "À charge"
    SECONDARY = "secondaire", "Termine son cycle secondaire"
    STUDENT = "etudes", "Poursuit des études"
    JOB_SEEKER = "emploi", "Apprentissage, recherche d'emploi ou faible revenu"
    DISABLED = "handicap", "Infirmité ou invalidité reconnue"


class NoemieStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PENDING = "en_attente", "En cours d'activation"
    INACTIVE = "inactive", "Non active"


class NoemieReason(models.TextChoices):
    """The cases of the member guide where NOEMIE cannot work (lines 166-170)."""

    NONE = "", "—"
    OTHER_CONTRACT = "autre_contrat", "Déjà bénéficiaire de la télétransmission via un autre contrat santé"
    SPECIFIC_REGIME = "regime_specifique", "Couvert par un régime spécifique"
    OVERLAP = "chevauchement", "Chevauchement de deux complémentaires santé"
    MISSING_ATTESTATION = "attestation_manquante", "Attestation de droits Sécurité sociale non reçue"


class Beneficiary(models.Model):
    """A covered person of a member's household, the member included."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="beneficiaries", verbose_name="assuré")
    relationship = models.CharField("lien", max_length=14, choices=Relationship.choices)
    child_situation = models.CharField(
        "situation de l'enfant", max_length=12, choices=ChildSituation.choices, blank=True
    )
    lives_with_member = models.BooleanField("vit sous le toit de l'assuré", default=True)
    civility = models.CharField("civilité", max_length=4, choices=[("M.", "M."), ("Mme", "Mme")], blank=True)
    first_name = models.CharField("prénom", max_length=60)
    last_name = models.CharField("nom", max_length=60)
    birth_date = models.DateField("date de naissance")
    nir = models.CharField(
        "numéro de sécurité sociale",
        max_length=15,
        blank=True,
        validators=[validate_nir],
        help_text="Vide lorsque le bénéficiaire est rattaché au numéro de l'assuré.",
    )
    regime = models.CharField("régime obligatoire", max_length=60, default="Régime général")
    caisse = models.CharField("caisse", max_length=80, blank=True)
    rank = models.PositiveSmallIntegerField("rang", default=1)
    noemie_status = models.CharField(
        "NOEMIE", max_length=12, choices=NoemieStatus.choices, default=NoemieStatus.PENDING
    )
    noemie_reason = models.CharField("motif NOEMIE", max_length=24, choices=NoemieReason.choices, blank=True)
    cover_start = models.DateField("début de couverture")
    cover_end = models.DateField("fin de couverture", null=True, blank=True)

    class Meta:
        verbose_name = "bénéficiaire"
        verbose_name_plural = "bénéficiaires"
        ordering = ["member", "rank", "birth_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(relationship="assure"), name="one_holder_per_member"
            ),
            models.CheckConstraint(
                condition=Q(cover_end__isnull=True) | Q(cover_end__gte=models.F("cover_start")),
                name="beneficiary_cover_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["last_name", "first_name"]), models.Index(fields=["nir"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_holder(self) -> bool:
        return self.relationship == Relationship.MEMBER

    def effective_nir(self) -> str:
        """Children without their own NIR are attached to the member's."""
        if self.nir:
            return self.nir
        holder = self.member.holder
        return holder.nir if holder else ""

    def is_covered_on(self, day: dt.date) -> bool:
        return self.cover_start <= day and (self.cover_end is None or day <= self.cover_end)

    def clean(self) -> None:
        self.nir = normalize_nir(self.nir)
        errors: dict[str, str] = {}
        if self.relationship == Relationship.MEMBER and not self.nir:
            errors["nir"] = "L'assuré principal doit avoir son propre numéro de sécurité sociale."
        if self.noemie_status == NoemieStatus.INACTIVE and not self.noemie_reason:
            errors["noemie_reason"] = "Indiquez pourquoi la télétransmission NOEMIE n'est pas active."
        if self.noemie_status != NoemieStatus.INACTIVE:
            self.noemie_reason = ""
        if self.cover_end and self.cover_start and self.cover_end < self.cover_start:
            errors["cover_end"] = "La fin de couverture précède son début."
        if errors:
            raise ValidationError(errors)
        if self.member_id and self.birth_date and self.cover_start:
            from members.eligibility import check_eligibility

            check_eligibility(self)


class HouseholdVersion(models.Model):
    """A counter the database itself bumps on every write to what a member's documents print:
    the member row, their beneficiaries and affiliations, and the contract, organisme and
    formulas these point to. Triggers (migration 0005) keep it, so that it holds whatever the
    write path: ``save()``, ``queryset.update()``, bulk operations, the admin, raw SQL.

    A generated document checked against version N is still exact while the counter reads N
    (``documents.pdf_cache``); the day is not part of it (who is covered today, the validity
    year), callers check that separately."""

    member = models.OneToOneField(
        Member, on_delete=models.CASCADE, primary_key=True, related_name="household_version", verbose_name="assuré"
    )
    version = models.PositiveBigIntegerField("version", default=1)

    class Meta:
        verbose_name = "version du foyer"
        verbose_name_plural = "versions des foyers"

    def __str__(self) -> str:
        return f"{self.member_id} v{self.version}"


class AuditEntry(models.Model):
    """Who changed what on a member's data, written in the same transaction as the change."""

    at = models.DateTimeField("le", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="audit_entries", verbose_name="assuré")
    action = models.CharField("action", max_length=60)
    field = models.CharField("donnée", max_length=60, blank=True)
    old_value = models.TextField("ancienne valeur", blank=True)
    new_value = models.TextField("nouvelle valeur", blank=True)

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal des modifications"
        ordering = ["-at"]

    def __str__(self) -> str:
        # read in the back-office (an inline row's heading): local time, no raw field name
        return f"{timezone.localtime(self.at):%d/%m/%Y à %H:%M} - {self.action}"


# --- Portability (maintien des garanties, notice 004 "Maintien des garanties") and profile
# changes that wait for a second factor or a gestionnaire (issue 9).


class PortabilityStatus(models.TextChoices):
    REQUESTED = "demandee", "Demandée (justificatifs à vérifier)"
    ACTIVE = "en_cours", "En cours"
    ENDED = "terminee", "Terminée"
    REFUSED = "refusee", "Refusée"


class PortabilityEndReason(models.TextChoices):
    NONE = "", "—"
    PERIOD_OVER = "fin_periode", "Fin de la période de portabilité"
    ALLOWANCES_STOPPED = "fin_allocations", "Cessation du versement des allocations chômage"
    PROOFS_MISSING = "justificatifs", "Non-transmission des justificatifs France Travail"


class PortabilityFile(models.Model):
    """A member's request to keep their cover after leaving their employer (L.911-8),
    opened by their message "Je souhaite bénéficier du maintien de mes garanties" and
    validated by a gestionnaire, who enters the end of the work contract and the duration
    of the last contract(s); the portal derives the period (members.portability)."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="portability_files", verbose_name="assuré"
    )
    thread = models.OneToOneField(
        "messaging.Thread",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="portability_file",
        verbose_name="demande (messagerie)",
    )
    status = models.CharField(
        "état", max_length=10, choices=PortabilityStatus.choices, default=PortabilityStatus.REQUESTED
    )
    requested_at = models.DateTimeField("demandée le", default=timezone.now)
    work_contract_end = models.DateField("fin du contrat de travail", null=True, blank=True)
    last_contracts_months = models.PositiveSmallIntegerField(
        "durée du ou des derniers contrats : mois",
        null=True,
        blank=True,
        help_text="Contrats consécutifs chez le même employeur.",
    )
    last_contracts_days = models.PositiveSmallIntegerField("… et jours", default=0)
    duration_months = models.PositiveSmallIntegerField("durée de portabilité (mois)", null=True, blank=True)
    start_date = models.DateField("début de portabilité", null=True, blank=True)
    end_date = models.DateField("fin de portabilité prévue", null=True, blank=True)
    allowances_end_date = models.DateField(
        "fin du versement des allocations",
        null=True,
        blank=True,
        help_text="La portabilité cesse à cette date (notice, « Cessation du maintien des garanties »).",
    )
    ended_early_on = models.DateField("fin anticipée (justificatifs manquants)", null=True, blank=True)
    end_reason = models.CharField("motif de fin", max_length=16, choices=PortabilityEndReason.choices, blank=True)
    france_travail_consent = models.BooleanField("transmission automatique France Travail", default=False)
    consent_changed_at = models.DateTimeField("consentement modifié le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidée par",
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    refusal_reason = models.TextField("motif du refus", blank=True)

    class Meta:
        verbose_name = "dossier de portabilité"
        verbose_name_plural = "dossiers de portabilité"
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="portability_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Portabilité n° {self.pk} ({self.get_status_display().lower()})"

    @property
    def is_open(self) -> bool:
        return self.status in {PortabilityStatus.REQUESTED, PortabilityStatus.ACTIVE}

    @property
    def effective_end(self) -> dt.date | None:
        """The last covered day: the period's end, unless allowances or proofs stopped first."""
        ends = [d for d in (self.end_date, self.allowances_end_date, self.ended_early_on) if d is not None]
        return min(ends) if ends else None

    def clean(self) -> None:
        if self.last_contracts_days is not None and self.last_contracts_days > 31:
            raise ValidationError(
                {"last_contracts_days": "Indiquez au plus 31 jours (au-delà, comptez un mois de plus)."}
            )


class PortabilityProof(models.Model):
    """The monthly proof of payment of unemployment allowances, uploaded by a member who
    did not consent to the automatic France Travail transmission."""

    portability = models.ForeignKey(
        PortabilityFile, on_delete=models.CASCADE, related_name="proofs", verbose_name="dossier"
    )
    month = models.DateField("mois", help_text="Premier jour du mois du justificatif.")
    file = models.ForeignKey(
        "documents.PrivateFile", on_delete=models.PROTECT, related_name="+", verbose_name="fichier"
    )
    uploaded_at = models.DateTimeField("déposé le", default=timezone.now)

    class Meta:
        verbose_name = "justificatif mensuel France Travail"
        verbose_name_plural = "justificatifs mensuels France Travail"
        ordering = ["-month", "-uploaded_at"]

    def __str__(self) -> str:
        return f"Justificatif de {self.month:%m/%Y}"


class PortabilityReminder(models.Model):
    """A reminder sent for a missing monthly proof: at most one of each rank per month."""

    portability = models.ForeignKey(
        PortabilityFile, on_delete=models.CASCADE, related_name="reminders", verbose_name="dossier"
    )
    month = models.DateField("mois")
    rank = models.PositiveSmallIntegerField("relance", choices=[(1, "1re relance"), (2, "2e relance")])
    sent_on = models.DateField("envoyée le")

    class Meta:
        verbose_name = "relance de justificatif"
        verbose_name_plural = "relances de justificatifs"
        ordering = ["-month", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["portability", "month", "rank"], name="portability_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rank_display()} de {self.month:%m/%Y}"


class BankChangeStatus(models.TextChoices):
    AWAITING_SECOND_FACTOR = "a_confirmer", "À confirmer par l'assuré (double authentification)"
    PENDING = "en_attente", "En attente de validation"
    VALIDATED = "validee", "Validée"
    REFUSED = "refusee", "Refusée"
    CANCELLED = "annulee", "Annulée"


class BankDetailsChange(models.Model):
    """A member's new bank details. Used for payments only once the member confirmed it
    with a fresh second-factor code and a gestionnaire checked it against the RIB."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="bank_changes", verbose_name="assuré")
    iban = models.CharField("nouvel IBAN", max_length=34, validators=[validate_iban])
    bic = models.CharField("nouveau BIC", max_length=11, blank=True)
    rib = models.ForeignKey("documents.PrivateFile", on_delete=models.PROTECT, related_name="+", verbose_name="RIB")
    status = models.CharField(
        "état", max_length=12, choices=BankChangeStatus.choices, default=BankChangeStatus.AWAITING_SECOND_FACTOR
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="demandée par"
    )
    created_at = models.DateTimeField("demandée le", default=timezone.now)
    confirmed_at = models.DateTimeField("confirmée (double authentification) le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidée par",
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    refusal_reason = models.TextField("motif du refus", blank=True)

    class Meta:
        verbose_name = "changement de coordonnées bancaires"
        verbose_name_plural = "changements de coordonnées bancaires"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{mask_iban(self.iban)} ({self.get_status_display().lower()})"

    @property
    def masked_iban(self) -> str:
        return mask_iban(self.iban)

    def clean(self) -> None:
        self.iban = normalize_iban(self.iban)
        self.bic = (self.bic or "").replace(" ", "").upper()


class EmailChange(models.Model):
    """A new e-mail address waiting for its owner to open the link sent to it."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="email_changes", verbose_name="assuré")
    new_email = models.EmailField("nouvelle adresse")
    old_email = models.EmailField("ancienne adresse", blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("demandée le", default=timezone.now)
    expires_at = models.DateTimeField("expire le")
    confirmed_at = models.DateTimeField("confirmée le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)

    class Meta:
        verbose_name = "changement d'adresse e-mail"
        verbose_name_plural = "changements d'adresse e-mail"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.new_email} ({self.created_at:%d/%m/%Y})"

    @property
    def is_pending(self) -> bool:
        return self.confirmed_at is None and self.cancelled_at is None and timezone.now() < self.expires_at
