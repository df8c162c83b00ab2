"""A member's question to the assistant, the words they search their messages for and the
texts the portal writes for them never travel in a URL (proxy and server logs, the
browser's history, the Referer of the next page): they are posted, or kept in the session
behind a harmless key. The features still work."""

import datetime as dt
import html
import json
import re
from unittest import mock
from urllib.parse import unquote_plus, urlparse

import pytest

from claims.services import decomptes_import
from messaging.models import Thread
from tests.claims.conftest import consultation, csv_file
from tests.messaging.helpers import new_thread

pytestmark = pytest.mark.django_db

MARKER = "Kerguelen"  # a word no page of the portal uses
QUESTION = f"Comment télécharger ma carte de tiers payant pour mon séjour à {MARKER} ?"


def urls_in(response) -> list[str]:
    """Every URL the response makes the browser request or show: links, resources, form
    targets, the redirect, and the URLs of a JSON answer."""
    found = [response["Location"]] if response.has_header("Location") else []
    body = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        found += [value for value in json.loads(body).values() if isinstance(value, str) and "/" in value]
    else:
        found += [
            html.unescape(url) for url in re.findall(r'(?:href|src|action|formaction|data-[\w-]+)="([^"]*)"', body)
        ]
    return found


def assert_not_in_any_url(response, *secrets: str):
    for url in urls_in(response):
        readable = unquote_plus(url).lower()
        for secret in secrets:
            assert secret.lower() not in readable, url


def text(response) -> str:
    return html.unescape(response.content.decode())


# --------------------------------------------------------------------------- the assistant


def test_the_question_is_posted_and_answered_and_no_url_carries_it(alice_client):
    page = alice_client.get("/assistant/").content.decode()
    forms = re.findall(r"<form[^>]*>.*?</form>", page, re.S)
    asking = [form for form in forms if 'name="q"' in form]
    assert len(asking) == 2 and all('method="post"' in form for form in asking)  # the page's and the header's
    response = alice_client.post("/assistant/", {"q": QUESTION})
    assert response.status_code == 200 and "Ma carte de tiers payant" in text(response)
    assert_not_in_any_url(response, MARKER, "séjour")


def test_the_panels_answers_are_posted_too(alice_client):
    response = alice_client.post("/assistant/reponses/", {"q": QUESTION})
    assert response.json()["answers"][0]["title"] == "Ma carte de tiers payant"
    assert_not_in_any_url(response, MARKER)
    assert alice_client.get("/assistant/reponses/", {"q": QUESTION}).status_code == 405


def test_a_question_in_an_old_url_is_neither_answered_nor_repeated(alice_client):
    response = alice_client.get("/assistant/", {"q": QUESTION})
    assert response.status_code == 200 and MARKER not in text(response)


def test_the_handoff_brings_the_question_into_the_message_form(alice_client):
    answered = alice_client.post("/assistant/", {"q": f"Quelle est la météo à {MARKER} demain ?"})
    assert "Je ne connais pas la réponse" in text(answered)
    assert_not_in_any_url(answered, MARKER)
    handoff = next(url for url in urls_in(answered) if url.startswith("/messagerie/ecrire/?"))
    compose = alice_client.get(handoff)
    assert f"Quelle est la météo à {MARKER} demain ?</textarea>" in text(compose)
    assert_not_in_any_url(compose, MARKER)


def test_after_feedback_the_member_comes_back_without_the_question_in_the_url(alice_client):
    response = alice_client.post(
        "/assistant/avis/", {"question": QUESTION, "answer": "carte-tiers-payant", "helpful": "oui"}
    )
    assert response.status_code == 302 and MARKER not in unquote_plus(response["Location"])
    assert "Merci pour votre avis." in text(alice_client.get(response["Location"]))


# --------------------------------------------------------------------------- the inbox search


