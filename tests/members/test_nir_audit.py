"""The audit trail keeps who changed a NIR and when, never the NIR itself (as for an IBAN)."""

import datetime as dt

from members.models import AuditEntry, Beneficiary, Relationship
from members.services import audit_record
from members.validators import mask_nir
from tests.factories import make_nir
from tests.members.helpers import member_change_form_data


def test_a_nir_is_masked_to_its_sex_digit_and_key():
    assert mask_nir("1 85 05 78 006 084 36") == "1 ** ** ** *** *** 36"
    assert mask_nir("") == ""
    assert mask_nir("2A") == "**"


def test_an_audited_nir_change_is_stored_masked(alice, gestionnaire):
    old, new = alice.holder.nir, make_nir(2, alice.holder.birth_date)
    entry = audit_record(actor=gestionnaire, member=alice, action="modification", field="nir", old=old, new=new)
    entry.refresh_from_db()
    assert (entry.old_value, entry.new_value) == (mask_nir(old), mask_nir(new))
    assert old not in entry.old_value and new not in entry.new_value


def test_a_gestionnaire_changing_a_nir_leaves_a_masked_trace_only(gestionnaire_client, gestionnaire, alice):
    spouse = alice.beneficiaries.get(relationship=Relationship.SPOUSE)
    old, new = spouse.nir, make_nir(1, dt.date(1980, 9, 2))
    url = f"/gestion/members/member/{alice.pk}/change/"
    page = gestionnaire_client.get(url)
    data = member_change_form_data(page, alice)
    prefix = next(key[: -len("-id")] for key, value in data.items() if key.endswith("-id") and value == spouse.pk)
    data[f"{prefix}-nir"] = new
    response = gestionnaire_client.post(url, data)
    assert response.status_code == 302
    assert Beneficiary.objects.get(pk=spouse.pk).nir == new

    entry = AuditEntry.objects.get(member=alice, action="modification bénéficiaire")
    assert entry.actor == gestionnaire and entry.field == str(spouse)
    assert entry.old_value == f"nir : {mask_nir(old)}" and entry.new_value == f"nir : {mask_nir(new)}"
    for row in AuditEntry.objects.values_list("field", "old_value", "new_value"):
        assert old not in " ".join(row) and new not in " ".join(row)
