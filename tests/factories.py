"""Test data: factories and small builders for real files. Personas live in conftest."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from members.models import Affiliation, AffiliationRole, Beneficiary, Contract, Formula, Member, Relationship
from members.validators import nir_with_key

_nir_order = itertools.count(100)
PASSWORD = "Un-Mot-de-passe-solide-42"


def make_nir(sex: int, birth: dt.date) -> str:
    return nir_with_key(f"{sex}{birth:%y}{birth:%m}75056{next(_nir_order) % 1000:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.fr")
    password = factory.django.Password(PASSWORD)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    number = factory.Sequence(lambda n: f"9{n:09d}")
    contract = factory.LazyFunction(lambda: Contract.objects.get(number="T331"))
    email = factory.LazyAttribute(lambda o: f"m{o.number}@example.fr")
    address_line1 = "12 rue de la Paix"
    postcode = "75002"
    city = "Paris"
    iban = "FR7630006000011234567890189"
    status_since = dt.date(2020, 1, 1)


# First names that personas and tests give to people they then look up by name: a generated
# holder never takes one of them (a holder called "Paul" made alice's household hold two).
NAMES_TESTS_USE = frozenset({"Paul", "Léo", "Zoé", "Léon", "Max", "Jeanne", "Pauline", "Camille", "Lucie"})


def _generated_first_name() -> str:
    faker = factory.Faker._get_faker(locale="fr_FR")  # factory_boy's own generator (its seed)
    while (name := faker.first_name()) in NAMES_TESTS_USE:
        continue
    return name


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    member = factory.SubFactory(MemberFactory)
    relationship = Relationship.MEMBER
    first_name = factory.LazyFunction(_generated_first_name)
    last_name = factory.Faker("last_name", locale="fr_FR")
    birth_date = dt.date(1980, 6, 15)
    nir = factory.LazyAttribute(lambda o: make_nir(1, o.birth_date) if o.relationship == Relationship.MEMBER else "")
    cover_start = dt.date(2020, 1, 1)


def make_member(
    *, formulas: tuple[str, ...] = ("IDCC1412-BASE",), with_user: bool = True, birth_date=dt.date(1980, 6, 15), **fields
) -> Member:
    """A member, their holder row, their affiliations and (by default) a login account."""
    member = MemberFactory(**fields)
    BeneficiaryFactory(member=member, birth_date=birth_date)
    for index, code in enumerate(formulas):
        Affiliation.objects.create(
            member=member,
            formula=Formula.objects.get(code=code),
            role=AffiliationRole.PRINCIPAL if index == 0 else AffiliationRole.OPTIONAL,
            start_date=member.status_since,
        )
    if with_user:
        member.user = UserFactory(username=member.number, email=member.email)
        member.save()
    return member


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size=(40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
