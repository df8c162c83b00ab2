"""The tiers-payant card: the page, the PDF read back, its validity, its cache, its log."""

from __future__ import annotations

import base64
import datetime as dt
import io
import subprocess

import pytest
import segno
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from core import pdf
from documents.models import DocumentDownload, GeneratedKind, RenderedDocument
from members import cards
from members.models import Beneficiary, ChildSituation, MemberStatus, Relationship
from tests.conftest import login

TODAY = dt.date(2026, 3, 16)
CARD_URL = "/situation/carte-tiers-payant/carte.pdf"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """These tests log in many times from one address: start each with allauth's login
    rate-limit counters (kept in the cache) at zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Cards depend on the day: pin it."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def pdf_text(content: bytes) -> str:
    """Text as a reader sees it (poppler's pdftotext), whitespace normalised."""
    assert content.startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


def download(client) -> bytes:
    response = client.get(CARD_URL)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    return response.content


@pytest.mark.django_db
def test_it_prints_names_numbers_dates_and_codes_of_the_household(alice_client, alice):
    text = pdf_text(download(alice_client))
    holder = alice.holder
    assert f"N° AMC 920000011 · Adhérent n° {alice.number}" in text
    assert "KLESIA Prévoyance" in text
    assert "Valable du 01/01/2026 au 31/12/2026" in text
    assert f"{holder.last_name.upper()} {holder.first_name}" in text and "14/05/1982" in text
    assert f"{holder.last_name.upper()} Paul" in text and "02/09/1980" in text
    assert f"{holder.last_name.upper()} Léo" in text and "01/03/2012" in text
    # Celsius is stacked on Base conventionnelle: the card prints the Celsius levels.
    for code in (
        "PHAR 100 %",
        "LABO 250 %",
        "RADL 250 %",
        "AUXM 400 %",
        "HOSP 100 % FR",
        "OPTI PEC",
        "DENT 400 %",
        "AUDI 400 %",
    ):
        assert code in text
    assert "Professionnels de santé : 0825 800 824" in text
    assert "Base conventionnelle + Celsius" in text


@pytest.mark.django_db
def test_the_ranks_of_the_household_are_printed_in_order(alice_client, alice):
    text = pdf_text(download(alice_client))
    holder = alice.holder
    last = holder.last_name.upper()
    rows = [
        f"1 · {last} {holder.first_name} · né(e) le 14/05/1982",
        f"2 · {last} Paul · né(e) le 02/09/1980",
        f"3 · {last} Léo · né(e) le 01/03/2012",
    ]
    positions = [text.index(row) for row in rows]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_a_member_on_a_single_formula_gets_its_own_levels(client, bob):
    login(client, bob.user)
    text = pdf_text(download(client))
    assert "KLESIA Mut'" in text and "529168007" in text and bob.number in text
    assert "LABO 260 %" in text and "HOSP 300 %" in text and "AUDI PEC" in text


@pytest.mark.django_db
def test_validity_ends_with_the_cover_for_a_member_leaving_mid_year(alice_client, alice):
    alice.cover_end_date = dt.date(2026, 6, 30)
    alice.save()
    text = pdf_text(download(alice_client))
    assert "Valable du 01/01/2026 au 30/06/2026" in text


@pytest.mark.django_db
def test_validity_ends_with_portability(alice_client, alice):
    alice.status = MemberStatus.PORTABILITY
    alice.status_since = dt.date(2025, 11, 1)
    alice.cover_end_date = dt.date(2026, 8, 31)
    alice.save()
    text = pdf_text(download(alice_client))
    assert "Valable du 01/01/2026 au 31/08/2026 (portabilité)" in text
    assert "maintenues au titre de la portabilité : cette carte n'est plus valable après le 31/08/2026" in text


@pytest.mark.django_db
def test_validity_starts_with_an_affiliation_that_began_this_year(alice):
    alice.affiliations.update(start_date=dt.date(2026, 2, 1))
    alice.beneficiaries.update(cover_start=dt.date(2026, 2, 1))
    validity = cards.card_validity(alice, TODAY)
    assert (validity.start, validity.end) == (dt.date(2026, 2, 1), dt.date(2026, 12, 31))


@pytest.mark.django_db
def test_a_beneficiary_whose_cover_ends_earlier_shows_their_own_end(alice_client, alice):
    alice.beneficiaries.filter(first_name="Paul").update(cover_end=dt.date(2026, 5, 31))
    text = pdf_text(download(alice_client))
    assert "Paul · né(e) le 02/09/1980 · jusqu'au 31/05/2026" in text


@pytest.mark.django_db
def test_a_member_whose_cover_has_ended_gets_an_explanation_and_no_card(alice_client, alice, renders):
    alice.status = MemberStatus.TERMINATED
    alice.cover_end_date = dt.date(2026, 2, 28)
    alice.save()
    page = alice_client.get(reverse("members:card")).content.decode()
    assert "Votre couverture santé a pris fin le 28/02/2026" in page
    assert reverse("members:card_pdf") not in page
    response = alice_client.get(CARD_URL)
    assert response.status_code == 302 and response["Location"] == reverse("members:card")
    assert renders == [] and not DocumentDownload.objects.exists()


@pytest.mark.django_db
def test_a_member_whose_guarantees_start_later_is_told_when(alice_client, alice):
    alice.affiliations.update(start_date=dt.date(2026, 4, 1))
    page = alice_client.get(reverse("members:card")).content.decode()
    assert "Vos garanties prennent effet le 01/04/2026" in page


@pytest.mark.django_db
def test_the_card_page_explains_and_links_the_download(alice_client, alice):
    page = alice_client.get(reverse("members:card")).content.decode()
    assert "carte Vitale" in page and "920000011" in page and alice.number in page
    assert "du 01/01/2026 au 31/12/2026" in page and "Léo" in page and "AUXM" in page
    assert f'href="{CARD_URL}"' in page


@pytest.mark.django_db
def test_the_qr_code_carries_the_cards_identifiers_and_no_name(alice):
    content = cards.card_content(alice, TODAY)
    assert content["qr_payload"] == f"TP/920000011/{alice.number}/20260101-20261231/1.2.3"
    assert alice.holder.last_name not in content["qr_payload"]
    # The inline PNG is that QR code, one pixel per module, dark on white.
    url = cards.qr_png(content["qr_payload"])
    assert url.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    matrix = segno.make(content["qr_payload"], error="m", micro=False, mask=cards.QR_MASK).matrix
    assert image.size == (len(matrix), len(matrix))
    dark = [[image.getpixel((x, y)) == 0 for x in range(image.width)] for y in range(image.height)]
    assert dark == [[bool(module) for module in row] for row in matrix]


@pytest.mark.django_db
def test_the_printed_card_is_credit_card_sized(alice_client):
    reader = PdfReader(io.BytesIO(download(alice_client)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    # The card's stylesheet draws each half of the card at ISO ID-1 size.
    source = (pdf.Path(__file__).resolve().parents[2] / "static" / "pdf" / "card.css").read_text()
    assert "width: 85.6mm; height: 53.98mm" in source


@pytest.mark.django_db
def test_the_card_is_a_tagged_pdf_with_its_title_and_language(alice_client, alice):
    reader = PdfReader(io.BytesIO(download(alice_client)))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fr" and "/StructTreeRoot" in catalog and bool(catalog["/MarkInfo"]["/Marked"])
    assert reader.metadata.title == f"Carte de tiers payant 2026 - adhérent {alice.number}"


@pytest.mark.django_db
def test_a_second_download_is_served_from_the_cache(alice_client, alice, renders):
    first = download(alice_client)
    second = download(alice_client)
    assert first == second
    assert renders == [cards.CARD_TEMPLATE]
    assert RenderedDocument.objects.filter(member=alice).count() == 1


@pytest.mark.django_db
def test_renaming_a_beneficiary_renders_a_new_card(alice_client, alice, renders):
    download(alice_client)
    Beneficiary.objects.filter(member=alice, first_name="Léo").update(first_name="Léon")
    text = pdf_text(download(alice_client))
    assert len(renders) == 2
    assert "Léon" in text
    # The stale card is not kept.
    assert RenderedDocument.objects.filter(member=alice, kind=GeneratedKind.TIERS_PAYANT_CARD).count() == 1


@pytest.mark.django_db
def test_adding_then_removing_a_beneficiary_renders_each_time(alice_client, alice, renders):
    download(alice_client)
    child = Beneficiary.objects.create(
        member=alice,
        relationship=Relationship.CHILD,
        child_situation=ChildSituation.DEPENDENT,
        first_name="Zoé",
        last_name=alice.holder.last_name,
        birth_date=dt.date(2019, 7, 7),
        rank=4,
        cover_start=dt.date(2026, 1, 1),
    )
    assert "Zoé · né(e) le 07/07/2019" in pdf_text(download(alice_client))
    # Removing someone from the contract ends their cover (the row stays for history).
    child.cover_end = TODAY - dt.timedelta(days=1)
    child.save()
    # With her birth date: a generated holder may also be called Zoé.
    assert "Zoé · né(e) le 07/07/2019" not in pdf_text(download(alice_client))
    assert len(renders) == 3


@pytest.mark.django_db
def test_a_cached_card_whose_file_was_lost_is_rendered_again(alice_client, alice, renders):
    download(alice_client)
    cached = RenderedDocument.objects.get(member=alice)
    cached.file.storage.delete(cached.file.name)
    assert pdf_text(download(alice_client))
    assert len(renders) == 2


@pytest.mark.django_db
def test_every_download_is_logged_and_shown_in_the_members_history(alice_client, alice, bob):
    download(alice_client)
    download(alice_client)
    logged = DocumentDownload.objects.filter(member=alice)
    assert logged.count() == 2
    assert {d.user_id for d in logged} == {alice.user_id}
    assert {d.kind for d in logged} == {GeneratedKind.TIERS_PAYANT_CARD}
    page = alice_client.get(reverse("members:documents")).content.decode()
    assert page.count("<td>Carte de tiers payant</td>") == 2
    assert "à" in page and "Vous" in page
    assert not DocumentDownload.objects.filter(member=bob).exists()


@pytest.mark.django_db
def test_a_stranger_only_ever_gets_their_own_card(client, alice, bob, alice_client):
    download(alice_client)
    alice_doc = RenderedDocument.objects.get(member=alice)
    client.logout()
    login(client, bob.user)
    text = pdf_text(download(client))
    assert bob.number in text and alice.number not in text and "Léo · né(e) le 01/03/2012" not in text
    # Whatever id is tried, nothing of alice's is reachable.
    for url in (
        f"/situation/carte-tiers-payant/{alice.pk}/",
        f"/situation/carte-tiers-payant/carte.pdf/{alice.pk}",
        f"/situation/carte-tiers-payant/{alice_doc.pk}.pdf",
        f"/fichiers/{alice_doc.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    text = pdf_text(client.get(f"{CARD_URL}?member={alice.pk}&id={alice_doc.pk}").content)
    assert alice.number not in text
    # Bob's history lists his two downloads, never alice's.
    page = client.get(reverse("members:documents")).content.decode()
    assert page.count("<td>Carte de tiers payant</td>") == 2
    assert DocumentDownload.objects.filter(member=alice).count() == 1


@pytest.mark.django_db
def test_the_card_requires_a_logged_in_member(client, gestionnaire_client):
    assert gestionnaire_client.get(CARD_URL).status_code == 403
    gestionnaire_client.logout()
    response = client.get(CARD_URL)
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
