"""The data migration that rewords stored décompte and devis lines as the engine now words
them (claims/migrations/0005_member_wording.py)."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

migration = importlib.import_module("claims.migrations.0005_member_wording")


def test_a_capped_explanation_gets_its_difference_then_the_cap():
    old = (
        "Kelvin - Prothèses : 600 % de la BR : garantie totale 645,00 € (remboursement SS compris), "
        "moins SS 64,50 € et niveaux inférieurs 86,00 € = 449,50 €."
    )
    assert migration._explanation_line(old) == (
        "Kelvin - Prothèses : 600 % de la BR : garantie totale 645,00 € (remboursement SS compris), "
        "moins SS 64,50 € et niveaux inférieurs 86,00 € = 494,50 €, ramené à 449,50 € "
        "(les frais restant à votre charge)."
    )


def test_an_explanation_that_already_adds_up_is_kept_and_a_negative_one_says_the_guarantee_is_reached():
    right = "Base - Consultation : 100 % : garantie totale 1 030,00 € (remboursement SS compris), moins SS 21,00 € = 1 009,00 €."
    assert migration._explanation_line(right) == right
    negative = "Celsius - Chiropraxie : Inclus : garantie totale 125,00 € (remboursement SS compris), moins SS 440,04 € = 0,00 €."
    assert migration._explanation_line(negative).endswith(
        "moins SS 440,04 € : la garantie est déjà atteinte, soit 0,00 €."
    )


def test_a_periodicity_message_cites_the_notice_by_title_not_line():
    old = "Périodicité : un équipement tous les deux ans. Prochain remboursement possible à partir du 10/03/2027 (notice 004, ligne 812)."
    assert migration._limit_message(old).endswith(
        "(notice « KLESIA Prévoyance - IDCC 1412 - régimes obligatoires et options facultatives », rubrique « Optique »)."
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_rewords_the_stored_lines(alice):
    """Back to the wording of before 0005, a line stored then, and forward again."""
    executor = MigrationExecutor(connection)
    executor.migrate([("claims", "0004_rights_event")])
    old_apps = executor.loader.project_state([("claims", "0004_rights_event")]).apps
    Batch = old_apps.get_model("claims", "ImportBatch")
    Decompte = old_apps.get_model("claims", "Decompte")
    Line = old_apps.get_model("claims", "DecompteLine")
    batch = Batch.objects.create(file_name="old.csv", sha256="0" * 64, line_count=1, status="accepte")
    decompte = Decompte.objects.create(
        external_id="OLD-1",
        member_id=alice.pk,
        batch=batch,
        origin="noemie",
        payee="assure",
        payment_date=dt.date(2025, 1, 20),
        first_care_date=dt.date(2025, 1, 2),
        total_frais_reels=Decimal("60"),
        total_ss=Decimal("21"),
        total_complementary=Decimal("39"),
        total_rac=Decimal("0"),
        content_hash="x",
    )
    line = Line.objects.create(
        decompte=decompte,
        line_number=1,
        beneficiary_id=alice.holder.pk,
        care_date=dt.date(2025, 1, 2),
        act_code="osteopathie",
        act_label="Ostéopathie",
        category="Prevention et medecine douce",
        frais_reels=Decimal("60"),
        base_remboursement=Decimal("0"),
        ss_paid=Decimal("0"),
        complementary_paid=Decimal("39"),
        computed_complementary=Decimal("39"),
        reste_a_charge=Decimal("21"),
        explanation="Celsius - Ostéopathie : 60 € : garantie totale 60,00 € (remboursement SS compris), moins SS 0,00 € "
        "et niveaux inférieurs 21,00 € = 0,00 €.",
        limits=[
            {"key": "periodicity", "message": "Périodicité : un équipement (notice 004, ligne 812).", "formula": ""}
        ],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    line.refresh_from_db()
    assert line.category == "Prévention et médecine douce"
    assert line.explanation.endswith("= 39,00 €, ramené à 0,00 € (les frais restant à votre charge).")
    assert line.limits[0]["message"].endswith(
        "(notice « KLESIA Prévoyance - IDCC 1412 - régimes obligatoires et options facultatives », rubrique « Optique »)."
    )
