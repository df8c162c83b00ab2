"""Mes droits restants (guarantees.engine.rights): hand-worked cases across the 7 formulas,
from the guarantee tables of guarantees/data (notices 003 and 004), then a property test:
the next care of a kind is paid exactly what "left" says, capped by the care amount, and
an equipment is paid again exactly from the date given."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guarantees import catalogue
from guarantees.engine import CareLine, EngineRequest, Layer, compute
from guarantees.engine.rights import Allowance, Renewal, rights
from guarantees.engine.values import money, percent
from tests.guarantees.helpers import line

DAY = dt.date(2026, 11, 22)
ADULT = dt.date(1950, 4, 2)


def request_for(codes, history, *, birth=ADULT, since=None, day=DAY, lines=()):
    layers = tuple(
        Layer(catalogue.formula_rules(code), role="principal" if i == 0 else "facultative", since=since)
        for i, code in enumerate(codes)
    )
    return EngineRequest(
        layers=layers,
        birth_date=birth,
        claim_date=day,
        lines=tuple(lines),
        history=tuple(history),
        pmss=catalogue.pmss_table(),
    )


def allowance(answer, formula: str, act: str, eye: str | None = None) -> Allowance:
    return next(a for a in answer.allowances if a.formula == formula and act in a.acts and a.eye == eye)


def renewal(answer, group: str, ear: str | None = None) -> Renewal:
    return next(r for r in answer.renewals if r.period.group == group and r.ear == ear)


def d(text: str) -> Decimal:
    return Decimal(text)


# --------------------------------------------------------------------------- hand-worked cases


def test_ccoop_base_medecine_douce_forfait_and_days_of_private_room():
    """Régime de base: "Forfait global médecine douce 161 € par an et par bénéficiaire"
    (ostéopathie, acupuncture... included); private room 80 € a day, 50 days a year.
    2026: ostéopathie 60 € + acupuncture 50 € = 110 € used, 161 - 110 = 51 € left; the
    December 2025 session counts for 2025 only. 12 days of room: 38 days left, 38 x 80 €."""
    history = [
        line("osteopathie", "60", care_date=dt.date(2025, 12, 20)),
        line("osteopathie", "60", care_date=dt.date(2026, 2, 10)),
        line("acupuncture", "50", care_date=dt.date(2026, 5, 3)),
        line("chambre-particuliere", "1200", care_date=dt.date(2026, 3, 1), days=12),
    ]
    answer = rights(request_for(["CCOOP-BASE"], history), DAY)
    douce = allowance(answer, "CCOOP-BASE", "osteopathie")
    assert (douce.unit, douce.ceiling, douce.used, douce.left) == ("amount", d("161"), d("110.00"), d("51.00"))
    assert set(douce.acts) >= {"acupuncture", "osteopathie", "chiropractie", "pedicurie-podologie"}
    room = allowance(answer, "CCOOP-BASE", "chambre-particuliere")
    assert (room.unit, room.ceiling, room.used, room.left, room.left_amount) == ("days", 50, 12, 38, d("3040.00"))


def test_ccoop_option1_lenses_top_up_beyond_the_br_share_and_hearing_aid_per_ear():
    """Option 1: lenses "165 % de la BR + 285 € par an" (reimbursed by SS) and 285 € a year
    (not reimbursed), one counter. FR 200, BR 40: 165 % x 40 = 66 € outside the forfait,
    200 - 66 = 134 € of it; then 100 € of lenses not reimbursed: 285 - 134 - 100 = 51 €.
    Hearing aid "1 aide auditive tous les 4 ans pour chaque oreille": left ear bought on
    15/06/2023, covered again on 15/06/2027; the right ear never had one."""
    history = [
        line("lentilles-remboursees", "200", br="40", ss="24", care_date=dt.date(2026, 4, 1)),
        line("lentilles-non-remboursees", "100", care_date=dt.date(2026, 6, 1)),
        line("aide-auditive-classe-2", "1500", br="400", ss="240", care_date=dt.date(2023, 6, 15), ear="left"),
    ]
    answer = rights(request_for(["CCOOP-OPT1"], history), DAY)
    lenses = allowance(answer, "CCOOP-OPT1", "lentilles-remboursees")
    assert (lenses.ceiling, lenses.used, lenses.left) == (d("285"), d("234.00"), d("51.00"))
    assert renewal(answer, "audition", "left").next_date == dt.date(2027, 6, 15)
    assert not renewal(answer, "audition", "left").covered_on(DAY)
    assert renewal(answer, "audition", "right").last is None
    assert renewal(answer, "audition", "right").covered_on(DAY)


def test_ccoop_option2_periodontics_and_optical_equipment_every_two_years_or_one_after_an_eyesight_change():
    """Option 2: parodontologie 1120 € a year: 1120 - 700 = 420 € left. Optical equipment
    "tous les 2 ans à partir de 16 ans": bought 01/09/2025, again on 01/09/2027, or from
    01/09/2026 after an evolution of eyesight (1 year for adults), without delay for a
    pathology (0 year)."""
    history = [
        line("parodontologie", "700", care_date=dt.date(2026, 1, 15)),
        line("optique-classe-b", "400", care_date=dt.date(2025, 9, 1), frame_amount="100"),
    ]
    answer = rights(request_for(["CCOOP-OPT2"], history), DAY)
    assert allowance(answer, "CCOOP-OPT2", "parodontologie").left == d("420.00")
    optics = renewal(answer, "optique")
    assert (optics.last, optics.next_date) == (dt.date(2025, 9, 1), dt.date(2027, 9, 1))
    assert optics.anticipated == (("evolution_vue", dt.date(2026, 9, 1)), ("pathologie", dt.date(2025, 9, 1)))


def test_idcc_base_counted_prostheses_lenses_and_minors_optical_periods():
    """Base conventionnelle: "100 € par prothèse (limité à 3 prothèses par an)": 2 used, 1
    left (100 €); lenses 100 € a year: 100 - 30 = 70 €. Optics "tous les deux ans pour les
    adultes, tous les ans pour les mineurs": a child of 13 equipped on 01/12/2025 again on
    01/12/2026; a 17-year-old equipped on 01/09/2025 is 18 on 01/06/2026, so the adults'
    two years apply (01/09/2027), one year after an evolution of eyesight (01/09/2026)."""
    history = [
        line("prothese-non-remboursee", "1000", care_date=dt.date(2026, 3, 3), quantity=2),
        line("lentilles", "30", care_date=dt.date(2026, 4, 4)),
    ]
    answer = rights(request_for(["IDCC1412-BASE"], history), DAY)
    protheses = allowance(answer, "IDCC1412-BASE", "prothese-non-remboursee")
    assert (protheses.unit, protheses.ceiling, protheses.used, protheses.left) == ("count", 3, 2, 1)
    assert protheses.left_amount == d("100.00")
    assert allowance(answer, "IDCC1412-BASE", "lentilles").left == d("70.00")

    child = [line("verres-unifocaux", "300", care_date=dt.date(2025, 12, 1), sphere="1.5", frame_amount="80")]
    optics = renewal(rights(request_for(["IDCC1412-BASE"], child, birth=dt.date(2012, 3, 1)), DAY), "optique")
    assert (optics.next_date, optics.anticipated) == (dt.date(2026, 12, 1), ())

    teen = [line("verres-unifocaux", "300", care_date=dt.date(2025, 9, 1), sphere="1.5", frame_amount="80")]
    optics = renewal(rights(request_for(["IDCC1412-BASE"], teen, birth=dt.date(2008, 6, 1)), DAY), "optique")
    assert optics.next_date == dt.date(2027, 9, 1)
    assert optics.anticipated == (("evolution_vue", dt.date(2026, 9, 1)),)
    assert optics.covered_on(DAY) is False


def test_idcc_option_sessions_implants_and_each_levels_own_prosthesis_count():
    """Option (over the Base): ostéopathie "25 € par séance limité à 4 séances par an": 3
    used, 1 left (25 €); implantologie 350 €: 350 - 200 = 150 €. One prosthesis not
    reimbursed: each level counts its own 3 a year (Base 100 €, Option 300 €)."""
    history = [
        line("osteopathie", "180", care_date=dt.date(2026, 2, 1), quantity=3),
        line("implantologie", "200", care_date=dt.date(2026, 3, 1)),
        line("prothese-non-remboursee", "500", care_date=dt.date(2026, 4, 1)),
    ]
    answer = rights(request_for(["IDCC1412-BASE", "IDCC1412-OPTION"], history), DAY)
    sessions = allowance(answer, "IDCC1412-OPTION", "osteopathie")
    assert (sessions.used, sessions.left, sessions.left_amount) == (3, 1, d("25.00"))
    assert allowance(answer, "IDCC1412-OPTION", "implantologie").left == d("150.00")
    assert allowance(answer, "IDCC1412-BASE", "prothese-non-remboursee").left == 2
    assert allowance(answer, "IDCC1412-OPTION", "prothese-non-remboursee").left_amount == d("600.00")


def test_idcc_celsius_loyalty_bonus_and_ceilings_that_count_the_lower_level():
    """Celsius over the Base, affiliated since 2020: dental not reimbursed "1000 € par an"
    + 100 € per year of affiliation (at most 9): 1000 + 6 x 100 = 1600 € in 2026. A 500 €
    prosthesis: the Base pays 100 € (1 of its 3), Celsius 400 € "sous déduction"; Celsius'
    ceiling counts the 500 €: 1100 € left. Lenses 150 €: the Base's 100 € are used up,
    Celsius' 300 € count 150 €: 150 € left."""
    history = [
        line("prothese-non-remboursee", "500", care_date=dt.date(2026, 2, 2)),
        line("lentilles", "150", care_date=dt.date(2026, 3, 3)),
    ]
    request = request_for(["IDCC1412-BASE", "IDCC1412-CELSIUS"], history, since=dt.date(2020, 1, 1))
    answer = rights(request, DAY)
    dental = allowance(answer, "IDCC1412-CELSIUS", "prothese-non-remboursee")
    assert (dental.ceiling, dental.loyalty_bonus, dental.used, dental.left) == (
        d("1600"),
        d("600"),
        d("500.00"),
        d("1100.00"),
    )
    assert "implantologie" in dental.acts
    assert allowance(answer, "IDCC1412-BASE", "prothese-non-remboursee").left == 2
    assert allowance(answer, "IDCC1412-BASE", "lentilles").left == d("0.00")
    assert allowance(answer, "IDCC1412-CELSIUS", "lentilles").left == d("150.00")
    assert [layer.role for layer in answer.layers] == ["principal", "facultative"]


