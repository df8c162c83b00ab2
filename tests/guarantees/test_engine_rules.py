"""Counters, periodicity, prescription, cover, bad input and properties of the engine."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guarantees import catalogue
from guarantees.engine import EngineError, EngineRequest, Layer, compute, glass_class
from tests.guarantees.helpers import ADULT, line, run

CHILD_10 = dt.date(2015, 1, 1)


# --- annual counters ------------------------------------------------------------------


def test_it_consumes_the_private_room_days_across_history_and_renews_them_on_1_january():
    # notice 003 lines 793-794: 80 €/day, 50 days per year and beneficiary
    history = [line("chambre-particuliere", 3600, days=45, care_date=dt.date(2024, 11, 2))]
    december, january = run(
        "CCOOP-BASE",
        line("chambre-particuliere", 800, days=10, care_date=dt.date(2024, 12, 20)),
        line("chambre-particuliere", 800, days=10, care_date=dt.date(2025, 1, 3)),
        history=history,
        claim=dt.date(2025, 1, 10),
    )
    assert str(december.complementary) == "400.00"  # 5 days left in 2024
    assert december.limits[0].key == "max_days"
    assert str(january.complementary) == "800.00"  # a new year, 50 new days


def test_it_shares_the_medecine_douce_forfait_between_acts_and_lines_of_one_request():
    # notice 003 lines 847-854: 161 € per year for all the "Inclus" acts together
    first, second, next_year = run(
        "CCOOP-OPT1",
        line("osteopathie", 100),
        line("acupuncture", 100),
        line("acupuncture", 100, care_date=dt.date(2026, 1, 5)),
        claim=dt.date(2026, 1, 10),
    )
    assert [first.complementary, second.complementary, next_year.complementary] == [100, 61, 100]
    assert second.limits[0].key == "annual_ceiling"


def test_it_counts_protheses_per_year_with_history():
    # notice 004 line 808: 100 € per prothesis, 3 per year and beneficiary
    history = [line("prothese-non-remboursee", 500, quantity=2, care_date=dt.date(2025, 1, 15))]
    (result,) = run("IDCC1412-BASE", line("prothese-non-remboursee", 500, quantity=2), history=history)
    assert str(result.complementary) == "100.00"
    assert result.limits[0].key == "max_count"


def test_it_consumes_the_optional_levels_forfait_with_what_all_levels_paid():
    # Lenses: Base 100 €/an (line 820), Celsius 300 €/an "all levels included" (line 1004)
    first, second, third = run(
        ("IDCC1412-BASE", "IDCC1412-CELSIUS"),
        line("lentilles", 150),
        line("lentilles", 120),
        line("lentilles", 100),
    )
    assert [str(a.amount) for a in first.layers] == ["100.00", "50.00"]
    assert [str(a.amount) for a in second.layers] == ["0.00", "120.00"]
    assert [str(a.amount) for a in third.layers] == ["0.00", "30.00"]  # 300 - 150 - 120
    assert third.complementary == 30


def test_an_optional_level_never_pays_back_what_the_lower_level_paid():
    # notice 004 lines 808 / 893: Base 100 €, Option 300 € per prothesis
    (result,) = run(("IDCC1412-BASE", "IDCC1412-OPTION"), line("prothese-non-remboursee", 250))
    assert [str(a.amount) for a in result.layers] == ["100.00", "150.00"]


def test_an_optional_level_adds_nothing_when_it_guarantees_no_more():
    # pharmacie is 100 % BR on both levels (lines 791 / 969)
    (result,) = run(("IDCC1412-BASE", "IDCC1412-CELSIUS"), line("pharmacie", 10, 10, "6.50"))
    assert [str(a.amount) for a in result.layers] == ["3.50", "0.00"]
    assert "lower_level_covers" in {limit.key for limit in result.limits}


def test_it_uses_the_pmss_of_the_care_year():
    # Kelvin chirurgie de la vision 20 % PMSS per eye (line 1115): 2023 3666 -> 733.20
    (result,) = run(
        "IDCC1412-KELVIN",
        line("chirurgie-vision", 1500, eye="left", care_date=dt.date(2023, 5, 2)),
        claim=dt.date(2024, 1, 2),
    )
    assert str(result.complementary) == "733.20"


# --- periodicity ------------------------------------------------------------------------


def test_optical_periodicity_is_two_years_to_the_day_for_adults():
    # notice 003 lines 506-512 and 820: 1 equipment every 2 years from 16
    bought = dt.date(2023, 3, 10)
    history = [line("optique-classe-b", 300, care_date=bought)]
    (refused,) = run("CCOOP-BASE", line("optique-classe-b", 300, care_date=dt.date(2025, 3, 9)), history=history)
    (accepted,) = run("CCOOP-BASE", line("optique-classe-b", 300, care_date=dt.date(2025, 3, 10)), history=history)
    assert refused.complementary == 0
    assert refused.limits[0].key == "periodicity"
    assert "10/03/2025" in refused.limits[0].message
    assert str(accepted.complementary) == "240.00"


def test_optical_periodicity_is_one_year_under_16_and_after_an_eyesight_change():
    bought = dt.date(2024, 3, 10)
    history = [line("optique-classe-b", 300, care_date=bought)]
    (child,) = run(
        "CCOOP-BASE", line("optique-classe-b", 300, care_date=dt.date(2025, 3, 10)), history=history, birth=CHILD_10
    )
    (child_early,) = run(
        "CCOOP-BASE", line("optique-classe-b", 300, care_date=dt.date(2025, 3, 9)), history=history, birth=CHILD_10
    )
    (renewal,) = run(
        "CCOOP-BASE",
        line("optique-classe-b", 300, care_date=dt.date(2025, 3, 10), renewal="evolution_vue"),
        history=history,
    )
    assert (child.complementary, child_early.complementary, renewal.complementary) == (240, 0, 240)


def test_frame_and_glasses_bought_the_same_day_are_one_equipment():
    # notice 004 line 812: periodicity of the equipment (frame + 2 glasses)
    frame, glasses, too_soon = run(
        "IDCC1412-BASE",
        line("monture", 100),
        line("verres-unifocaux", 200, quantity=2, sphere=-1),
        line("monture", 100, care_date=dt.date(2025, 3, 20)),
        claim=dt.date(2025, 4, 1),
    )
    assert (frame.complementary, glasses.complementary, too_soon.complementary) == (70, 110, 0)


def test_hearing_aids_are_renewed_every_four_years_per_ear():
    # notice 003 lines 590-592 and 834
    history = [line("aide-auditive-classe-2", 1500, 400, 240, ear="left", care_date=dt.date(2021, 6, 1))]
    left, right = run(
        "CCOOP-BASE",
        line("aide-auditive-classe-2", 1500, 400, 240, ear="left", care_date=dt.date(2025, 5, 31)),
        line("aide-auditive-classe-2", 1500, 400, 240, ear="right", care_date=dt.date(2025, 5, 31)),
        history=history,
        claim=dt.date(2025, 6, 2),
    )
    (left_on_time,) = run(
        "CCOOP-BASE",
        line("aide-auditive-classe-2", 1500, 400, 240, ear="left", care_date=dt.date(2025, 6, 1)),
        history=history,
        claim=dt.date(2025, 6, 2),
    )
    assert left.complementary == 0 and left.limits[0].key == "periodicity"
    assert str(right.complementary) == "870.00"  # 165 % x 400 + 450 = 1110 - 240
    assert str(left_on_time.complementary) == "870.00"


# --- prescription and cover -----------------------------------------------------------------


def test_care_is_prescribed_the_day_after_its_second_anniversary():
    # notice 003 line 307: actions prescribed two years after the care
    care = line("pharmacie", 10, 10, "6.50", care_date=dt.date(2023, 4, 1))
    (on_time,) = run("CCOOP-BASE", care, claim=dt.date(2025, 4, 1))
    (late,) = run("CCOOP-BASE", care, claim=dt.date(2025, 4, 2))
    assert str(on_time.complementary) == "3.50"
    assert late.complementary == 0
    assert late.limits[0].key == "prescription"
    assert late.reste_a_charge == Decimal("3.50")


def test_it_refuses_care_in_the_future_and_before_cover():
    with pytest.raises(EngineError) as future:
        run("CCOOP-BASE", line("pharmacie", 10, 10, 6, care_date=dt.date(2025, 4, 2)))
    assert future.value.key == "care_date_in_future"
    with pytest.raises(EngineError) as before:
        run("CCOOP-BASE", line("pharmacie", 10, 10, 6), cover_start=dt.date(2025, 3, 11))
    assert before.value.key == "care_before_cover"
    assert "11/03/2025" in before.value.message


def test_an_optional_level_pays_only_during_its_affiliation():
    base, celsius = (catalogue.formula_rules(c) for c in ("IDCC1412-BASE", "IDCC1412-CELSIUS"))
    request = EngineRequest(
        layers=(Layer(base, start=dt.date(2020, 1, 1)), Layer(celsius, role="facultative", start=dt.date(2025, 3, 11))),
        birth_date=ADULT,
        claim_date=dt.date(2025, 4, 1),
        pmss=catalogue.pmss_table(),
        lines=(line("lentilles", 150), line("lentilles", 150, care_date=dt.date(2025, 3, 11))),
    )
    before, after = compute(request)
    assert [layer.formula for layer in before.layers] == ["IDCC1412-BASE"]
    assert [str(layer.amount) for layer in after.layers] == ["0.00", "150.00"]


# --- bad input and exclusions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("care", "key"),
    [
        (line("no-such-act", 10), "unknown_act"),
        (line("pharmacie", -1), "negative_amount"),
        (line("pharmacie", 10, 10, 11), "ss_paid_above_fr"),
        (line("consultation", 50, 30, 21), "missing_optam"),
        (line("chirurgie-vision", 500), "pct_pmss_needs_eye"),
    ],
)
def test_it_rejects_bad_input_with_a_key_and_a_french_message(care, key):
    codes = "IDCC1412-KELVIN" if care.act == "chirurgie-vision" else "CCOOP-BASE"
    with pytest.raises(EngineError) as error:
        run(codes, care)
    expected = "missing_eye" if key == "pct_pmss_needs_eye" else key
    assert error.value.key == expected
    assert error.value.message[0].isupper() and error.value.message.endswith(".")


def test_an_act_not_reimbursed_by_ss_pays_nothing_when_the_table_requires_it():
    # notice 003 line 648 / 004 line 628: exclusions
    (result,) = run("CCOOP-OPT2", line("consultation", 50, 0, 0, optam=True))
    assert result.complementary == 0
    assert result.limits[0].key == "not_reimbursed_by_ss"


def test_an_act_absent_from_a_level_is_explained():
    # implantologie: not in Base conventionnelle (760-838), Option 350 € (897)
    (result,) = run("IDCC1412-BASE", line("implantologie", 500))
    assert result.complementary == 0
    assert result.limits[0].key == "not_covered"


def test_another_complementary_payment_is_deducted():
    (result,) = run("CCOOP-OPT2", line("frais-sejour", 3000, 2500, 2000, other_paid=600))
    assert str(result.complementary) == "400.00"


# --- optical grid ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sphere", "cylinder", "addition", "expected"),
    [
        ("-6", "0", None, "simple"),
        ("-6.25", "0", None, "complexe"),
        ("2", "4", None, "simple"),
        ("2", "4.25", None, "complexe"),
        ("-3", "4.25", None, "complexe"),
        ("-6.5", "0.25", None, "complexe"),
        ("4", "0", "2", "complexe"),
        ("4.25", "0", "2", "tres_complexe"),
        ("-8", "4", "2", "complexe"),
        ("-8", "4.25", "2", "tres_complexe"),
        ("-8.25", "0.25", "2", "tres_complexe"),
        ("5", "3.25", "2", "tres_complexe"),
    ],
)
def test_it_classifies_glasses_as_the_optical_grid(sphere, cylinder, addition, expected):
    # notice 003 line 704
    assert glass_class(Decimal(sphere), Decimal(cylinder), Decimal(addition) if addition else None) == expected


# --- properties ---------------------------------------------------------------------------------

ACTS = [
    (code, act)
    for code in (
        "CCOOP-BASE",
        "CCOOP-OPT1",
        "CCOOP-OPT2",
        "IDCC1412-BASE",
        "IDCC1412-OPTION",
        "IDCC1412-CELSIUS",
        "IDCC1412-KELVIN",
    )
    for act, _label in catalogue.acts_for(code)
]
cents = st.integers(min_value=0, max_value=500_000).map(lambda c: Decimal(c) / 100)


@settings(max_examples=300, deadline=None)
@given(
    act=st.sampled_from(ACTS),
    fr=cents,
    br=cents,
    ss_share=st.integers(0, 100),
    quantity=st.integers(1, 4),
    optam=st.booleans(),
    conventionne=st.booleans(),
    sphere=st.integers(-40, 40),
    layered=st.booleans(),
    birth=st.dates(dt.date(1930, 1, 1), dt.date(2024, 12, 31)),
)
def test_the_complementary_is_never_negative_nor_above_what_is_left(
    act, fr, br, ss_share, quantity, optam, conventionne, sphere, layered, birth
):
    code, act_code = act
    codes = (code,)
    if layered and code == "IDCC1412-BASE":
        codes = ("IDCC1412-BASE", "IDCC1412-KELVIN")
    ss = (min(fr, br) * ss_share / 100).quantize(Decimal("0.01"))
    care = line(
        act_code,
        fr,
        br,
        ss,
        quantity=quantity,
        optam=optam,
        conventionne=conventionne,
        sphere=Decimal(sphere) / 4,
        eye="both",
        ear="left",
        frame_amount=fr / 3,
        price_limit=fr / 2,
        days=quantity,
    )
    (result,) = run(codes, care, birth=birth)
    assert result.complementary >= 0
    assert all(layer.amount >= 0 for layer in result.layers)
    assert result.complementary <= fr - ss
    assert result.reste_a_charge == fr - ss - result.complementary
    assert result.complementary == result.complementary.quantize(Decimal("0.01"))


def test_every_rule_kind_of_the_tables_has_its_rule():
    # A guarantee table may name any kind of catalogue.KINDS; only "info" cells (wording
    # without an amount) are never computed.
    from guarantees.catalogue import KINDS
    from guarantees.engine.rules import RULES

    assert set(KINDS) - {"info"} == set(RULES)
