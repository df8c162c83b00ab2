"""A realistic demo data set: a household on an IDCC 1412 formula, a retiree on a notice
003 formula, and a gestionnaire. Idempotent: running it twice creates nothing new."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from faker import Faker

from accounts.models import EmailCodeDevice
from core.access import GESTIONNAIRE_GROUP
from members.models import (
    Affiliation,
    AffiliationRole,
    Beneficiary,
    ChildSituation,
    Contract,
    Formula,
    Member,
    NoemieReason,
    NoemieStatus,
    Relationship,
)
from members.validators import nir_with_key

DEMO_MEMBER_PASSWORD = "Demo-Assure-2026!"
DEMO_GESTIONNAIRE_PASSWORD = "Demo-Gestion-2026!"
DEMO_HOUSEHOLD_NUMBER = "1412000001"
DEMO_RETIREE_NUMBER = "0030000001"
DEMO_GESTIONNAIRE_USERNAME = "gestionnaire"


@dataclass
class DemoCredentials:
    login: str
    password: str
    role: str


def _years_ago(today: dt.date, years: int, month: int, day: int) -> dt.date:
    return dt.date(today.year - years, month, day)


def _nir(sex: int, birth: dt.date, dept: str, commune: int, order: int) -> str:
    return nir_with_key(f"{sex}{birth:%y}{birth:%m}{dept}{commune:03d}{order:03d}")


def _user(username: str, email: str, password: str, **extra):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"email": email, **extra})
    if created:
        user.set_password(password)
        user.save()
    # As after a first connection: the address is verified, so "Mot de passe oublié" works.
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"primary": True, "verified": True})
    return user


@transaction.atomic
def demo_data_create(today: dt.date | None = None) -> list[DemoCredentials]:
    today = today or timezone.localdate()
    fake = Faker("fr_FR")
    Faker.seed(1412)
    contract_1412 = Contract.objects.get(number="T331")
    contract_003 = Contract.objects.get(number="003 E0135004")

    if not Member.objects.filter(number=DEMO_HOUSEHOLD_NUMBER).exists():
        last_name = fake.last_name()
        member = Member(
            number=DEMO_HOUSEHOLD_NUMBER,
            contract=contract_1412,
            email="camille.demo@example.fr",
            phone="0612345678",
            address_line1=fake.street_address(),
            postcode="69003",
            city="Lyon",
            iban="FR7630006000011234567890189",
            bic="AGRIFRPP",
            status_since=dt.date(today.year - 6, 3, 1),
        )
        member.full_clean()
        member.save()
        cover_start = member.status_since
        people = [
            (Relationship.MEMBER, "Mme", fake.first_name_female(), _years_ago(today, 41, 5, 14), 2, "69", ""),
            (Relationship.SPOUSE, "M.", fake.first_name_male(), _years_ago(today, 43, 9, 2), 1, "38", ""),
            (
                Relationship.CHILD,
                "",
                fake.first_name_male(),
                today.replace(year=today.year - 17) - dt.timedelta(days=40),
                0,
                "",
                ChildSituation.DEPENDENT,
            ),
            (
                Relationship.CHILD,
                "",
                fake.first_name_female(),
                _years_ago(today, 11, 1, 23),
                0,
                "",
                ChildSituation.DEPENDENT,
            ),
        ]
        for rank, (relationship, civility, first_name, birth, sex, dept, situation) in enumerate(people, start=1):
            person = Beneficiary(
                member=member,
                relationship=relationship,
                civility=civility,
                first_name=first_name,
                last_name=last_name,
                birth_date=birth,
                nir=_nir(sex, birth, dept, 123, 40 + rank) if sex else "",
                caisse="CPAM du Rhône",
                rank=rank,
                child_situation=situation,
                noemie_status=NoemieStatus.ACTIVE,
                cover_start=max(cover_start, birth),
            )
            if relationship == Relationship.SPOUSE:
                person.noemie_status = NoemieStatus.INACTIVE
                person.noemie_reason = NoemieReason.OTHER_CONTRACT
            person.full_clean()
            person.save()
        base = Formula.objects.get(code="IDCC1412-BASE")
        celsius = Formula.objects.get(code="IDCC1412-CELSIUS")
        for formula, role in ((base, AffiliationRole.PRINCIPAL), (celsius, AffiliationRole.OPTIONAL)):
            affiliation = Affiliation(member=member, formula=formula, role=role, start_date=cover_start)
            affiliation.full_clean()
            affiliation.save()
        member.user = _user(DEMO_HOUSEHOLD_NUMBER, member.email, DEMO_MEMBER_PASSWORD)
        member.save(update_fields=["user"])

    if not Member.objects.filter(number=DEMO_RETIREE_NUMBER).exists():
        birth = _years_ago(today, 68, 11, 30)
        member = Member(
            number=DEMO_RETIREE_NUMBER,
            contract=contract_003,
            email="dominique.demo@example.fr",
            phone="0298765432",
            address_line1=fake.street_address(),
            postcode="29200",
            city="Brest",
            iban="FR1420041010050500013M02606",
            status="retraite",
            status_since=dt.date(today.year - 3, 1, 1),
        )
        member.full_clean()
        member.save()
        holder = Beneficiary(
            member=member,
            relationship=Relationship.MEMBER,
            civility="M.",
            first_name=fake.first_name_male(),
            last_name=fake.last_name(),
            birth_date=birth,
            nir=_nir(1, birth, "29", 19, 7),
            caisse="CPAM du Finistère",
            noemie_status=NoemieStatus.ACTIVE,
            cover_start=member.status_since,
        )
        holder.full_clean()
        holder.save()
        Affiliation.objects.create(
            member=member,
            formula=Formula.objects.get(code="CCOOP-OPT1"),
            role=AffiliationRole.PRINCIPAL,
            start_date=member.status_since,
        )
        member.user = _user(DEMO_RETIREE_NUMBER, member.email, DEMO_MEMBER_PASSWORD)
        member.save(update_fields=["user"])

    household_user = Member.objects.get(number=DEMO_HOUSEHOLD_NUMBER).user
    retiree_user = Member.objects.get(number=DEMO_RETIREE_NUMBER).user
    gestionnaire = _user(
        DEMO_GESTIONNAIRE_USERNAME,
        "gestion.demo@example.fr",
        DEMO_GESTIONNAIRE_PASSWORD,
        is_staff=True,
        first_name="Sam",
        last_name="Gestion",
    )
    gestionnaire.groups.add(Group.objects.get(name=GESTIONNAIRE_GROUP))
    # Demo logins pass the second factor with a code e-mailed to var/emails/ (local settings).
    for user in (household_user, retiree_user, gestionnaire):
        EmailCodeDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "code par e-mail"})
    return [
        DemoCredentials(DEMO_HOUSEHOLD_NUMBER, DEMO_MEMBER_PASSWORD, "assurée (foyer de 4, IDCC 1412 Base + Celsius)"),
        DemoCredentials(DEMO_RETIREE_NUMBER, DEMO_MEMBER_PASSWORD, "assuré retraité (Crédit Coopératif, Option 1)"),
        DemoCredentials(DEMO_GESTIONNAIRE_USERNAME, DEMO_GESTIONNAIRE_PASSWORD, "gestionnaire (back-office /gestion/)"),
    ]
