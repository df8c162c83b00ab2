"""Worked cases computed by hand from the notices' tables (line numbers cited).

Convention (both notices, "sous déduction des prestations versées par la Sécurité
sociale"): the guaranteed total includes the SS payment; the complementary pays that total
minus SS (minus lower levels), within frais réels minus SS."""

import datetime as dt

import pytest

from tests.guarantees.helpers import line, run

CHILD_10 = dt.date(2015, 1, 1)
SENIOR_75 = dt.date(1950, 1, 1)

CASES = [
    # --- notice 003 (Crédit Coopératif), one formula, table lines 767-874 ----------------
    # 767: 270 % BR, OPTAM. 2.70 x 30 = 81 - SS 21 = 60 ; RAC 100 - 21 - 60 = 19
    ("CCOOP-BASE", line("consultation", 100, 30, 21, optam=True), ["60.00"], "19.00"),
    # 768: 200 % BR non-OPTAM. 60 - 21 = 39 ; FR 80 -> RAC 20
    ("CCOOP-OPT1", line("consultation", 80, 30, 21, optam=False), ["39.00"], "20.00"),
    # 788: Option 2, honoraires OPTAM 100 % FR: 1500 - 400 = 1100
    ("CCOOP-OPT2", line("honoraires-hospitalisation", 1500, 400, 400, optam=True), ["1100.00"], "0.00"),
    # 788: Base 300 % BR = 1200 - 400 = 800 ; RAC 300
    ("CCOOP-BASE", line("honoraires-hospitalisation", 1500, 400, 400, optam=True), ["800.00"], "300.00"),
    # 778: médicaments 100 % BR: 10 - 6.50 = 3.50 (ticket modérateur)
    ("CCOOP-BASE", line("pharmacie", 10, 10, "6.50"), ["3.50"], "0.00"),
    # 780: 165 % BR + 450 €/an: 165 + min(450, 500 - 165) = 500 -> 500 - 60 = 440
    ("CCOOP-BASE", line("materiel-medical", 500, 100, 60), ["440.00"], "0.00"),
    # 793: Option 1 chambre particulière 100 €/jour x 10 = 1000 ; RAC 200
    ("CCOOP-OPT1", line("chambre-particuliere", 1200, days=10), ["1000.00"], "200.00"),
    # 790: forfait journalier, prise en charge intégrale
    ("CCOOP-BASE", line("forfait-journalier", 20), ["20.00"], "0.00"),
    # 791: Option 2 frais de séjour 100 % FR: 3000 - 2000 = 1000
    ("CCOOP-OPT2", line("frais-sejour", 3000, 2500, 2000), ["1000.00"], "0.00"),
    # 803: 100 % santé within HLF 500: 500 - 84 = 416 ; RAC 550 - 84 - 416 = 50
    ("CCOOP-BASE", line("dentaire-100-sante", 550, 120, 84, price_limit=500), ["416.00"], "50.00"),
    # 805-806: Option 1 HM 490 % x 120 = 588, limited to HLF 550 -> 550 - 84 = 466
    ("CCOOP-OPT1", line("prothese-honoraires-maitrises", 600, 120, 84, price_limit=550), ["466.00"], "50.00"),
    # 807: Option 2 inlay onlay honoraires libres 450 % x 100 = 450 - 70 = 380
    ("CCOOP-OPT2", line("inlay-onlay-honoraires-libres", 500, 100, 70), ["380.00"], "50.00"),
    # 808: 258 € par prothèse x 2
    ("CCOOP-BASE", line("prothese-non-remboursee", 1200, quantity=2), ["516.00"], "684.00"),
    # 812: Option 2 380 € par implant x 2
    ("CCOOP-OPT2", line("implantologie", 2000, quantity=2), ["760.00"], "1240.00"),
    # 824: Option 1 forfait classe B 285 € (SS included), frame counted at most 100:
    # eligible 400 - 150 + 100 = 350 -> 285 - 0.09 = 284.91
    ("CCOOP-OPT1", line("optique-classe-b", 400, "0.15", "0.09", frame_amount=150), ["284.91"], "115.00"),
    # 822: classe A, intégrale dans la limite du PLV 95: 95 - 18 = 77
    ("CCOOP-BASE", line("optique-classe-a", 95, 30, 18, price_limit=95), ["77.00"], "0.00"),
    # 830: 165 % x 39.48 = 65.14 + min(285, 234.86) = 300 -> 300 - 23.69 = 276.31
    ("CCOOP-OPT1", line("lentilles-remboursees", 300, "39.48", "23.69"), ["276.31"], "0.00"),
    # 831: Option 2 lentilles non remboursées 315 €/an
    ("CCOOP-OPT2", line("lentilles-non-remboursees", 400), ["315.00"], "85.00"),
    # 833: 450 € par oeil x 2
    ("CCOOP-BASE", line("chirurgie-vision", 2000, eye="both"), ["900.00"], "1100.00"),
    # 838: Option 2 165 % x 400 + 900 = 1560 (< 1700) - 240 = 1320
    ("CCOOP-OPT2", line("aide-auditive-classe-2", 1800, 400, 240, ear="left"), ["1320.00"], "240.00"),
    # 837: 165 % x 600 + 900 = 1890, capped 1700 per aid SS included -> 1700 - 360 = 1340
    ("CCOOP-OPT2", line("aide-auditive-classe-2", 2000, 600, 360, ear="right"), ["1340.00"], "300.00"),
    # 849/847: ostéopathie in the 161 € médecine douce forfait
    ("CCOOP-OPT1", line("osteopathie", 200), ["161.00"], "39.00"),
    # 855: vaccins 15 €/an
    ("CCOOP-BASE", line("vaccins", 40), ["15.00"], "25.00"),
    # 856: aide à domicile 150 €/an
    ("CCOOP-BASE", line("aide-domicile", 200), ["150.00"], "50.00"),
    # 857: densitométrie 75 €/an
    ("CCOOP-BASE", line("densitometrie", 90), ["75.00"], "15.00"),
    # 862: cure transport et hébergement 245 €/an
    ("CCOOP-OPT1", line("cure-thermale-transport-hebergement", 400), ["245.00"], "155.00"),
    # 864-865: naissance chambre 60 €/jour limited to 8 days: 480
    ("CCOOP-BASE", line("naissance-chambre-particuliere", 700, days=10), ["480.00"], "220.00"),
    # 866: forfait par enfant 440 € x 2 (twins)
    ("CCOOP-BASE", line("forfait-naissance", 1000, quantity=2), ["880.00"], "120.00"),
    # 867: péridurale 230 €
    ("CCOOP-BASE", line("peridurale", 300), ["230.00"], "70.00"),
    # 870: transport 265 % x 50 = 132.50 - 32.50 = 100
    ("CCOOP-OPT1", line("transport", 150, 50, "32.50"), ["100.00"], "17.50"),
    # 874: obsèques 1000 € dans la limite des FR
    ("CCOOP-BASE", line("frais-obseques", 800), ["800.00"], "0.00"),
    ("CCOOP-BASE", line("frais-obseques", 3000), ["1000.00"], "2000.00"),
    # --- notice 004 (IDCC 1412), one level -------------------------------------------
    # 771: Base 100 % BR OPTAM généraliste = ticket modérateur 9
    ("IDCC1412-BASE", line("consultation-generaliste", 30, 30, 21, optam=True), ["9.00"], "0.00"),
    # 863: Option spécialiste non-OPTAM conventionné 175 % x 30 = 52.50 - 21 = 31.50
    ("IDCC1412-OPTION", line("consultation-specialiste", 70, 30, 21, optam=False), ["31.50"], "17.50"),
    # 1065: Kelvin spécialiste non conventionné 200 % x 30 = 60 - 21 = 39
    ("IDCC1412-KELVIN", line("consultation-specialiste", 100, 30, 21, conventionne=False), ["39.00"], "40.00"),
    # 966: Celsius analyses 250 % x 20 = 50 - 12 = 38
    ("IDCC1412-CELSIUS", line("analyses", 60, 20, 12), ["38.00"], "10.00"),
    # 801: Base chambre particulière 30 €/jour x 3
    ("IDCC1412-BASE", line("chambre-particuliere", 200, days=3), ["90.00"], "110.00"),
    # 1086: Kelvin chambre particulière 100 % FR
    ("IDCC1412-KELVIN", line("chambre-particuliere", 200, days=2), ["200.00"], "0.00"),
    # 800: forfait 18 € actes lourds, prise en charge intégrale
    ("IDCC1412-BASE", line("forfait-actes-lourds", 24), ["24.00"], "0.00"),
    # 979: Celsius frais de séjour non conventionnés 90 % FR = 4500 - 2400 = 2100
    ("IDCC1412-CELSIUS", line("frais-sejour", 5000, 3000, 2400, conventionne=False), ["2100.00"], "500.00"),
    # 816: Base verres unifocaux, sphere -5 (4,25 à 6 dioptries) 55 € x 2 = 110 - 0.06
    ("IDCC1412-BASE", line("verres-unifocaux", 400, "0.10", "0.06", quantity=2, sphere=-5), ["109.94"], "290.00"),
    # 908: Option multifocaux, sphere -7 cyl +1.50 -> strongest meridian 7 (6,25 à 8): 165 x 2
    (
        "IDCC1412-OPTION",
        line("verres-multifocaux", 600, quantity=2, sphere=-7, cylinder="1.5", addition=2),
        ["330.00"],
        "270.00",
    ),
    # 1104: Kelvin monture adulte 255 €
    ("IDCC1412-KELVIN", line("monture", 300), ["255.00"], "45.00"),
    # 925: Option ostéopathie 25 € par séance, 4 séances par an: 5 séances -> 100
    ("IDCC1412-OPTION", line("osteopathie", 300, quantity=5), ["100.00"], "200.00"),
    # 1127: Kelvin transport 100 % FR: 200 - 65 = 135
    ("IDCC1412-KELVIN", line("transport", 200, 100, 65), ["135.00"], "0.00"),
    # 1031: Celsius blanchiment 100 €/an
    ("IDCC1412-CELSIUS", line("blanchiment-dents", 150), ["100.00"], "50.00"),
    # 992: Celsius orthodontie non remboursée 600 €/an
    ("IDCC1412-CELSIUS", line("orthodontie-non-remboursee", 800), ["600.00"], "200.00"),
    # 897: Option implantologie forfait 350 €/an
    ("IDCC1412-OPTION", line("implantologie", 500), ["350.00"], "150.00"),
    # 1005: Celsius chirurgie de la vision 10 % PMSS 2025 (3925) = 392.50 per eye x 2
    ("IDCC1412-CELSIUS", line("chirurgie-vision", 2000, eye="both"), ["785.00"], "1215.00"),
    # 1122: Kelvin cure 25 % PMSS 2024 (3864) = 966 - SS 195 = 771
    ("IDCC1412-KELVIN", line("cure-thermale", 1500, 300, 195, care_date=dt.date(2024, 6, 3)), ["771.00"], "534.00"),
    # 1018: Celsius forfait par enfant 10 % PMSS 2025 = 392.50
    ("IDCC1412-CELSIUS", line("forfait-naissance", 1000), ["392.50"], "607.50"),
    # 1011: Option prothèses auditives 150 % x 400 = 600 - 240 = 360
    ("IDCC1412-OPTION", line("protheses-auditives", 1500, 400, 240), ["360.00"], "900.00"),
    # --- notice 004, optional level "sous déduction" of the mandatory one ------------
    # 772 + 950: Base 125 % x 30 = 37.50 - 21 = 16.50 ; Celsius 425 % = 127.50, within FR:
    # 120 - 21 - 16.50 = 82.50
    (
        ("IDCC1412-BASE", "IDCC1412-CELSIUS"),
        line("consultation-specialiste", 120, 30, 21, optam=True),
        ["16.50", "82.50"],
        "0.00",
    ),
    # 807 + 1093: Base 140 % x 107.50 = 150.50 - 64.50 = 86 ; Kelvin 600 % = 645 -> within FR:
    # 600 - 64.50 - 86 = 449.50
    (
        ("IDCC1412-BASE", "IDCC1412-KELVIN"),
        line("prothese-couronne-bridge", 600, "107.50", "64.50"),
        ["86.00", "449.50"],
        "0.00",
    ),
    # 893 + 989: Option 300 € par prothèse ; Celsius 1000 €/an covers the 800 € -> 500 more
    (("IDCC1412-OPTION", "IDCC1412-CELSIUS"), line("prothese-non-remboursee", 800), ["300.00", "500.00"], "0.00"),
    # 810 + 895: Base 125 % x 200 = 250 - 140 = 110 ; Option 200 % = 400 - 140 - 110 = 150
    (
        ("IDCC1412-BASE", "IDCC1412-OPTION"),
        line("orthodontie-remboursee", 600, 200, 140),
        ["110.00", "150.00"],
        "200.00",
    ),
]


