"""Member side: the inbox, a thread, replies, closing, search, unread marks."""

import datetime as dt
import re

from django.utils import timezone

from messaging.models import Message, Thread, ThreadStatus
from messaging.services import internal_note_add, thread_close, thread_reply_by_gestionnaire
from tests.factories import pdf_bytes, upload
from tests.messaging.helpers import new_thread, search


def envelope_count(html: str) -> str | None:
    match = re.search(r'class="badge envelope__count"[^>]*>(\d+)<', html)
    return match.group(1) if match else None


def test_the_inbox_lists_threads_newest_first_with_their_status(alice_client, alice, gestionnaire):
    old = new_thread(alice, topic="devis-dentaire", body="Devis couronne")
    Thread.objects.filter(pk=old.pk).update(last_message_at=timezone.now() - dt.timedelta(days=3))
    answered = new_thread(alice, topic="carte-tiers-payant", body="Carte perdue")
    thread_reply_by_gestionnaire(thread=answered, author=gestionnaire, body="Nouvelle carte envoyée")
    closed = new_thread(alice, topic="coordonnees", body="Nouvelle adresse")
    Thread.objects.filter(pk=closed.pk).update(last_message_at=timezone.now() - dt.timedelta(days=1))
    thread_close(thread=closed)
    html = alice_client.get("/messagerie/").content.decode()
    html = html[html.index("<tbody>") :]
    order = [
        html.index(label)
        for label in ("Ma carte de tiers payant", "Je modifie mes coordonnées", "Estimation d&#39;un devis dentaire")
    ]
    assert order == sorted(order)
    for status in ("Répondu", "Clos", "Envoyé"):
        assert status in html


def test_a_gestionnaire_reply_is_unread_until_the_member_opens_the_thread(alice_client, alice, gestionnaire):
    thread = new_thread(alice)
    assert envelope_count(alice_client.get("/messagerie/").content.decode()) is None
    thread_reply_by_gestionnaire(thread=thread, author=gestionnaire, body="Merci, dossier reçu")
    html = alice_client.get("/messagerie/").content.decode()
    assert envelope_count(html) == "1" and "1 non lu" in html
    page = alice_client.get(f"/messagerie/{thread.pk}/").content.decode()
    assert "Merci, dossier reçu" in page and "Nouveau" in page
    assert envelope_count(alice_client.get("/messagerie/").content.decode()) is None