def test_idcc_kelvin_per_eye_ceiling_and_pmss_forfait():
    """Kelvin: vision surgery "20 % du PMSS par oeil, par an": 20 % x 4005 € (PMSS 2026) =
    801 € per eye; 500 € on the left eye leave 301 €, the right eye keeps 801 €. Cures
    "25 % du PMSS": 1001,25 €; a 400 € cure (SS 65 €) leaves 601,25 €."""
    history = [
        line("chirurgie-vision", "500", care_date=dt.date(2026, 5, 5), eye="left"),
        line("cure-thermale", "400", br="100", ss="65", care_date=dt.date(2026, 6, 6)),
    ]
    answer = rights(request_for(["IDCC1412-BASE", "IDCC1412-KELVIN"], history), DAY)
    left = allowance(answer, "IDCC1412-KELVIN", "chirurgie-vision", "left")
    right = allowance(answer, "IDCC1412-KELVIN", "chirurgie-vision", "right")
    assert (left.ceiling, left.used, left.left) == (d("801.00"), d("500.00"), d("301.00"))
    assert right.left == d("801.00")
    cure = allowance(answer, "IDCC1412-KELVIN", "cure-thermale")
    assert (cure.ceiling, cure.left) == (d("1001.25"), d("601.25"))


def test_nothing_in_force_means_no_rights():
    request = request_for(["IDCC1412-BASE"], [])
    ended = EngineRequest(
        layers=(Layer(request.layers[0].rules, end=dt.date(2025, 12, 31)),),
        birth_date=ADULT,
        claim_date=DAY,
        lines=(),
        pmss=catalogue.pmss_table(),
    )
    assert rights(ended, DAY).allowances == ()


