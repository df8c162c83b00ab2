"""Member side: "Écrire un message"."""

import re

import pytest
from django.test import Client, override_settings

from documents.models import PrivateFile
from messaging.models import Thread, ThreadStatus
from tests.conftest import login
from tests.factories import image_bytes, pdf_bytes, upload
from tests.messaging.helpers import compose_data, new_thread

URL = "/messagerie/ecrire/"


def objet_select(html: str) -> str:
    return re.search(r'<select name="objet" id="id_objet".*?</select>', html, re.S).group(0)


def test_it_offers_the_households_covered_people_and_the_taxonomy(alice_client, alice):
    html = alice_client.get(URL).content.decode()
    for person in alice.beneficiaries.all():
        assert f'value="{person.pk}"' in html
    assert "Je quitte mon entreprise" in html
    assert "Je souhaite bénéficier du maintien de mes garanties" in html
    assert "Télétransmission NOEMIE" in html


def test_it_sends_a_message_with_attachments(alice_client, alice, paul):
    data = compose_data(
        paul, pieces_jointes=[upload("attestation.pdf", pdf_bytes()), upload("scan.png", image_bytes(), "image/png")]
    )
    response = alice_client.post(URL, data)
    thread = Thread.objects.get(member=alice)
    assert response.status_code == 302 and response["Location"] == f"/messagerie/{thread.pk}/"
    assert thread.status == ThreadStatus.SENT and thread.beneficiary == paul
    assert thread.category.label == "Je quitte mon entreprise"
    message = thread.messages.get()
    assert message.from_member and message.body == "Bonjour, je souhaite le maintien de mes garanties."
    assert sorted(f.original_name for f in message.attachments.all()) == ["attestation.pdf", "scan.png"]
    page = alice_client.get(response["Location"]).content.decode()
    assert "attestation.pdf" in page and "Votre message a bien été envoyé" in page
    download = alice_client.get(message.attachments.get(original_name="scan.png").get_absolute_url())
    assert download.status_code == 200 and download["Content-Type"] == "image/png"


def test_it_prefills_from_the_links_of_other_features(alice_client, paul):
    html = alice_client.get(
        URL, {"categorie": "remboursements", "objet": "remboursement-non-recu", "beneficiaire": paul.pk}
    ).content.decode()
    assert f'<option value="{paul.pk}" selected>' in html
    assert '<option value="remboursements" selected>' in html
    assert re.search(r'<option value="remboursement-non-recu" data-category="remboursements" selected>', html)


def test_a_text_in_the_url_is_not_taken(alice_client):
    """A link cannot put words in the member's mouth, and no feature sends text in a URL."""
    html = alice_client.get(
        URL, {"objet": "remboursement-non-recu", "texte": "Soins du 3 mars non remboursés"}
    ).content.decode()
    assert "Soins du 3 mars" not in html


def test_an_unreadable_person_id_is_ignored(alice_client):
    for value in ("²", "99999999999999999999", "-1", "1e3"):
        response = alice_client.get(URL, {"beneficiaire": value})
        assert response.status_code == 200 and "Choisissez la personne concernée" in response.content.decode()


def test_an_objet_alone_selects_its_category(alice_client):
    html = alice_client.get(URL, {"objet": "maintien-des-garanties"}).content.decode()
    assert '<option value="je-quitte-mon-entreprise" selected>' in html


def test_prefill_ignores_a_person_of_another_household(alice_client, bob):
    html = alice_client.get(URL, {"beneficiaire": bob.holder.pk}).content.decode()
    assert f'value="{bob.holder.pk}"' not in html
    assert f"{bob.holder.first_name} {bob.holder.last_name}" not in html


