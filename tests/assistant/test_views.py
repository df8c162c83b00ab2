"""The "Une question ?" assistant as members use it."""

import html
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import NoReverseMatch, reverse

from assistant.models import Feedback


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.django_db
def test_the_question_box_is_on_every_member_page(alice_client):
    page = text(alice_client.get("/contacts/"))
    assert "Une question ?" in page and 'action="/assistant/"' in page and "js/assistant.js" in page


@pytest.mark.django_db
def test_logged_out_visitors_have_no_assistant(client):
    assert "Une question ?" not in text(client.get("/compte/login/"))


@pytest.mark.django_db
def test_it_answers_with_the_guide_and_a_link_to_the_page(alice_client):
    page = text(alice_client.post("/assistant/", {"q": "Comment trouver un médecin près de chez moi ?"}))
    assert "Trouver un professionnel de santé près de chez moi" in page
    assert 'href="/professionnels/"' in page and "Cette réponse vous a-t-elle aidé ?" in page


@pytest.mark.django_db
def test_below_the_threshold_it_says_it_does_not_know_and_gives_the_phone(alice_client):
    page = text(alice_client.post("/assistant/", {"q": "Quelle est la météo demain à Paris ?"}))
    assert "Je ne connais pas la réponse à « Quelle est la météo demain à Paris ? »" in page
    assert "0825 800 824" in page and "du lundi au vendredi" in page


@pytest.mark.django_db
def test_an_empty_question_gets_a_french_error(alice_client):
    page = text(alice_client.post("/assistant/", {"q": ""}))
    assert "Écrivez votre question" in page
    response = alice_client.post("/assistant/reponses/", {"q": "a"})
    assert response.status_code == 400 and "trop courte" in response.json()["error"]


@pytest.mark.django_db
def test_the_json_endpoint_gives_the_same_answers(alice_client):
    data = alice_client.post("/assistant/reponses/", {"q": "Qu'est-ce que la télétransmission NOEMIE ?"}).json()
    assert data["answers"][0]["id"] == "noemie-principe"
    assert data["phone"] == {"number": "0825 800 824", "hours": "du lundi au vendredi", "note": ""}


@pytest.mark.django_db
def test_the_handoff_link_carries_the_question_in_the_session_not_the_url(alice_client, settings):
    try:
        reverse("messaging:compose")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.assistant.urls_with_messaging"
    question = "Quelle est la météo demain à Paris ?"
    page = alice_client.post("/assistant/", {"q": question}).content.decode()
    link = html.unescape(
        next(part.split('"')[0] for part in page.split('href="')[1:] if "/messagerie/ecrire/?" in part)
    )
    assert urlparse(link).path == reverse("messaging:compose")
    assert parse_qs(urlparse(link).query) == {"brouillon": ["assistant"]}
    assert alice_client.post("/assistant/reponses/", {"q": question}).json()["handoff_url"] == link


@pytest.mark.django_db
def test_the_real_message_form_is_prefilled_when_messaging_is_installed(alice_client):
    try:
        reverse("messaging:compose")
    except NoReverseMatch:
        pytest.skip("messaging:compose is not installed yet")
    question = "Puis-je faire rembourser une paire de lunettes de soleil ?"
    page = text(alice_client.post("/assistant/", {"q": question}))
    link = next(
        part.split('"')[0] for part in page.split('href="')[1:] if part.startswith(reverse("messaging:compose") + "?")
    )
    assert question not in link
    assert f"{question}</textarea>" in text(alice_client.get(link))


@pytest.mark.django_db
def test_feedback_is_stored_and_shown_to_gestionnaires(alice_client, alice, client, gestionnaire):
    question = "Où télécharger ma carte de tiers payant ?"
    response = alice_client.post(
        "/assistant/avis/", {"question": question, "answer": "carte-tiers-payant", "helpful": "non"}
    )
    assert response.status_code == 302
    assert "Merci pour votre avis." in text(alice_client.get(response["Location"]))
    feedback = Feedback.objects.get()
    assert (feedback.user, feedback.question, feedback.answer_title, feedback.helpful) == (
        alice.user,
        question,
        "Ma carte de tiers payant",
        False,
    )
    json_reply = alice_client.post(
        "/assistant/avis/",
        {"question": question, "answer": "carte-tiers-payant", "helpful": "oui"},
        HTTP_ACCEPT="application/json",
    )
    assert json_reply.json() == {"message": "Merci pour votre avis."}
    assert (
        alice_client.post("/assistant/avis/", {"question": "x", "answer": "inconnue", "helpful": "oui"}).status_code
        == 302
    )
    assert Feedback.objects.count() == 2
    alice_client.logout()
    from tests.conftest import login

    page = text(login(client, gestionnaire).get("/gestion/assistant/feedback/"))
    assert question in page and "Ma carte de tiers payant" in page