# --------------------------------------------------------------------------- property: the next care pays "left"

COMBINATIONS = (
    ("CCOOP-BASE",),
    ("CCOOP-OPT1",),
    ("CCOOP-OPT2",),
    ("IDCC1412-BASE",),
    ("IDCC1412-BASE", "IDCC1412-OPTION"),
    ("IDCC1412-BASE", "IDCC1412-CELSIUS"),
    ("IDCC1412-BASE", "IDCC1412-KELVIN"),
)


def _limited_acts(codes) -> list[str]:
    acts: set[str] = set()
    for code in codes:
        rules = catalogue.formula_rules(code)
        for act, rows in rules.rows_by_act.items():
            cell = rows[0].cells[code]
            if (
                cell.kind in ("fixed_year", "pct_pmss_year", "pct_br_plus_year", "pct_pmss_eye_year")
                or (cell.kind == "fixed_act" and cell.max_count)
                or (cell.kind == "fixed_day" and cell.max_days)
            ):
                acts.add(act)
    return sorted(acts)


def _care(act: str, day: dt.date, fr: Decimal, br: Decimal, quantity: int, side: str) -> CareLine:
    """A line of ``act`` as the engine accepts it: SS paid 60 % of the BR, within the FR."""
    br = min(br, fr)
    fields: dict = {"quantity": quantity}
    if act == "chirurgie-vision":
        fields["eye"] = side
    if act.startswith("chambre"):
        fields["days"] = quantity
    return CareLine(act, day, fr, br, money(br * Decimal("0.6")), **fields)