def test_without_javascript_the_objet_list_shows_the_chosen_categorys_objets(alice_client, alice, paul):
    select = objet_select(alice_client.get(URL, {"categorie": "devis"}).content.decode())
    assert "Estimation d&#39;un devis dentaire" in select
    assert "Je souhaite bénéficier du maintien de mes garanties" not in select
    everything = objet_select(alice_client.get(URL).content.decode())
    assert "Estimation d&#39;un devis dentaire" in everything and "maintien de mes garanties" in everything
    # The "Afficher les objets" button posts what is typed (a GET would put it in the URL).
    response = alice_client.post(
        URL,
        {"beneficiaire": paul.pk, "categorie": "devis", "objet": "", "texte": "Ma couronne", "afficher_objets": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Ma couronne</textarea>" in html
    assert "maintien de mes garanties" not in objet_select(html) and "Écrivez votre message" not in html
    assert 'formmethod="get"' not in html and not Thread.objects.filter(member=alice).exists()


def test_it_shows_the_justificatifs_of_the_chosen_objet(alice_client):
    html = alice_client.get(URL, {"objet": "maintien-des-garanties"}).content.decode()
    shown = re.search(
        r'<section class="card" data-justificatifs-for="maintien-des-garanties">(.*?)</section>', html, re.S
    )
    assert shown and "indemnisation par l&#39;Assurance Chômage" in shown.group(1)
    assert '<section class="card" data-justificatifs-for="justificatifs-optique" hidden>' in html


def test_the_dependent_list_script_is_loaded_with_the_nonce(alice_client):
    response = alice_client.get(URL)
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}" src="/static/js/messaging.js" defer></script>' in response.content.decode()


def test_it_refuses_an_objet_of_another_category_and_keeps_the_text(alice_client, alice, paul):
    response = alice_client.post(URL, compose_data(paul, categorie="devis", texte="Mon texte à garder"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cet objet ne correspond pas à la catégorie « Devis et estimations »" in html
    assert "Mon texte à garder</textarea>" in html
    assert not Thread.objects.filter(member=alice).exists()


def test_a_rejected_attachment_keeps_the_text(alice_client, alice, paul):
    bad = upload("facture.pdf", b"MZ\x90\x00 not a pdf at all")
    response = alice_client.post(URL, compose_data(paul, texte="Texte long écrit avec soin", pieces_jointes=[bad]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "n&#39;est pas d&#39;un format accepté" in html
    assert "Texte long écrit avec soin</textarea>" in html
    assert "les pièces jointes doivent être sélectionnées à nouveau" in html
    assert not Thread.objects.filter(member=alice).exists()
    assert not PrivateFile.objects.filter(member=alice).exists()


def test_it_refuses_more_than_five_attachments(alice_client, alice, paul):
    files = [upload(f"f{i}.pdf", pdf_bytes()) for i in range(6)]
    html = alice_client.post(URL, compose_data(paul, pieces_jointes=files)).content.decode()
    assert "Vous pouvez joindre 5 fichiers au maximum." in html
    assert not Thread.objects.filter(member=alice).exists()


def test_it_refuses_a_person_of_another_household(alice_client, alice, bob):
    html = alice_client.post(URL, compose_data(bob.holder)).content.decode()
    assert "Cette personne ne fait pas partie des bénéficiaires couverts par votre contrat." in html
    assert not Thread.objects.exists()


def test_missing_fields_get_precise_errors(alice_client):
    html = alice_client.post(URL, {"texte": ""}).content.decode()
    for error in (
        "Choisissez le bénéficiaire concerné par votre demande.",
        "Choisissez la catégorie de votre demande.",
        "Choisissez l&#39;objet de votre demande.",
        "Écrivez votre message.",
    ):
        assert error in html


@override_settings(MESSAGING_NEW_THREADS_PER_HOUR=3)
def test_it_limits_new_threads_per_hour(alice_client, alice, paul):
    for _ in range(3):
        new_thread(alice)
    response = alice_client.post(URL, compose_data(paul, texte="Encore une question"))
    html = response.content.decode()
    assert "Vous avez déjà écrit 3 nouveaux messages au cours de la dernière heure." in html
    assert "Encore une question</textarea>" in html
    assert Thread.objects.filter(member=alice).count() == 3


def test_the_default_limit_is_twenty_per_hour(alice):
    from django.core.exceptions import ValidationError

    for _ in range(20):
        new_thread(alice)
    with pytest.raises(ValidationError, match="20 nouveaux messages"):
        new_thread(alice)


def test_csrf_is_required(alice, paul):
    client = login(Client(), alice.user)
    client.handler.enforce_csrf_checks = True
    assert client.post(URL, compose_data(paul)).status_code == 403
    assert not Thread.objects.exists()


def test_a_gestionnaire_cannot_write_as_a_member(gestionnaire_client):
    assert gestionnaire_client.get(URL).status_code == 403
