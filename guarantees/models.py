"""The guarantee tables in the database, for the back-office (read-only). The engine
reads the same data from ``guarantees/data`` through ``guarantees.catalogue``; the loader
(``guarantee_tables_load``) keeps both identical."""

from __future__ import annotations

from django.db import models

from guarantees.catalogue import KINDS


class GuaranteeRow(models.Model):
    """One row of a notice's guarantee table (an act under conditions, or a display row)."""

    notice = models.CharField("notice", max_length=10)
    position = models.PositiveIntegerField("rang dans le tableau")
    act = models.CharField("code de l'acte", max_length=60, blank=True, db_index=True)
    category = models.CharField("catégorie", max_length=120)
    group = models.CharField("rubrique", max_length=200, blank=True)
    label = models.CharField("libellé de la notice", max_length=300)
    conditions = models.JSONField("conditions", default=dict, blank=True)
    requires_ss = models.BooleanField("réservé aux actes remboursés par la SS", default=False)
    unit = models.CharField("unité", max_length=20, default="act")

    class Meta:
        verbose_name = "ligne du tableau de garanties"
        verbose_name_plural = "lignes des tableaux de garanties"
        ordering = ["notice", "position"]
        constraints = [models.UniqueConstraint(fields=["notice", "position"], name="guarantee_row_position_unique")]

    def __str__(self) -> str:
        return f"{self.category} - {self.label}"


class GuaranteeCell(models.Model):
    """What one formula guarantees on one row, as the notice words it and as a rule."""

    row = models.ForeignKey(GuaranteeRow, on_delete=models.CASCADE, related_name="cells", verbose_name="ligne")
    formula = models.ForeignKey(
        "members.Formula", on_delete=models.PROTECT, related_name="guarantee_cells", verbose_name="formule"
    )
    kind = models.CharField("type de règle", max_length=24, choices=sorted(KINDS.items()))
    text = models.CharField("garantie (texte de la notice)", max_length=400)
    notice_line = models.PositiveIntegerField("ligne de la notice")
    parameters = models.JSONField("paramètres (taux, montants, plafonds, compteurs)", default=dict, blank=True)

    class Meta:
        verbose_name = "garantie"
        verbose_name_plural = "garanties"
        ordering = ["row__notice", "row__position", "formula__rank"]
        constraints = [models.UniqueConstraint(fields=["row", "formula"], name="guarantee_cell_unique")]

    def __str__(self) -> str:
        return f"{self.formula} - {self.row.label} : {self.text}"


class PmssValue(models.Model):
    """Plafond mensuel de la Sécurité sociale of a year (euros per month)."""

    year = models.PositiveSmallIntegerField("année", unique=True)
    monthly_amount = models.DecimalField("montant mensuel (€)", max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = "valeur du PMSS"
        verbose_name_plural = "valeurs du PMSS"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"PMSS {self.year} : {self.monthly_amount} €"