def test_the_search_is_posted_kept_in_the_session_and_finds(alice_client, alice):
    found = new_thread(alice, body=f"Mes lunettes achetées à {MARKER}")
    new_thread(alice, body="Autre chose")
    response = alice_client.post("/messagerie/", {"q": MARKER})
    assert response.status_code == 302 and response["Location"] == "/messagerie/?recherche=1"
    results = alice_client.get(response["Location"])
    assert re.findall(r'href="/messagerie/(\d+)/"', results.content.decode()) == [str(found.pk)]
    assert "1 demande trouvée" in text(results) and f'value="{MARKER}"' in text(results)
    assert_not_in_any_url(results, MARKER)
    assert not re.search(r'<form method="get"[^>]*role="search"', results.content.decode())
    # The inbox without ?recherche=1 lists everything; "Effacer la recherche" forgets it.
    assert len(re.findall(r'href="/messagerie/(\d+)/"', alice_client.get("/messagerie/").content.decode())) == 2
    cleared = alice_client.post("/messagerie/", {"effacer": "1", "q": MARKER}, follow=True)
    assert MARKER not in text(cleared) and "trouvée" not in text(cleared)
    assert "trouvée" not in text(alice_client.get("/messagerie/?recherche=1"))


def test_the_pages_of_a_search_keep_the_search_and_carry_only_a_page_number(alice_client, alice):
    for index in range(25):  # 22 match, 3 do not; written over the past day (20 new threads an hour)
        thread = new_thread(alice, body=f"Facture {MARKER} {index}" if index % 10 else "Sans rapport")
        Thread.objects.filter(pk=thread.pk).update(created_at=thread.created_at - dt.timedelta(days=1))
    first = alice_client.post("/messagerie/", {"q": MARKER}, follow=True)
    assert "22 demandes trouvées" in text(first) and "Page 1 sur 2" in text(first)
    assert_not_in_any_url(first, MARKER)
    next_page = next(url for url in urls_in(first) if "page=2" in url)
    assert next_page == "?recherche=1&page=2"
    second = alice_client.get("/messagerie/" + next_page)
    assert (
        "Page 2 sur 2" in text(second) and len(re.findall(r'href="/messagerie/(\d+)/"', second.content.decode())) == 2
    )


def test_an_old_search_url_searches_nothing(alice_client, alice):
    new_thread(alice, body=f"Mes lunettes achetées à {MARKER}")
    new_thread(alice, body="Autre chose")
    page = alice_client.get("/messagerie/", {"q": "lunettes"})
    assert len(re.findall(r'href="/messagerie/(\d+)/"', page.content.decode())) == 2 and "trouvée" not in text(page)


# --------------------------------------------------------------------------- the late payment


def test_the_late_payment_message_is_prefilled_without_its_text_in_the_url(alice_client, alice):
    batch = decomptes_import(
        content=csv_file(consultation("RETARD77", alice, paid="", complete="02/11/2026")), file_name="retard.csv"
    )
    assert batch.status == "accepte", batch.errors
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 11, 16)):
        follow_up = alice_client.get("/remboursements/suivi/")
    assert "ce délai est dépassé" in text(follow_up)
    assert_not_in_any_url(follow_up, "RETARD77", "01/10/2026", "13/11/2026", "reçu")
    link = next(url for url in urls_in(follow_up) if url.startswith("/messagerie/ecrire/?"))
    assert urlparse(link).query == f"brouillon=retard-{alice.decomptes.get().pk}"
    compose = text(alice_client.get(link))
    assert (
        "Bonjour, je n'ai pas reçu le remboursement des soins du 01/10/2026 (décompte RETARD77), "
        "attendu au plus tard le 13/11/2026.</textarea>"
    ) in compose
    assert f'<option value="{alice.holder.pk}" selected>' in compose


def test_a_prefill_key_of_another_session_gives_an_empty_form(alice_client, alice, bob):
    from tests.conftest import login

    alice_client.post("/assistant/", {"q": f"Quelle est la météo à {MARKER} demain ?"})
    assert MARKER in text(alice_client.get("/messagerie/ecrire/?brouillon=assistant"))
    alice_client.logout()
    page = text(login(alice_client, bob.user).get("/messagerie/ecrire/?brouillon=assistant"))
    assert MARKER not in page and "Votre message" in page
