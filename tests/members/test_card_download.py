"""cards.card_download, the card download's path: a card checked today against the
household's current version is served after one query; any change of the household, of
what it points to, of the day or of the layout goes back to the content and its key."""

from __future__ import annotations

import datetime as dt

import pytest

from documents import pdf_cache
from documents.models import GeneratedKind, RenderedDocument
from members import cards
from members.models import Affiliation, Beneficiary, Formula, Member
from members.selectors import household_of
from tests.members.test_card import TODAY, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The download view takes today's date: pin it (card_download is given its day)."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def card_text(member, day=TODAY) -> str:
    document, served_day = cards.card_download(member.pk, day)
    assert served_day == day
    return pdf_text(pdf_cache.rendered_document_read(document))


def test_a_card_checked_today_is_served_after_one_query(alice, renders, django_assert_num_queries):
    first, _ = cards.card_download(alice.pk, TODAY)
    with django_assert_num_queries(1):
        second, _ = cards.card_download(alice.pk, TODAY)
    assert second.pk == first.pk and renders == [cards.CARD_TEMPLATE]
    assert pdf_cache.rendered_document_read(second) == pdf_cache.rendered_document_read(first)


def test_a_card_from_the_cached_household_prints_what_a_fresh_read_prints(alice):
    from django.core.cache import cache

    fresh = cards.card_content(Member.objects.get(pk=alice.pk), TODAY)
    assert cards._card_content(household_of(Member.objects.get(pk=alice.pk)), TODAY) == fresh
    cache.clear()
    assert cards.card_content(Member.objects.get(pk=alice.pk), TODAY) == fresh


def test_the_download_view_and_card_download_share_the_cache(alice_client, alice, renders):
    from tests.members.test_card import download

    download(alice_client)
    document, _ = cards.card_download(alice.pk, TODAY)
    assert renders == [cards.CARD_TEMPLATE]
    assert RenderedDocument.objects.get(member=alice).pk == document.pk


def test_a_beneficiary_renamed_by_a_queryset_update_is_printed_at_once(alice, renders):
    card_text(alice)
    Beneficiary.objects.filter(member=alice, first_name="Léo").update(first_name="Léon")
    assert "Léon" in card_text(alice)
    assert len(renders) == 2
    assert RenderedDocument.objects.filter(member=alice, kind=GeneratedKind.TIERS_PAYANT_CARD).count() == 1


def test_a_beneficiary_whose_cover_ends_today_is_gone_tomorrow(alice, renders):
    Beneficiary.objects.filter(member=alice, first_name="Paul").update(cover_end=TODAY)
    assert "Paul · né(e) le 02/09/1980 · jusqu'au 16/03/2026" in card_text(alice)
    # Nothing was written since: only the day tells.
    tomorrow = card_text(alice, TODAY + dt.timedelta(days=1))
    # Names with their birth date: a generated holder may be called "Pauline".
    assert "Paul · né(e) le 02/09/1980" not in tomorrow and "Léo · né(e) le 01/03/2012" in tomorrow
    assert len(renders) == 2


def test_an_unchanged_card_checked_again_the_next_day_is_not_rendered_again(alice, renders, django_assert_num_queries):
    first, _ = cards.card_download(alice.pk, TODAY)
    second, _ = cards.card_download(alice.pk, TODAY + dt.timedelta(days=1))
    assert second.pk == first.pk and len(renders) == 1
    with django_assert_num_queries(1):
        cards.card_download(alice.pk, TODAY + dt.timedelta(days=1))


def test_the_new_year_gives_a_new_card(alice, renders):
    assert "Valable du 01/01/2026 au 31/12/2026" in card_text(alice, dt.date(2026, 12, 31))
    assert "Valable du 01/01/2027 au 31/12/2027" in card_text(alice, dt.date(2027, 1, 2))


def test_an_option_ended_by_a_queryset_update_leaves_the_card(alice, renders):
    assert "Base conventionnelle + Celsius" in card_text(alice)
    Affiliation.objects.filter(member=alice, formula__code="IDCC1412-CELSIUS").update(
        end_date=TODAY - dt.timedelta(days=1)
    )
    text = card_text(alice)
    assert "Garanties Base conventionnelle ·" in text and "Celsius" not in text


def test_a_new_affiliation_is_printed(bob, renders):
    card_text(bob)
    Affiliation.objects.filter(member=bob).update(formula=Formula.objects.get(code="CCOOP-OPT2"))
    assert Formula.objects.get(code="CCOOP-OPT2").name in card_text(bob)
    assert len(renders) == 2


def test_a_member_updated_through_a_queryset_gets_the_new_validity(alice):
    card_text(alice)
    Member.objects.filter(pk=alice.pk).update(cover_end_date=dt.date(2026, 6, 30))
    assert "Valable du 01/01/2026 au 30/06/2026" in card_text(alice)


def test_a_member_whose_cover_ended_gets_no_card_even_after_a_check(alice):
    card_text(alice)
    Member.objects.filter(pk=alice.pk).update(cover_end_date=TODAY - dt.timedelta(days=1))
    with pytest.raises(cards.DocumentUnavailable):
        cards.card_download(alice.pk, TODAY)


def test_a_change_of_the_formulas_levels_is_printed(alice):
    assert "PHAR 100 %" in card_text(alice)
    celsius = Formula.objects.get(code="IDCC1412-CELSIUS")
    Formula.objects.filter(pk=celsius.pk).update(tiers_payant={**celsius.tiers_payant, "PHAR": "150 %"})
    assert "PHAR 150 %" in card_text(alice)


def test_a_new_layout_is_never_served_from_an_old_check(alice, renders, monkeypatch):
    card_text(alice)
    monkeypatch.setattr(cards, "_card_layout", lambda: "another layout")
    card_text(alice)
    assert len(renders) == 2


def test_a_checked_card_whose_file_was_lost_is_rendered_again(alice, renders):
    document, _ = cards.card_download(alice.pk, TODAY)
    document.file.storage.delete(document.file.name)
    assert "Léo" in card_text(alice)
    assert len(renders) == 2


def test_a_member_only_ever_gets_their_own_card(alice, bob):
    alices, _ = cards.card_download(alice.pk, TODAY)
    bobs, _ = cards.card_download(bob.pk, TODAY)
    assert bobs.pk != alices.pk and bobs.member_id == bob.pk
    text = pdf_text(pdf_cache.rendered_document_read(bobs))
    assert bob.number in text and alice.number not in text
