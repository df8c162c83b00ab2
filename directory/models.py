"""The directory of health professionals and establishments members can search."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from documents.imports import ImportJob


class Kind(models.TextChoices):
    GENERALISTE = "generaliste", "Médecin généraliste"
    SPECIALISTE = "specialiste", "Médecin spécialiste"
    PHARMACIE = "pharmacie", "Pharmacie"
    LABORATOIRE = "laboratoire", "Laboratoire d'analyses médicales"
    RADIOLOGIE = "radiologie", "Centre de radiologie"
    OPTICIEN = "opticien", "Opticien"
    AUDIOPROTHESISTE = "audioprothesiste", "Audioprothésiste"
    DENTISTE = "dentiste", "Chirurgien-dentiste"
    KINESITHERAPEUTE = "kinesitherapeute", "Masseur-kinésithérapeute"
    ETABLISSEMENT = "etablissement", "Hôpital / clinique"


class Speciality(models.TextChoices):
    CARDIOLOGIE = "cardiologie", "Cardiologie"
    DERMATOLOGIE = "dermatologie", "Dermatologie"
    GASTRO = "gastro-enterologie", "Gastro-entérologie"
    GYNECOLOGIE = "gynecologie", "Gynécologie"
    OPHTALMOLOGIE = "ophtalmologie", "Ophtalmologie"
    ORL = "orl", "ORL"
    PEDIATRIE = "pediatrie", "Pédiatrie"
    PSYCHIATRIE = "psychiatrie", "Psychiatrie"
    RHUMATOLOGIE = "rhumatologie", "Rhumatologie"
    PNEUMOLOGIE = "pneumologie", "Pneumologie"
    ENDOCRINOLOGIE = "endocrinologie", "Endocrinologie"
    NEUROLOGIE = "neurologie", "Neurologie"


class Sector(models.TextChoices):
    NOT_APPLICABLE = "", "Sans objet"
    SECTOR_1 = "1", "Conventionné secteur 1"
    SECTOR_2 = "2", "Conventionné secteur 2 (honoraires libres)"
    NOT_CONVENTIONED = "nc", "Non conventionné"


postcode_validator = RegexValidator(r"^\d{5}$", "Le code postal doit comporter 5 chiffres.")


class Professional(models.Model):
    """A practitioner or an establishment, with its coordinates in decimal degrees (WGS 84)."""

    identifier = models.CharField(
        "identifiant", max_length=20, unique=True, help_text="Numéro RPPS, FINESS ou identifiant interne."
    )
    name = models.CharField("nom", max_length=150)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    speciality = models.CharField("spécialité", max_length=30, choices=Speciality.choices, blank=True)
    address = models.CharField("adresse", max_length=200)
    postcode = models.CharField("code postal", max_length=5, validators=[postcode_validator], db_index=True)
    city = models.CharField("ville", max_length=80)
    latitude = models.FloatField("latitude", validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField("longitude", validators=[MinValueValidator(-180), MaxValueValidator(180)])
    phone = models.CharField("téléphone", max_length=20, blank=True)
    sector = models.CharField("conventionnement", max_length=2, choices=Sector.choices, blank=True)
    optam = models.BooleanField("OPTAM / OPTAM-CO", default=False)
    tiers_payant = models.BooleanField("tiers payant accepté", default=False)
    itelis = models.BooleanField("membre du réseau Itelis", default=False)
    updated_at = models.DateTimeField("mis à jour le", default=timezone.now)

    class Meta:
        verbose_name = "professionnel de santé"
        verbose_name_plural = "professionnels de santé"
        ordering = ["name"]
        indexes = [
            # The distance search filters on a bounding box: latitude range first, then
            # longitude, with or without a kind.
            models.Index(fields=["latitude", "longitude"], name="directory_pro_lat_lon"),
            models.Index(fields=["kind", "latitude", "longitude"], name="directory_pro_kind_lat_lon"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="directory_pro_coordinates_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind="specialiste", speciality__gt="") | (~Q(kind="specialiste") & Q(speciality="")),
                name="directory_pro_speciality_only_for_specialists",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"

    def clean(self) -> None:
        if self.kind == Kind.SPECIALISTE and not self.speciality:
            raise ValidationError({"speciality": "Indiquez la spécialité du médecin spécialiste."})
        if self.kind != Kind.SPECIALISTE and self.speciality:
            raise ValidationError({"speciality": "Seul un médecin spécialiste a une spécialité."})

    @property
    def kind_label(self) -> str:
        if self.kind == Kind.SPECIALISTE and self.speciality:
            return f"Médecin spécialiste : {self.get_speciality_display()}"
        return self.get_kind_display()


class DirectoryImport(ImportJob):
    """One directory file imported by a gestionnaire (documents.imports.ImportJob: state,
    counters, stored file, report)."""

    replace = models.BooleanField("remplace l'annuaire", default=False)
    created_count = models.PositiveIntegerField("créés", default=0)
    updated_count = models.PositiveIntegerField("mis à jour", default=0)
    deleted_count = models.PositiveIntegerField("supprimés", default=0)

    class Meta:
        verbose_name = "import de l'annuaire"
        verbose_name_plural = "imports de l'annuaire"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"
