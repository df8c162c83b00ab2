import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from members.models import Beneficiary, Member, age_on
from tools.demo.members import DEMO_HOUSEHOLD_NUMBER, demo_data_create


@pytest.mark.django_db
def test_demo_data_is_realistic_and_created_once():
    today = dt.date(2026, 11, 22)
    demo_data_create(today)
    counts = (Member.objects.count(), Beneficiary.objects.count(), get_user_model().objects.count())
    demo_data_create(today)
    assert (
        (Member.objects.count(), Beneficiary.objects.count(), get_user_model().objects.count()) == counts == (2, 5, 3)
    )
    household = Member.objects.get(number=DEMO_HOUSEHOLD_NUMBER)
    people = list(household.beneficiaries.order_by("rank"))
    assert [p.relationship for p in people] == ["assure", "conjoint", "enfant", "enfant"]
    assert sorted(age_on(p.birth_date, today) for p in people if p.relationship == "enfant") == [11, 17]
    assert {a.formula.code for a in household.affiliations.all()} == {"IDCC1412-BASE", "IDCC1412-CELSIUS"}
    assert household.user.check_password("Demo-Assure-2026!")
