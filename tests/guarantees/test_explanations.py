"""What a member reads under each level: the arithmetic adds up, step by step, even when
a cap cuts the amount, and documents are cited by title and heading, not line numbers."""

import datetime as dt
import re
from decimal import Decimal

from tests.guarantees.helpers import CARE, line, run


def test_a_level_cut_to_the_frais_left_to_pay_shows_the_difference_then_the_cap():
    base, kelvin = run(("IDCC1412-BASE", "IDCC1412-KELVIN"), line("prothese-couronne-bridge", 600, "107.50", "64.50"))[
        0
    ].layers
    assert kelvin.amount == Decimal("449.50")
    assert kelvin.explanation.endswith(
        "garantie totale 645,00 € (remboursement SS compris), moins SS 64,50 € et niveaux inférieurs 86,00 € "
        "= 494,50 €, ramené à 449,50 € (les frais restant à votre charge)."
    )
    # 645,00 - 64,50 - 86,00 is 494,50: every figure the member reads adds up
    assert Decimal("645.00") - Decimal("64.50") - Decimal("86.00") == Decimal("494.50")
    assert base.explanation.endswith("moins SS 64,50 € = 86,00 €.")


def test_a_fixed_amount_above_the_frais_is_cut_to_them_in_a_step_of_its_own():
    (result,) = run(("CCOOP-BASE",), line("frais-obseques", 800))
    (layer,) = result.layers
    assert layer.amount == Decimal("800.00")
    assert "= 1 000,00 €, ramené à 800,00 €" in layer.explanation


def test_a_level_below_what_ss_paid_pays_nothing_and_says_why():
    (result,) = run("IDCC1412-BASE", line("consultation-generaliste", 60, "30", "59", optam=True))
    (layer,) = result.layers
    assert layer.amount == Decimal("0.00")
    assert "moins SS 59,00 € : la garantie est déjà atteinte, soit 0,00 €." in layer.explanation
    assert "= 0,00 €" not in layer.explanation


def test_the_periodicity_refusal_cites_the_notice_by_title_and_heading():
    earlier = line("monture", 100, "0.05", "0.03", care_date=CARE - dt.timedelta(days=200), frame_amount=100)
    (result,) = run("IDCC1412-BASE", line("monture", 100, "0.05", "0.03", frame_amount=100), history=[earlier])
    (limit,) = result.limits
    assert limit.key == "periodicity"
    assert (
        "(notice « KLESIA Prévoyance - IDCC 1412 - régimes obligatoires et options facultatives », rubrique « Optique »)."
        in limit.message
    )
    assert not re.search(r"ligne", limit.message)


def test_no_rule_note_a_member_reads_carries_a_line_number():
    (result,) = run("IDCC1412-BASE", line("lentilles", 150))
    (layer,) = result.layers
    assert layer.rule.note.startswith("(1) Au-delà du forfait")
    assert "ligne" not in layer.rule.note
