"""Gestionnaire side, in the back-office: inbox, assign, reply, notes, close, e-mails."""

import datetime as dt
import re

from django.core import mail
from django.test import Client
from django.utils import timezone

from messaging.models import Thread, ThreadStatus
from messaging.services import thread_reply_by_gestionnaire
from notifications.models import Notification, NotificationStatus
from notifications.tasks import deliver_notification
from tests.conftest import login
from tests.factories import pdf_bytes, upload
from tests.messaging.helpers import new_thread

LIST = "/gestion/messaging/thread/"


def results(client, **params) -> str:
    """The rows of the changelist, without the filter sidebar (which names every objet)."""
    html = client.get(LIST, params).content.decode()
    return re.search(r'<table id="result_list">.*?</table>', html, re.S).group(0)


def page(pk: int, action: str = "change") -> str:
    return f"{LIST}{pk}/{action}/"


def test_the_inbox_shows_unassigned_threads_with_their_waiting_age(gestionnaire_client, alice, bob, gestionnaire):
    waiting = new_thread(alice, topic="devis-optique")
    Thread.objects.filter(pk=waiting.pk).update(waiting_since=timezone.now() - dt.timedelta(days=2, hours=3))
    mine = new_thread(bob, topic="coordonnees")
    Thread.objects.filter(pk=mine.pk).update(assigned_to=gestionnaire)
    html = results(gestionnaire_client)
    assert "2 j 3 h" in html and "Estimation d&#x27;un devis d&#x27;optique" in html
    unassigned = results(gestionnaire_client, attribution="aucune")
    assert "devis d&#x27;optique" in unassigned and "Je modifie mes coordonnées" not in unassigned
    assigned = results(gestionnaire_client, attribution="moi")
    assert "Je modifie mes coordonnées" in assigned and "devis d&#x27;optique" not in assigned
    old = results(gestionnaire_client, attente="1-3j")
    assert "devis d&#x27;optique" in old and "Je modifie mes coordonnées" not in old


def test_filters_by_category_objet_and_status(gestionnaire_client, alice, gestionnaire):
    dental = new_thread(alice, topic="devis-dentaire")
    noemie = new_thread(alice, topic="noemie-activation")
    thread_reply_by_gestionnaire(thread=noemie, author=gestionnaire, body="Fait")
    by_category = results(gestionnaire_client, category__id__exact=dental.category_id)
    assert "devis dentaire" in by_category and "activation de la télétransmission" not in by_category
    by_topic = results(gestionnaire_client, topic__id__exact=noemie.topic_id)
    assert "activation de la télétransmission" in by_topic and "devis dentaire" not in by_topic
    answered = results(gestionnaire_client, status__exact=ThreadStatus.ANSWERED)
    assert "activation de la télétransmission" in answered and "devis dentaire" not in answered


def test_a_gestionnaire_assigns_a_thread_to_themself(gestionnaire_client, alice, gestionnaire):
    thread = new_thread(alice)
    assert gestionnaire_client.post(page(thread.pk, "attribuer")).status_code == 302
    thread.refresh_from_db()
    assert thread.assigned_to == gestionnaire and thread.status == ThreadStatus.IN_PROGRESS


def test_a_reply_with_attachment_reaches_the_member_with_one_email(
    gestionnaire_client, alice, gestionnaire, django_capture_on_commit_callbacks
):
    thread = new_thread(alice, body="Où en est mon dossier ?")
    with django_capture_on_commit_callbacks(execute=True):
        response = gestionnaire_client.post(
            page(thread.pk, "repondre"),
            {
                "texte": "Votre dossier est complet.",
                "pieces_jointes": [upload("attestation-portabilite.pdf", pdf_bytes())],
            },
        )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.ANSWERED and thread.waiting_since is None
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [alice.email]
    assert email.subject == "Vous avez reçu un nouveau message dans votre Espace Assuré"
    assert f"/messagerie/{thread.pk}/" in email.body
    for private in (
        "Votre dossier est complet",
        "Où en est mon dossier",
        "question sur mes garanties",
        "attestation-portabilite",
    ):
        assert private not in email.body and private not in email.alternatives[0][0]
    # Redelivering the task (worker died, relay overlap) sends nothing more.
    notification = Notification.objects.get(member=alice)
    assert notification.status == NotificationStatus.SENT
    deliver_notification.apply(args=[notification.pk])
    assert len(mail.outbox) == 1
    # The member reads the reply and downloads the gestionnaire's attachment.
    member = login(Client(), alice.user)
    html = member.get(f"/messagerie/{thread.pk}/").content.decode()
    assert "Votre dossier est complet." in html and "attestation-portabilite.pdf" in html
    attachment = thread.messages.last().attachments.get()
    assert member.get(attachment.get_absolute_url()).status_code == 200


