import pytest
from django.core.management import call_command

from claims.models import Decompte, DecompteLine

pytestmark = pytest.mark.django_db


def test_seed_demo_imports_the_households_reimbursements_once(capsys):
    call_command("seed_demo")
    counts = (Decompte.objects.count(), DecompteLine.objects.count())
    call_command("seed_demo")
    assert (Decompte.objects.count(), DecompteLine.objects.count()) == counts == (13, 13)
    assert Decompte.objects.filter(status=Decompte.Status.PENDING).count() == 2
    assert all(line.rule_label for line in DecompteLine.objects.all())
    assert "1412000001" in capsys.readouterr().out