@pytest.mark.parametrize(("codes", "care", "expected", "rac"), CASES)
def test_it_computes_the_worked_case(codes, care, expected, rac):
    (result,) = run(codes, care)
    assert [str(layer.amount) for layer in result.layers] == expected
    assert str(result.reste_a_charge) == rac
    assert result.frais_reels == result.ss_paid + result.complementary + result.reste_a_charge


def test_it_has_at_least_forty_cases_over_all_formulas():
    formulas = {code for codes, *_ in CASES for code in ((codes,) if isinstance(codes, str) else codes)}
    assert len(CASES) >= 40
    assert formulas == {
        "CCOOP-BASE",
        "CCOOP-OPT1",
        "CCOOP-OPT2",
        "IDCC1412-BASE",
        "IDCC1412-OPTION",
        "IDCC1412-CELSIUS",
        "IDCC1412-KELVIN",
    }


def test_it_pays_the_companion_of_a_child_or_a_senior_only():
    # notice 003 lines 796-797: 30 € per day for under 16 and over 70
    (child,) = run("CCOOP-BASE", line("frais-accompagnant", 120, days=3), birth=CHILD_10)
    (senior,) = run("CCOOP-BASE", line("frais-accompagnant", 120, days=3), birth=SENIOR_75)
    (adult,) = run("CCOOP-BASE", line("frais-accompagnant", 120, days=3))
    assert (child.complementary, senior.complementary, adult.complementary) == (90, 90, 0)
    assert adult.limits[0].key == "conditions_not_met"
    # notice 004 line 983: Celsius 88,40 € per day, child under 12
    (celsius,) = run("IDCC1412-CELSIUS", line("frais-accompagnant", 200, days=2), birth=CHILD_10)
    assert str(celsius.complementary) == "176.80"


