"""The back-office for gestionnaires: what the group can and cannot do."""

import pytest

from members.models import AuditEntry
from tests.members.helpers import member_change_form_data


@pytest.mark.django_db
def test_gestionnaire_finds_a_member_by_number_name_and_nir(gestionnaire_client, alice, bob):
    holder = alice.holder
    for term in (alice.number, holder.last_name, holder.nir):
        page = gestionnaire_client.get("/gestion/members/member/", {"q": term}).content.decode()
        assert alice.number in page, term
        assert bob.number not in page, term


@pytest.mark.django_db
def test_gestionnaire_filters_by_status_contract_and_formula(gestionnaire_client, alice, bob):
    page = gestionnaire_client.get("/gestion/members/member/", {"formule": "IDCC1412-CELSIUS"}).content.decode()
    assert alice.number in page and bob.number not in page
    page = gestionnaire_client.get(
        "/gestion/members/member/", {"contract__id__exact": bob.contract_id}
    ).content.decode()
    assert bob.number in page and alice.number not in page


@pytest.mark.django_db
def test_member_page_shows_beneficiaries_inline(gestionnaire_client, alice):
    page = gestionnaire_client.get(f"/gestion/members/member/{alice.pk}/change/").content.decode()
    assert "Léo" in page and "Bénéficiaires" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/gestion/auth/user/", "/gestion/auth/group/", "/gestion/auth/user/add/", "/gestion/members/contract/add/"]
)
def test_gestionnaire_cannot_manage_users_groups_or_reference_data(gestionnaire_client, url):
    assert gestionnaire_client.get(url).status_code == 403


@pytest.mark.django_db
def test_a_change_by_a_gestionnaire_is_audited_and_bank_details_are_read_only(gestionnaire_client, gestionnaire, alice):
    url = f"/gestion/members/member/{alice.pk}/change/"
    page = gestionnaire_client.get(url)
    data = member_change_form_data(
        page, alice, phone="0611223344", iban="FR1420041010050500013M02606", email="attacker@example.net"
    )
    response = gestionnaire_client.post(url, data)
    assert response.status_code == 302, (
        [f.formset.errors for f in response.context["inline_admin_formsets"]] if response.context else ""
    )
    entries = {e.field: e for e in AuditEntry.objects.filter(member=alice)}
    assert entries["phone"].new_value == "0611223344" and entries["phone"].actor == gestionnaire
    assert "iban" not in entries  # bank details change only through a validated request (RIB + 2FA)
    alice.refresh_from_db()
    assert alice.iban == "FR7630006000011234567890189"
    # Her login address changes only through Profil (proved by a link, the old one told).
    assert "email" not in entries
    assert alice.email != "attacker@example.net" and alice.user.email == alice.email
