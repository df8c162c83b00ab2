"""Back-office integrity: a member's affiliations are to formulas of their own contract,
when the member is created as when edited, and the database refuses the rest."""

import datetime as dt
import html

import pytest
from django.db import IntegrityError, transaction

from members.models import Affiliation, AffiliationRole, AuditEntry, Contract, Formula, HouseholdVersion, Member
from tests.members.helpers import member_change_form_data

pytestmark = pytest.mark.django_db

ADD = "/gestion/members/member/add/"
NUMBER = "1412777001"


def add_member_data(page, *, contract: Contract, affiliations: list[tuple[str, str]]) -> dict:
    """The add form as a gestionnaire fills it: the member, no household row, the given
    affiliations (formula code, role) from 1 January 2026."""
    data = {
        "number": NUMBER,
        "contract": contract.pk,
        "status": "actif",
        "status_since": "01/01/2026",
        "email": "nouvel.assure@example.fr",
        "address_line1": "1 rue de Lyon",
        "postcode": "69001",
        "city": "Lyon",
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            data[f"{management.prefix}-{name}"] = management.initial.get(name, field.initial)
    prefix = next(f.formset.prefix for f in page.context["inline_admin_formsets"] if f.formset.model is Affiliation)
    data[f"{prefix}-TOTAL_FORMS"] = len(affiliations)
    for index, (code, role) in enumerate(affiliations):
        data |= {
            f"{prefix}-{index}-formula": Formula.objects.get(code=code).pk,
            f"{prefix}-{index}-role": role,
            f"{prefix}-{index}-start_date": "01/01/2026",
        }
    return data


def nothing_written():
    return not Member.objects.filter(number=NUMBER).exists() and not AuditEntry.objects.exists()


def test_creating_a_member_with_another_contracts_formula_is_refused_and_nothing_is_written(gestionnaire_client):
    page = gestionnaire_client.get(ADD)
    data = add_member_data(
        page, contract=Contract.objects.get(number="T331"), affiliations=[("CCOOP-OPT1", AffiliationRole.PRINCIPAL)]
    )
    response = gestionnaire_client.post(ADD, data)
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert (
        "La formule « Option 1 (2240) » n'appartient pas au contrat de l'assuré (T331) : "
        "elle relève du contrat 003 E0135004."
    ) in content
    assert nothing_written() and not Affiliation.objects.filter(formula__code="CCOOP-OPT1").exists()


def test_creating_a_member_with_their_contracts_formulas_works_and_is_audited(gestionnaire_client, gestionnaire):
    page = gestionnaire_client.get(ADD)
    data = add_member_data(
        page,
        contract=Contract.objects.get(number="T331"),
        affiliations=[("IDCC1412-BASE", AffiliationRole.PRINCIPAL), ("IDCC1412-CELSIUS", AffiliationRole.OPTIONAL)],
    )
    response = gestionnaire_client.post(ADD, data)
    assert response.status_code == 302, response.context and [
        f.formset.errors for f in response.context["inline_admin_formsets"]
    ]
    member = Member.objects.get(number=NUMBER)
    assert sorted(member.affiliations.values_list("formula__code", flat=True)) == ["IDCC1412-BASE", "IDCC1412-CELSIUS"]
    assert AuditEntry.objects.filter(member=member, actor=gestionnaire, action="ajout affiliation").count() == 2


def test_creating_a_member_checks_their_new_affiliations_against_each_other(gestionnaire_client):
    page = gestionnaire_client.get(ADD)
    t331 = Contract.objects.get(number="T331")
    for affiliations, error in (
        (
            [("IDCC1412-BASE", AffiliationRole.PRINCIPAL), ("IDCC1412-OPTION", AffiliationRole.PRINCIPAL)],
            "L'assuré a déjà une garantie de base sur cette période.",
        ),
        (
            [("IDCC1412-KELVIN", AffiliationRole.OPTIONAL)],
            "Une option facultative doit compléter une garantie de base couvrant toute sa période.",
        ),
        (
            [("IDCC1412-CELSIUS", AffiliationRole.PRINCIPAL), ("IDCC1412-OPTION", AffiliationRole.OPTIONAL)],
            "ne peut pas compléter la garantie de base",
        ),
    ):
        response = gestionnaire_client.post(ADD, add_member_data(page, contract=t331, affiliations=affiliations))
        assert response.status_code == 200 and error in html.unescape(response.content.decode()), affiliations
        assert nothing_written()


def test_changing_a_members_contract_needs_formulas_of_the_new_contract(gestionnaire_client, alice):
    """Editing: alice's IDCC 1412 formulas stay while she is moved to the retirees' contract."""
    url = f"/gestion/members/member/{alice.pk}/change/"
    page = gestionnaire_client.get(url)
    data = member_change_form_data(page, alice, contract=Contract.objects.get(number="003 E0135004").pk)
    response = gestionnaire_client.post(url, data)
    assert response.status_code == 200
    assert "n'appartient pas au contrat de l'assuré (003 E0135004)" in html.unescape(response.content.decode())
    alice.refresh_from_db()
    assert alice.contract.number == "T331" and not AuditEntry.objects.filter(member=alice).exists()


def test_formula_choices_name_their_contract(gestionnaire_client, alice):
    page = html.unescape(gestionnaire_client.get(f"/gestion/members/member/{alice.pk}/change/").content.decode())
    assert "Celsius — contrat T331 (Garanties Santé IDCC 1412)" in page
    assert "Option 1 (2240) — contrat 003 E0135004 (Frais de santé des anciens du Crédit Coopératif)" in page


def test_the_database_refuses_an_affiliation_to_another_contracts_formula(alice, bob):
    foreign = Formula.objects.get(code="CCOOP-OPT1")
    before = HouseholdVersion.objects.get(member=alice).version
    for write in (
        lambda: Affiliation.objects.create(
            member=alice, formula=foreign, role=AffiliationRole.OPTIONAL, start_date=dt.date(2026, 1, 1)
        ),
        lambda: Affiliation.objects.bulk_create(
            [Affiliation(member=alice, formula=foreign, role="principal", start_date=dt.date(2026, 1, 1))]
        ),
        lambda: Affiliation.objects.filter(member=alice, formula__code="IDCC1412-CELSIUS").update(formula=foreign),
        lambda: Affiliation.objects.filter(member=bob).update(member=alice),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            write()
    assert sorted(alice.affiliations.values_list("formula__code", flat=True)) == ["IDCC1412-BASE", "IDCC1412-CELSIUS"]
    assert HouseholdVersion.objects.get(member=alice).version == before
    # Its own contract's formulas are still written as before.
    Affiliation.objects.filter(member=alice, formula__code="IDCC1412-CELSIUS").update(
        formula=Formula.objects.get(code="IDCC1412-KELVIN")
    )