def test_each_reply_sends_exactly_one_email(alice, gestionnaire, django_capture_on_commit_callbacks):
    thread = new_thread(alice)
    with django_capture_on_commit_callbacks(execute=True):
        thread_reply_by_gestionnaire(thread=thread, author=gestionnaire, body="Première réponse")
    with django_capture_on_commit_callbacks(execute=True):
        thread_reply_by_gestionnaire(thread=thread, author=gestionnaire, body="Seconde réponse")
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(member=alice, status=NotificationStatus.SENT).count() == 2


def test_a_rejected_attachment_in_the_back_office_keeps_the_text(gestionnaire_client, alice):
    thread = new_thread(alice)
    response = gestionnaire_client.post(
        page(thread.pk, "repondre"), {"texte": "Réponse soignée", "pieces_jointes": [upload("x.pdf", b"not a pdf")]}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Réponse soignée</textarea>" in html and "pas d&#x27;un format accepté" in html
    assert thread.messages.count() == 1 and not mail.outbox


def test_internal_notes_are_shown_to_gestionnaires_only(gestionnaire_client, alice):
    thread = new_thread(alice)
    assert gestionnaire_client.post(page(thread.pk, "note"), {"note": "Appeler l'employeur"}).status_code == 302
    assert "Appeler l&#x27;employeur" in gestionnaire_client.get(page(thread.pk)).content.decode()
    assert not mail.outbox
    assert "employeur" not in login(Client(), alice.user).get(f"/messagerie/{thread.pk}/").content.decode()


def test_a_gestionnaire_closes_a_thread(gestionnaire_client, alice):
    thread = new_thread(alice)
    gestionnaire_client.post(page(thread.pk, "clore"))
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.CLOSED and thread.closed_at is not None
    html = gestionnaire_client.get(page(thread.pk)).content.decode()
    assert "Envoyer la réponse" not in html
    member = login(Client(), alice.user)
    member.post(f"/messagerie/{thread.pk}/repondre/", {"texte": "Et encore ?"})
    assert thread.messages.count() == 1


def test_member_text_is_escaped_in_the_back_office(gestionnaire_client, alice):
    thread = new_thread(alice, body="<script>document.location='https://evil.example'</script>")
    for url in (page(thread.pk), LIST):
        html = gestionnaire_client.get(url).content.decode()
        assert "<script>document.location" not in html
    assert "&lt;script&gt;document.location" in gestionnaire_client.get(page(thread.pk)).content.decode()


def test_back_office_forms_need_csrf(alice, gestionnaire):
    thread = new_thread(alice)
    client = login(Client(), gestionnaire)
    client.handler.enforce_csrf_checks = True
    assert client.post(page(thread.pk, "repondre"), {"texte": "x"}).status_code == 403
    assert thread.messages.count() == 1


def test_gestionnaires_edit_categories_and_objets(gestionnaire_client):
    assert gestionnaire_client.get("/gestion/messaging/category/add/").status_code == 200
    assert gestionnaire_client.get("/gestion/messaging/topic/").status_code == 200


def test_a_member_cannot_open_the_back_office_inbox(alice_client, alice):
    thread = new_thread(alice)
    response = alice_client.get(page(thread.pk))
    assert response.status_code == 302 and "/gestion/login/" in response["Location"]
