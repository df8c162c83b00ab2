import datetime as dt

import pytest
from django.urls import reverse

from claims.importer import decomptes_import
from members.models import NoemieReason, NoemieStatus
from tests.claims.conftest import consultation, csv_file

pytestmark = pytest.mark.django_db


def test_home_alerts_a_new_reimbursement_and_a_broken_noemie_link(alice_client, alice, bob):
    today = dt.date.today()
    paid = (today - dt.timedelta(days=3)).strftime("%d/%m/%Y")
    care = (today - dt.timedelta(days=10)).strftime("%d/%m/%Y")
    decomptes_import(content=csv_file(consultation("N1", alice, care=care, paid=paid)), file_name="n.csv")
    paul = alice.beneficiaries.get(first_name="Paul")
    paul.noemie_status, paul.noemie_reason = NoemieStatus.INACTIVE, NoemieReason.OTHER_CONTRACT
    paul.save()
    page = alice_client.get(reverse("portal:home")).content.decode()
    assert "Un nouveau remboursement est disponible" in page and f"versés le {paid}" in page
    assert "Télétransmission NOEMIE non active pour Paul" in page
    assert "autre contrat santé" in page


def test_no_alert_when_nothing_happened(alice_client):
    assert "Mes alertes" not in alice_client.get(reverse("portal:home")).content.decode()
