"""How much a member may write: replies, devis, assistant feedback (core/write_limits.py).
Past the limit the member is told in French when they can write again, what they typed is
still in the form, nothing is saved (no message, no file), and other members are not
affected."""

import datetime as dt
import html
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from assistant.models import Feedback
from claims.models import QuoteRequest
from documents.models import PrivateFile
from messaging.services import thread_reply_by_member
from tests.accounts.helpers import travel
from tests.claims.test_quotes import crown_post
from tests.conftest import login
from tests.factories import make_member, pdf_bytes, upload
from tests.messaging.helpers import new_thread

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 3, 10, 10, 30, 20, tzinfo=PARIS)


def text(response) -> str:
    return html.unescape(response.content.decode())


def written_at(queryset, *moments):
    """Date rows already written (the model default is the real clock, not travel's)."""
    for row, moment in zip(queryset.order_by("pk"), moments, strict=True):
        type(row).objects.filter(pk=row.pk).update(created_at=moment)


@pytest.fixture
def carol_client(alice):
    """Another member of the same contract, logged in on her own browser."""
    carol = make_member(formulas=("IDCC1412-BASE",))
    return carol, login(Client(), carol.user)


# --------------------------------------------------------------------------- replies


@override_settings(MESSAGING_REPLIES_PER_HOUR=3)
def test_it_refuses_the_reply_past_the_limit_says_when_and_keeps_the_text(alice_client, alice, bob):
    thread = new_thread(alice)  # opening a thread is not a reply (it has its own limit)
    for body in ("Une", "Deux", "Trois"):
        thread_reply_by_member(thread=thread, author=alice.user, body=body)
    at = dt.datetime(2026, 3, 10, 9, 31, tzinfo=PARIS)
    written_at(
        thread.messages, at - dt.timedelta(hours=2), at, at + dt.timedelta(minutes=10), at + dt.timedelta(minutes=20)
    )
    with travel(NOW):
        response = alice_client.post(
            f"/messagerie/{thread.pk}/repondre/",
            {
                "texte": "Ma quatrième réponse, longue et soignée",
                "pieces_jointes": [upload("facture.pdf", pdf_bytes())],
            },
        )
    page = text(response)
    assert response.status_code == 429
    # The oldest of the three replies, at 9:31 (Paris), leaves the hour at 10:31.
    assert (
        "Vous avez envoyé 3 réponses au cours de la dernière heure. "
        "Vous pourrez en envoyer une nouvelle à partir de 10 h 31 : votre texte est conservé ci-dessous."
    ) in page
    assert "Ma quatrième réponse, longue et soignée</textarea>" in page
    assert "les pièces jointes doivent être sélectionnées à nouveau" in page
    assert thread.messages.count() == 4 and not PrivateFile.objects.filter(member=alice).exists()
    # Bob, another member, still replies.
    bob_thread = new_thread(bob)
    for body in ("Une", "Deux", "Trois"):
        thread_reply_by_member(thread=bob_thread, author=bob.user, body=body)
    # An hour after her first reply, Alice writes again.
    with travel(NOW + dt.timedelta(minutes=1)):
        assert alice_client.post(f"/messagerie/{thread.pk}/repondre/", {"texte": "Enfin"}).status_code == 302
    assert thread.messages.last().body == "Enfin"


def test_the_default_is_thirty_replies_an_hour(alice):
    thread = new_thread(alice)
    for index in range(30):
        thread_reply_by_member(thread=thread, author=alice.user, body=f"Réponse {index}")
    with pytest.raises(ValidationError, match="30 réponses au cours de la dernière heure"):
        thread_reply_by_member(thread=thread, author=alice.user, body="Une de trop")
    assert thread.messages.count() == 31


@override_settings(MESSAGING_NEW_THREADS_PER_HOUR=2)
def test_new_threads_say_when_too(alice_client, alice):
    from tests.messaging.helpers import compose_data

    for _ in range(2):
        new_thread(alice)
    response = alice_client.post("/messagerie/ecrire/", compose_data(alice.holder, texte="Encore une question"))
    assert response.status_code == 429
    assert (
        "Vous avez déjà écrit 2 nouveaux messages au cours de la dernière heure. Vous pourrez en écrire un autre à partir de"
        in text(response)
    )
    assert "Encore une question</textarea>" in text(response)


# --------------------------------------------------------------------------- devis


@override_settings(CLAIMS_QUOTES_PER_DAY=2)
def test_it_refuses_the_devis_past_the_daily_limit_and_keeps_the_lines(alice_client, alice, carol_client):
    for _ in range(2):
        assert (
            alice_client.post("/remboursements/devis/nouveau/?type=dentaire", crown_post(alice.holder)).status_code
            == 302
        )
    written_at(QuoteRequest.objects.filter(member=alice), NOW - dt.timedelta(hours=2), NOW - dt.timedelta(hours=1))
    files_before = PrivateFile.objects.filter(member=alice).count()
    with travel(NOW):
        response = alice_client.post(
            "/remboursements/devis/nouveau/?type=dentaire", crown_post(alice.holder, amount="950,00")
        )
    page = text(response)
    assert response.status_code == 429
    assert (
        "Vous avez envoyé 2 demandes d'estimation au cours des dernières 24 heures. "
        "Vous pourrez en envoyer une nouvelle à partir du 11/03/2026 à 08 h 31"
    ) in page
    assert 'value="950,00"' in page and 'value="HBLD036"' in page
    assert QuoteRequest.objects.filter(member=alice).count() == 2
    assert PrivateFile.objects.filter(member=alice).count() == files_before
    carol, client = carol_client
    assert client.post("/remboursements/devis/nouveau/?type=dentaire", crown_post(carol.holder)).status_code == 302


# --------------------------------------------------------------------------- assistant feedback


@override_settings(ASSISTANT_FEEDBACK_PER_HOUR=2)
def test_it_refuses_feedback_past_the_limit(alice_client, alice, carol_client):
    vote = {"question": "Où est ma carte ?", "answer": "carte-tiers-payant", "helpful": "oui"}
    for _ in range(2):
        assert alice_client.post("/assistant/avis/", vote, HTTP_ACCEPT="application/json").status_code == 200
    refused = alice_client.post("/assistant/avis/", vote, HTTP_ACCEPT="application/json")
    assert refused.status_code == 429
    assert refused.json()["error"].startswith(
        "Vous avez donné 2 avis au cours de la dernière heure. Vous pourrez en donner un nouveau à partir de"
    )
    without_script = alice_client.post("/assistant/avis/", vote, follow=True)
    assert "Vous avez donné 2 avis au cours de la dernière heure." in text(without_script)
    assert Feedback.objects.filter(user=alice.user).count() == 2
    _carol, client = carol_client
    assert client.post("/assistant/avis/", vote, HTTP_ACCEPT="application/json").status_code == 200


def test_the_retry_time_is_never_too_early():
    from core.write_limits import retry_phrase

    with travel(NOW):
        assert retry_phrase(dt.datetime(2026, 3, 10, 11, 0, 0, tzinfo=PARIS)) == "à partir de 11 h 00"
        assert retry_phrase(dt.datetime(2026, 3, 10, 11, 0, 1, tzinfo=PARIS)) == "à partir de 11 h 01"
        assert retry_phrase(dt.datetime(2026, 3, 11, 9, 5, tzinfo=dt.UTC)) == "à partir du 11/03/2026 à 10 h 05"
    assert timezone.is_aware(NOW)