def test_it_pays_the_child_optical_package_with_a_capped_frame():
    # notice 004 line 1001: 470 € for 2 glasses + a frame limited to 150 €:
    # eligible 600 - 200 + 150 = 550, package 470
    (result,) = run("IDCC1412-CELSIUS", line("verres-unifocaux", 600, frame_amount=200, sphere=-1), birth=CHILD_10)
    assert str(result.complementary) == "470.00"
    assert {limit.key for limit in result.limits} == {"frame_cap", "package"}


def test_it_adds_the_celsius_loyalty_bonus():
    # notice 004 line 989: 1000 €/an + 100 € per year from the 2nd year, at most 9 years
    (five_years,) = run("IDCC1412-CELSIUS", line("prothese-non-remboursee", 3000), since=dt.date(2020, 1, 1))
    (first_year,) = run("IDCC1412-CELSIUS", line("prothese-non-remboursee", 3000), since=dt.date(2025, 1, 1))
    (capped,) = run("IDCC1412-CELSIUS", line("prothese-non-remboursee", 3000), since=dt.date(2005, 1, 1))
    assert (five_years.complementary, first_year.complementary, capped.complementary) == (1500, 1000, 1900)


def test_it_pays_the_ticket_moderateur_beyond_the_lens_forfait():
    # notice 004 lines 820 and 838: 100 €/an, then the TM for SS-reimbursed lenses
    first, second = run(
        "IDCC1412-BASE",
        line("lentilles", 150),
        line("lentilles", 80, "39.48", "23.69"),
    )
    assert str(first.complementary) == "100.00"
    assert str(second.complementary) == "15.79"  # 39.48 - 23.69
    assert "ticket_moderateur" in {limit.key for limit in second.limits}


def test_it_pays_hearing_accessories_tm_once_the_forfait_is_used():
    # notice 003 line 840 and note (1) line 878: 60 €/an then TM
    first, second = run(
        "CCOOP-BASE", line("accessoires-auditifs", 80, 50, 30), line("accessoires-auditifs", 40, 30, 18)
    )
    assert str(first.complementary) == "30.00"  # 60 (SS included) - 30
    assert str(second.complementary) == "12.00"  # TM 30 - 18


def test_it_tells_which_rule_applied_with_its_source():
    (result,) = run(("IDCC1412-BASE", "IDCC1412-KELVIN"), line("prothese-couronne-bridge", 600, "107.50", "64.50"))
    assert result.rule.source.startswith("Kelvin - Prothèses dentaires remboursées par la SS")
    assert result.rule.source.endswith(
        ": 600 % de la BR (couronnes, bridges, prothèses amovibles, inlay core et inlay à clavette)"
    )
    assert result.rule.line == 1093
    assert result.layers[0].rule.line == 807
