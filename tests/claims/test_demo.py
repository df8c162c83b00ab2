import pytest
from django.core.management import call_command

from claims.models import Decompte, DecompteLine
from members.models import NoemieStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_imports_the_households_reimbursements_once(capsys):
    call_command("seed_demo")
    counts = (Decompte.objects.count(), DecompteLine.objects.count())
    call_command("seed_demo")
    assert (Decompte.objects.count(), DecompteLine.objects.count()) == counts == (13, 13)
    assert Decompte.objects.filter(status=Decompte.Status.PENDING).count() == 2
    assert all(line.rule_label for line in DecompteLine.objects.all())
    assert "1412000001" in capsys.readouterr().out


def test_no_noemie_decompte_for_a_person_whose_noemie_link_is_not_active():
    call_command("seed_demo")
    lines = DecompteLine.objects.select_related("beneficiary", "decompte")
    inactive = [line for line in lines if line.beneficiary.noemie_status == NoemieStatus.INACTIVE]
    assert inactive  # the demo spouse ("NOEMIE non active") has care, on paper
    assert {line.decompte.origin for line in inactive} == {Decompte.Origin.PAPER}
    active = [line for line in lines if line.beneficiary.noemie_status == NoemieStatus.ACTIVE]
    assert {line.decompte.origin for line in active} == {Decompte.Origin.NOEMIE}
