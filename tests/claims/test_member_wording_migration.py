"""The data migration that rewords stored décompte and devis lines as the engine now words
them (claims/migrations/0003_member_wording.py)."""

import importlib

migration = importlib.import_module("claims.migrations.0003_member_wording")


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
