"""Notices' "Personnes garanties": notice 004 lines 390-409, notice 003 lines 409-425."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from members.models import Affiliation, AffiliationRole, Beneficiary, ChildSituation, Contract, Formula, Relationship
from tests.factories import make_member

START = dt.date(2024, 1, 1)


def child(member, birth, situation=ChildSituation.DEPENDENT, relationship=Relationship.CHILD, **extra):
    return Beneficiary(
        member=member,
        relationship=relationship,
        child_situation=situation,
        first_name="Inès",
        last_name="Martin",
        birth_date=birth,
        cover_start=START,
        **extra,
    )


def member_on(contract_number, formulas):
    return make_member(contract=Contract.objects.get(number=contract_number), formulas=formulas, status_since=START)


@pytest.mark.django_db
class TestChildren:
    def test_a_dependent_child_under_21_is_covered_by_idcc_1412(self):
        member = member_on("T331", ("IDCC1412-BASE",))
        child(member, dt.date(2004, 2, 1)).full_clean()  # 19 at cover start

    def test_a_dependent_child_of_19_is_refused_by_the_retirees_contract(self):
        member = member_on("003 E0135004", ("CCOOP-BASE",))
        with pytest.raises(ValidationError) as error:
            child(member, dt.date(2004, 2, 1)).full_clean()
        assert "moins de 18 ans" in str(error.value)

    def test_a_student_of_27_is_covered_but_not_at_28(self):
        member = member_on("T331", ("IDCC1412-BASE",))
        child(member, dt.date(1996, 1, 2), ChildSituation.STUDENT).full_clean()
        with pytest.raises(ValidationError, match="moins de 28 ans"):
            child(member, dt.date(1996, 1, 1), ChildSituation.STUDENT).full_clean()

    def test_a_job_seeker_is_limited_to_26_by_idcc_1412_and_28_by_the_retirees_contract(self):
        birth = dt.date(1997, 6, 1)  # 26 at cover start
        with pytest.raises(ValidationError, match="moins de 26 ans"):
            child(member_on("T331", ("IDCC1412-BASE",)), birth, ChildSituation.JOB_SEEKER).full_clean()
        child(member_on("003 E0135004", ("CCOOP-BASE",)), birth, ChildSituation.JOB_SEEKER).full_clean()

    def test_a_disabled_child_has_no_age_limit(self):
        member = member_on("T331", ("IDCC1412-BASE",))
        child(member, dt.date(1970, 1, 1), ChildSituation.DISABLED).full_clean()

    def test_a_child_needs_a_situation(self):
        member = member_on("T331", ("IDCC1412-BASE",))
        with pytest.raises(ValidationError, match="Précisez la situation"):
            child(member, dt.date(2015, 1, 1), situation="").full_clean()

    def test_grandchildren_only_under_the_retirees_contract_and_living_with_the_member(self):
        with pytest.raises(ValidationError, match="ne couvre pas les petit-enfants"):
            child(
                member_on("T331", ("IDCC1412-BASE",)), dt.date(2015, 1, 1), relationship=Relationship.GRANDCHILD
            ).full_clean()
        retiree = member_on("003 E0135004", ("CCOOP-BASE",))
        child(retiree, dt.date(2015, 1, 1), relationship=Relationship.GRANDCHILD).full_clean()
        with pytest.raises(ValidationError, match="sous le toit"):
            child(
                retiree, dt.date(2015, 1, 1), relationship=Relationship.GRANDCHILD, lives_with_member=False
            ).full_clean()


@pytest.mark.django_db
def test_ascendants_are_covered_only_by_the_retirees_contract():
    parent = dict(
        relationship=Relationship.ASCENDANT,
        first_name="Jeanne",
        last_name="Martin",
        birth_date=dt.date(1940, 1, 1),
        nir="",
        cover_start=START,
    )
    with pytest.raises(ValidationError, match="ne couvre pas les ascendants"):
        Beneficiary(member=member_on("T331", ("IDCC1412-BASE",)), **parent).full_clean()
    Beneficiary(member=member_on("003 E0135004", ("CCOOP-BASE",)), **parent).full_clean()


@pytest.mark.django_db
def test_only_one_partner_is_covered_at_a_time(alice):
    second = Beneficiary(
        member=alice,
        relationship=Relationship.PACS,
        first_name="Max",
        last_name="Durand",
        birth_date=dt.date(1979, 1, 1),
        cover_start=dt.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError, match="déjà couvert"):
        second.full_clean()


@pytest.mark.django_db
def test_the_holder_needs_a_nir():
    member = member_on("T331", ("IDCC1412-BASE",))
    holder = member.holder
    holder.nir = ""
    with pytest.raises(ValidationError, match="propre numéro"):
        holder.full_clean()


@pytest.mark.django_db
def test_inactive_noemie_needs_a_reason(alice):
    holder = alice.holder
    holder.noemie_status = "inactive"
    with pytest.raises(ValidationError, match="NOEMIE"):
        holder.full_clean()


@pytest.mark.django_db
class TestAffiliationStacking:
    """Notice 004 lines 742-747: which optional level may complete which base level."""

    def affiliate(self, member, code, role=AffiliationRole.OPTIONAL):
        return Affiliation(member=member, formula=Formula.objects.get(code=code), role=role, start_date=START)

    def test_kelvin_may_complete_option(self):
        member = member_on("T331", ("IDCC1412-OPTION",))
        self.affiliate(member, "IDCC1412-KELVIN").full_clean()

    def test_option_may_not_complete_celsius(self):
        member = member_on("T331", ("IDCC1412-CELSIUS",))
        with pytest.raises(ValidationError, match="ne peut pas compléter"):
            self.affiliate(member, "IDCC1412-OPTION").full_clean()

    def test_retirees_formulas_do_not_stack(self):
        member = member_on("003 E0135004", ("CCOOP-BASE",))
        with pytest.raises(ValidationError, match="ne peut pas compléter"):
            self.affiliate(member, "CCOOP-OPT2").full_clean()

    def test_a_formula_of_another_contract_is_refused(self):
        member = member_on("T331", ("IDCC1412-BASE",))
        with pytest.raises(ValidationError, match="n'appartient pas au contrat"):
            self.affiliate(member, "CCOOP-OPT1").full_clean()

    def test_an_optional_level_needs_a_base_level(self):
        member = member_on("T331", ())
        with pytest.raises(ValidationError, match="doit compléter une garantie de base"):
            self.affiliate(member, "IDCC1412-KELVIN").full_clean()

    def test_two_base_levels_cannot_overlap(self):
        member = member_on("T331", ("IDCC1412-BASE",))
        with pytest.raises(ValidationError, match="déjà une garantie de base"):
            self.affiliate(member, "IDCC1412-OPTION", AffiliationRole.PRINCIPAL).full_clean()
