"""The inbox page: its rows show each thread as a member reads it, its one-query page
(messaging.selectors.inbox_page) pages as a member expects, and the search lists
reference data kept in the cache until it changes."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from messaging.models import Category, Message, Thread, ThreadStatus, Topic
from messaging.selectors import inbox_page, matching_threads
from messaging.services import thread_close, thread_reply_by_gestionnaire
from tests.messaging.helpers import new_thread, search


def _many_threads(member, bodies) -> list[Thread]:
    """Threads written over past days (a member may open 20 an hour)."""
    threads = []
    for body in bodies:
        thread = new_thread(member, body=body)
        Thread.objects.filter(pk=thread.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
        threads.append(thread)
    return threads


def _row_links(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/messagerie/(\d+)/"', html)]


@pytest.fixture
def varied_threads(alice, gestionnaire):
    """Threads in every state, one with two unread replies, one about a child whose name
    needs escaping, one at 23:30 UTC (the next day in Paris)."""
    child = alice.beneficiaries.exclude(relationship="assure").first()
    child.first_name = "Zoé <b>\"&'"
    child.save()
    answered = new_thread(alice, topic="carte-tiers-payant")
    for body in ("Première réponse", "Seconde réponse"):
        thread_reply_by_gestionnaire(thread=answered, author=gestionnaire, body=body)
    closed = new_thread(alice, topic="coordonnees")
    thread_close(thread=closed)
    late = new_thread(alice, topic="devis-dentaire", beneficiary=child)
    Thread.objects.filter(pk=late.pk).update(last_message_at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))
    new_thread(alice)
    return answered, closed, late


def _rows(html: str) -> dict[int, str]:
    """Each row of the inbox table by the thread it links to."""
    return {
        int(pk): row for row, pk in re.findall(r'(<tr class="[^"]*">.*?href="/messagerie/(\d+)/".*?</tr>)', html, re.S)
    }


def test_each_row_shows_objet_category_person_date_and_state(alice_client, alice, varied_threads):
    answered, closed, late = varied_threads
    html = alice_client.get("/messagerie/").content.decode()
    rows = _rows(html)
    assert len(rows) == 4
    # A reply waits: the row is marked, the objet bold with the count of unread replies.
    assert 'class="is-unread"' in rows[answered.pk]
    assert (
        '<strong>Ma carte de tiers payant</strong> <span class="badge badge--warn">2 non lus</span>'
        in rows[answered.pk]
    )
    assert '<span class="badge badge--ok">Répondu</span>' in rows[answered.pk]
    assert '<span class="badge ">Clos</span>' in rows[closed.pk] and "non lu" not in rows[closed.pk]
    # The child's name is escaped; the last message is shown in Paris time.
    assert '<td data-label="Bénéficiaire">Zoé &lt;b&gt;&#34;&amp;&#39; ' in rows[late.pk] and "<b>" not in rows[late.pk]
    assert '<td data-label="Dernier message">02/03/2026 00:30</td>' in rows[late.pk]
    assert '<span class="badge badge--warn">Envoyé</span>' in rows[late.pk]


def test_the_inbox_pages_by_twenty_newest_first(alice_client, alice):
    threads = _many_threads(alice, [f"Question {index}" for index in range(23)])
    for age, thread in enumerate(reversed(threads)):
        Thread.objects.filter(pk=thread.pk).update(last_message_at=timezone.now() - dt.timedelta(hours=age))
    newest_first = [thread.pk for thread in reversed(threads)]
    first = alice_client.get("/messagerie/").content.decode()
    assert _row_links(first) == newest_first[:20] and "Page 1 sur 2" in first and "page=2" in first
    second = alice_client.get("/messagerie/", {"page": "2"}).content.decode()
    assert _row_links(second) == newest_first[20:] and "Page 2 sur 2" in second
    # A page number alone is not a search: the form stays closed and unfilled.
    assert '<details class="card" open' not in second and "demandes trouvées" not in second
    assert _row_links(alice_client.get("/messagerie/", {"page": "99"}).content.decode()) == newest_first[20:]
    for wrong in ("abc", "0", "-1", "²", "٣", "99999999999999999999"):
        response = alice_client.get("/messagerie/", {"page": wrong})
        assert response.status_code == 400, wrong
        assert "Le numéro de page demandé n&#39;est pas valide." in response.content.decode()


def test_a_search_counts_and_pages_its_own_results(alice_client, alice):
    _many_threads(alice, [f"Facture optique {index}" if index % 2 else f"Autre sujet {index}" for index in range(22)])
    html = search(alice_client, q="optique").content.decode()
    assert "11 demandes trouvées" in html and len(_row_links(html)) == 11 and "Page 1 sur" not in html
    assert 'value="optique"' in html


def test_the_page_count_and_unread_marks_match_the_orm(alice, varied_threads):
    page = inbox_page(alice.pk)
    assert page.count == Thread.objects.filter(member=alice).count() == 4
    for row in page.rows:
        assert (
            row.unread
            == Message.objects.filter(thread_id=row.pk, from_member=False, read_by_member_at__isnull=True).count()
        )
        assert row.status_label == ThreadStatus(row.status).label
    searched = inbox_page(alice.pk, search={"topic_code": "carte-tiers-payant"})
    assert [row.pk for row in searched.rows] == list(
        matching_threads(alice.pk, topic_code="carte-tiers-payant").values_list("pk", flat=True)
    )


def test_another_members_threads_never_appear(alice, bob, bob_client):
    new_thread(alice, body="Confidentiel Alice")
    assert inbox_page(bob.pk).count == 0
    html = search(bob_client, q="Confidentiel").content.decode()
    assert "Aucune demande ne correspond" in html and _row_links(html) == []


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def test_the_search_lists_show_a_change_of_category_or_objet_at_once(alice_client):
    before = alice_client.get("/messagerie/").content.decode()
    assert "nouvelle-categorie" not in _options(before, "categorie")
    category = Category.objects.create(code="nouvelle-categorie", label="Nouvelle catégorie", position=99)
    topic = Topic.objects.create(category=category, code="nouvel-objet", label="Nouvel objet", position=1)
    after = alice_client.get("/messagerie/").content.decode()
    assert "nouvelle-categorie" in _options(after, "categorie") and "nouvel-objet" in _options(after, "objet")
    topic.label = "Objet renommé"
    topic.save()
    assert "Objet renommé" in alice_client.get("/messagerie/").content.decode()
    topic.delete()
    assert "nouvel-objet" not in _options(alice_client.get("/messagerie/").content.decode(), "objet")


def test_an_unknown_category_is_refused_in_french_and_the_inbox_still_lists(alice_client, alice):
    thread = new_thread(alice)
    html = search(alice_client, categorie="inconnue").content.decode()
    assert "Cette catégorie n&#39;existe pas." in html and _row_links(html) == [thread.pk]