amounts = st.integers(min_value=1, max_value=400_000).map(lambda cents: Decimal(cents) / 100)


@st.composite
def scenarios(draw):
    codes = draw(st.sampled_from(COMBINATIONS))
    acts = _limited_acts(codes)
    day = draw(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)))
    birth = draw(st.dates(dt.date(1945, 1, 1), dt.date(2015, 12, 31)))
    since = draw(st.sampled_from([None, dt.date(2015, 1, 1), dt.date(2022, 6, 1)]))
    history = []
    for _ in range(draw(st.integers(0, 12))):
        act = draw(st.sampled_from(acts))
        care_day = day - dt.timedelta(days=draw(st.integers(0, 500)))
        if care_day < birth:
            continue
        fr, br = draw(amounts), draw(amounts)
        history.append(
            _care(act, care_day, fr, br, draw(st.integers(1, 4)), draw(st.sampled_from(["left", "right", "both"])))
        )
    act = draw(st.sampled_from(acts))
    next_care = _care(act, day, draw(amounts), draw(amounts), draw(st.integers(1, 60)), "left")
    return codes, birth, since, day, history, next_care


def _expected_guarantee(item: Allowance, cell, care: CareLine) -> Decimal:
    """What the level guarantees for ``care`` (SS included) when "left" is what the page
    says: the rule's arithmetic written from the tables' words, with "left" in the
    ceiling's place."""
    if item.unit == "count":
        return money(item.unit_amount * min(care.quantity, item.left))
    if item.unit == "days":
        days = care.days or care.quantity
        if cell.max_days_per_stay:
            days = min(days, cell.max_days_per_stay)
        return money(item.unit_amount * min(days, item.left))
    if cell.kind == "pct_pmss_eye_year":
        return item.left  # the next eye's ceiling; the frais réels cap the payment
    start = money(percent(care.base_remboursement, cell.rate)) if cell.kind == "pct_br_plus_year" else Decimal(0)
    total = start + min(max(care.frais_reels - start, Decimal(0)), item.left)
    if cell.floor_tm and total < care.base_remboursement:
        total = care.base_remboursement
    return money(total)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_the_next_care_of_a_kind_is_paid_what_left_says(scenario):
    codes, birth, since, day, history, care = scenario
    request = request_for(codes, history, birth=birth, since=since, day=day)
    answer = rights(request, day)
    (result,) = compute(request_for(codes, history, birth=birth, since=since, day=day, lines=[care]))
    for level in result.layers:
        mine = [a for a in answer.allowances if a.formula == level.formula and care.act in a.acts]
        mine = [a for a in mine if a.eye in (None, care.eye)]
        if not mine or level.rule is None or (level.limits and level.limits[0].key == "not_reimbursed_by_ss"):
            continue
        (item,) = mine
        cell = next(row.cells[level.formula] for row in catalogue.formula_rules(level.formula).rows_by_act[care.act])
        expected = _expected_guarantee(item, cell, care)
        assert min(level.guaranteed, care.frais_reels) == min(expected, care.frais_reels), (item, level)
    # what the levels pay together: the highest guarantee, less SS, within the frais réels
    highest = max((level.guaranteed for level in result.layers), default=Decimal(0))
    assert result.complementary == max(min(highest, care.frais_reels) - care.ss_paid, Decimal(0))