def test_the_member_replies_while_the_thread_is_open(alice_client, alice, gestionnaire):
    thread = new_thread(alice)
    thread_reply_by_gestionnaire(thread=thread, author=gestionnaire, body="Pouvez-vous envoyer votre attestation ?")
    response = alice_client.post(
        f"/messagerie/{thread.pk}/repondre/",
        {"texte": "La voici", "pieces_jointes": [upload("attestation.pdf", pdf_bytes())]},
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.IN_PROGRESS and thread.waiting_since is not None
    reply = thread.messages.last()
    assert reply.body == "La voici" and reply.attachments.get().original_name == "attestation.pdf"


def test_a_rejected_attachment_in_a_reply_keeps_the_text(alice_client, alice):
    thread = new_thread(alice)
    html = alice_client.post(
        f"/messagerie/{thread.pk}/repondre/",
        {"texte": "Ma réponse détaillée", "pieces_jointes": [upload("x.pdf", b"GIF89a")]},
    ).content.decode()
    assert "n&#39;est pas d&#39;un format accepté" in html and "Ma réponse détaillée</textarea>" in html
    assert thread.messages.count() == 1


def test_the_member_closes_a_thread_and_can_no_longer_reply(alice_client, alice):
    thread = new_thread(alice)
    assert alice_client.post(f"/messagerie/{thread.pk}/clore/").status_code == 302
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.CLOSED
    page = alice_client.get(f"/messagerie/{thread.pk}/").content.decode()
    assert "Cette demande est close" in page and "Envoyer la réponse" not in page
    response = alice_client.post(f"/messagerie/{thread.pk}/repondre/", {"texte": "Encore moi"}, follow=True)
    assert "Cette demande est close" in response.content.decode()
    assert thread.messages.count() == 1


def test_search_finds_by_text_category_objet_and_dates(alice_client, alice):
    optique = new_thread(alice, topic="justificatifs-optique", body="Facture de lunettes pour Léo")
    noemie = new_thread(alice, topic="noemie-activation", body="Activer la télétransmission")
    Message.objects.filter(thread=noemie).update(created_at=timezone.now() - dt.timedelta(days=40))

    def found(**params) -> set[int]:
        html = search(alice_client, **params).content.decode()
        return {int(pk) for pk in re.findall(r'href="/messagerie/(\d+)/"', html)}

    assert found(q="lunettes") == {optique.pk}
    assert found(q="LUNETTES") == {optique.pk}
    # accents and case aside, in the messages and in the labels
    assert found(q="leo") == found(q="LÉO") == {optique.pk}
    assert found(q="teletransmission") == found(q="Télétransmission") == {noemie.pk}
    assert found(q="lunettes pour leo") == {optique.pk}
    assert found(q="télétransmission") == {noemie.pk}
    assert found(categorie="noemie") == {noemie.pk}
    assert found(objet="justificatifs-optique") == {optique.pk}
    since = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    assert found(du=since) == {optique.pk}
    assert found(au=(timezone.localdate() - dt.timedelta(days=30)).strftime("%d/%m/%Y")) == {noemie.pk}
    assert "Aucune demande ne correspond" in search(alice_client, q="introuvable").content.decode()


def test_search_reports_bad_dates_in_french(alice_client):
    html = search(alice_client, du="2026-05-10", au="2026-05-01").content.decode()
    assert "La date de fin précède la date de début." in html
    assert "Saisissez une date valide" in search(alice_client, du="demain").content.decode()


def test_search_never_reaches_internal_notes_or_other_members(alice_client, alice, bob, gestionnaire):
    thread = new_thread(alice, body="Question simple")
    internal_note_add(thread=thread, author=gestionnaire, body="Assurée mécontente, dossier sensible")
    new_thread(bob, body="Question simple de Bob")
    html = search(alice_client, q="sensible").content.decode()
    assert "Aucune demande ne correspond" in html
    assert re.findall(r'href="/messagerie/(\d+)/"', search(alice_client, q="Question simple").content.decode()) == [
        str(thread.pk)
    ]


def test_internal_notes_are_never_shown_to_the_member(alice_client, alice, gestionnaire):
    thread = new_thread(alice)
    internal_note_add(thread=thread, author=gestionnaire, body="Ne pas montrer : relance employeur")
    thread_reply_by_gestionnaire(thread=thread, author=gestionnaire, body="Réponse visible")
    page = alice_client.get(f"/messagerie/{thread.pk}/").content.decode()
    assert "Réponse visible" in page and "relance employeur" not in page


def test_message_text_is_escaped(alice_client, alice):
    thread = new_thread(alice, body='<script>alert("x")</script><img src=x onerror=alert(1)>')
    page = alice_client.get(f"/messagerie/{thread.pk}/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_another_member_gets_404_on_thread_reply_close_and_attachments(bob_client, alice):
    thread = new_thread(alice, files=[upload("ordonnance.pdf", pdf_bytes())])
    attachment = thread.messages.get().attachments.get()
    assert bob_client.get(f"/messagerie/{thread.pk}/").status_code == 404
    assert bob_client.post(f"/messagerie/{thread.pk}/repondre/", {"texte": "intrus"}).status_code == 404
    assert bob_client.post(f"/messagerie/{thread.pk}/clore/").status_code == 404
    assert bob_client.get(attachment.get_absolute_url()).status_code == 404
    assert "ordonnance" not in search(bob_client, q="Bonjour").content.decode()
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.SENT and thread.messages.count() == 1


def test_the_member_menu_and_header_link_to_the_messagerie(alice_client):
    html = alice_client.get("/messagerie/").content.decode()
    assert 'href="/messagerie/ecrire/"' in html and 'class="envelope"' in html