OPTICS = {
    "003": ("optique-classe-b", {"frame_amount": Decimal("50")}),
    "004": ("verres-unifocaux", {"sphere": Decimal("1")}),
}


@settings(max_examples=200, deadline=None)
@given(
    codes=st.sampled_from(COMBINATIONS),
    birth=st.dates(dt.date(1990, 1, 1), dt.date(2016, 1, 1)),
    bought=st.lists(st.dates(dt.date(2021, 1, 1), dt.date(2026, 6, 30)), min_size=1, max_size=3),
    renewal_reason=st.sampled_from([None, "evolution_vue", "pathologie"]),
)
def test_an_equipment_is_paid_again_exactly_from_the_date_given(codes, birth, bought, renewal_reason):
    notice = catalogue.formula_rules(codes[0]).notice
    act, fields = OPTICS[notice]
    day = dt.date(2026, 7, 1)
    history = [CareLine(act, when, Decimal("300"), **fields) for when in bought if when >= birth]
    answer = rights(request_for(codes, history, birth=birth, day=day), day)
    optics = renewal(answer, "optique")
    if optics.last is None:
        assert not history
        return
    first = optics.next_date
    if renewal_reason:
        first = dict(optics.anticipated).get(renewal_reason, first)
    assert first > optics.last or renewal_reason

    def refused(when: dt.date) -> bool:
        care = CareLine(act, when, Decimal("300"), renewal=renewal_reason, **fields)
        # claimed that day: the care is never more than two years old (prescription)
        earlier = [item for item in history if item.care_date <= when]
        (result,) = compute(request_for(codes, earlier, birth=birth, day=when, lines=[care]))
        return any(limit.key == "periodicity" for limit in result.limits)

    assert not refused(first)
    if first - dt.timedelta(days=1) > optics.last:
        assert refused(first - dt.timedelta(days=1))


@pytest.mark.parametrize("codes", COMBINATIONS)
def test_every_formula_lists_its_ceilings(codes):
    answer = rights(request_for(codes, []), DAY)
    assert answer.allowances and all(a.used == 0 and a.left == a.ceiling for a in answer.allowances)


OTHER_ACTS = ("consultation-generaliste", "pharmacie", "prothese-couronne-bridge")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), codes=st.sampled_from(COMBINATIONS), day=st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31)))
def test_the_lines_that_touch_no_counter_nor_period_change_nothing(data, codes, day):
    """household_rights reads only the lines ``history_acts`` names: the answer is the
    same as after the whole history."""
    from guarantees.engine.rights import history_acts

    notice = catalogue.formula_rules(codes[0]).notice
    rules = catalogue.formula_rules(codes[0])
    optical, fields = OPTICS[notice]
    others = [act for act in OTHER_ACTS if act in rules.catalogue_acts]
    acts = _limited_acts(codes) + [optical] * 3 + others * 2
    history = []
    for _ in range(data.draw(st.integers(0, 25))):
        act = data.draw(st.sampled_from(acts))
        when = day - dt.timedelta(days=data.draw(st.integers(0, 2000)))
        if act == optical:
            history.append(CareLine(act, when, Decimal("300"), **fields))
        else:
            care = _care(act, when, data.draw(amounts), data.draw(amounts), data.draw(st.integers(1, 3)), "both")
            history.append(replace(care, optam=True) if act == "consultation-generaliste" else care)
    request = request_for(codes, history, day=day)
    limited, periodic = history_acts(request.layers)
    kept = [
        item
        for item in history
        if item.act in periodic or (item.act in limited and item.care_date >= dt.date(day.year, 1, 1))
    ]
    assert rights(request_for(codes, kept, day=day), day) == rights(request, day)
