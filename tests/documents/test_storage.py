"""What the private storage keeps: a household's quota of its own uploads, and never a
file whose transaction rolled back."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings

from claims.models import QuoteRequest
from documents.models import PrivateFile
from documents.services import private_file_store, private_files_atomic, storage_used
from documents.validation import megabytes
from members.models import BankDetailsChange
from messaging.models import Thread
from messaging.services import thread_reply_by_gestionnaire
from tests.accounts.helpers import reauthenticate
from tests.claims.test_quotes import NEW, crown_post
from tests.factories import pdf_bytes, upload
from tests.messaging.helpers import compose_data, new_thread

pytestmark = pytest.mark.django_db

COMPOSE_URL = "/messagerie/ecrire/"
BANK_URL = "/situation/profil/coordonnees-bancaires/"
PDF_SIZE = len(pdf_bytes())
MB = 1024 * 1024


def stored_paths() -> set[Path]:
    return {path for path in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if path.is_file()}


@pytest.fixture
def quota_of_one_file():
    """Room for one small PDF and a half."""
    with override_settings(PRIVATE_STORAGE_QUOTA_BYTES=PDF_SIZE * 3 // 2):
        yield


# --- the quota ---------------------------------------------------------------------------


def test_a_full_space_refuses_the_upload_says_what_is_left_and_whom_to_call(alice_client, alice, quota_of_one_file):
    paul = alice.beneficiaries.get(first_name="Paul")
    first = alice_client.post(COMPOSE_URL, compose_data(paul, pieces_jointes=[upload("ordonnance.pdf", pdf_bytes())]))
    assert first.status_code == 302
    before = stored_paths()

    response = alice_client.post(
        COMPOSE_URL,
        compose_data(
            paul, texte="Deuxième envoi, écrit avec soin", pieces_jointes=[upload("facture.pdf", pdf_bytes())]
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Votre espace de documents est plein" in html
    left = megabytes(settings.PRIVATE_STORAGE_QUOTA_BYTES - PDF_SIZE)
    assert f"Il reste {left} et « facture.pdf » fait {megabytes(PDF_SIZE)}" in html
    phone = alice.contract.management_phone or alice.contract.organisme.phone
    assert phone and f"appelez votre centre de gestion au {phone}" in html
    assert "Deuxième envoi, écrit avec soin</textarea>" in html
    assert Thread.objects.filter(member=alice).count() == 1
    assert PrivateFile.objects.filter(member=alice).count() == 1
    assert stored_paths() == before


def noise_png(size_px: int) -> bytes:
    """A PNG that does not compress: about 3 bytes a pixel."""
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (size_px, size_px), os.urandom(size_px * size_px * 3)).save(out, "PNG")
    return out.getvalue()


def test_the_message_gives_the_space_used_and_remaining(alice):
    # Alice already stored 195.3 MB of the default 200 MB.
    PrivateFile.objects.create(
        member=alice,
        purpose="devis",
        original_name="ancien.pdf",
        content_type="application/pdf",
        extension="pdf",
        size=int(195.3 * MB),
        sha256="0" * 64,
        file="2026/01/ancien.pdf",
        uploaded_by=alice.user,
    )
    scan = noise_png(1300)
    assert 4.8 * MB < len(scan) < 4.9 * MB
    with pytest.raises(ValidationError) as refusal:
        private_file_store(
            member=alice, uploaded=upload("scan.png", scan, "image/png"), purpose="devis", uploaded_by=alice.user
        )
    assert refusal.value.messages == [
        "Votre espace de documents est plein : les documents que vous avez déposés occupent 195,3 Mo sur les "
        "200 Mo autorisés. Il reste 4,7 Mo et « scan.png » fait 4,8 Mo : il n'a pas été enregistré. Pour faire de "
        f"la place ou pour toute question, appelez votre centre de gestion au {alice.contract.management_phone or alice.contract.organisme.phone}."
    ]
    assert PrivateFile.objects.filter(member=alice).count() == 1


def test_a_devis_refused_by_the_quota_gets_a_french_message_not_a_500(alice_client, alice, quota_of_one_file):
    private_file_store(member=alice, uploaded=upload("a.pdf", pdf_bytes()), purpose="devis", uploaded_by=alice.user)
    response = alice_client.post(f"{NEW}?type=dentaire", crown_post(alice.holder))
    assert response.status_code == 200
    assert "Votre espace de documents est plein" in response.content.decode()
    assert not QuoteRequest.objects.filter(member=alice).exists()


def test_files_the_gestionnaires_attach_neither_count_nor_are_refused(alice, gestionnaire, quota_of_one_file):
    thread = new_thread(alice)
    for name in ("reponse-1.pdf", "reponse-2.pdf"):
        thread_reply_by_gestionnaire(
            thread=thread, author=gestionnaire, body="Voici", files=[upload(name, pdf_bytes())]
        )
    assert storage_used(alice) == 0
    private_file_store(member=alice, uploaded=upload("mien.pdf", pdf_bytes()), purpose="devis", uploaded_by=alice.user)
    assert storage_used(alice) == PDF_SIZE


# --- no orphan files ---------------------------------------------------------------------


def test_a_refused_iban_change_leaves_no_file(alice_client, alice):
    reauthenticate(alice_client, alice.user, next_url=BANK_URL)
    before = stored_paths()
    response = alice_client.post(BANK_URL, {"iban": alice.iban, "bic": "", "rib": upload("rib.pdf", pdf_bytes())})
    assert response.status_code == 400
    assert "C&#39;est déjà l&#39;IBAN enregistré" in response.content.decode()
    assert not BankDetailsChange.objects.filter(member=alice).exists()
    assert not PrivateFile.objects.filter(member=alice).exists()
    assert stored_paths() == before


def test_a_failure_after_the_file_was_written_removes_it(alice):
    before = stored_paths()
    with pytest.raises(RuntimeError), private_files_atomic():  # noqa: PT012 (the block under test is a whole transaction)
        stored = private_file_store(
            member=alice, uploaded=upload("a.pdf", pdf_bytes()), purpose="devis", uploaded_by=alice.user
        )
        assert Path(stored.file.path).exists()
        raise RuntimeError("the caller's next step fails")
    assert not PrivateFile.objects.filter(member=alice).exists()
    assert stored_paths() == before


def test_an_outer_rollback_removes_the_files_of_inner_blocks_that_succeeded(alice):
    before = stored_paths()
    with pytest.raises(RuntimeError), private_files_atomic():  # noqa: PT012 (the block under test is a whole transaction)
        with private_files_atomic():
            private_file_store(
                member=alice, uploaded=upload("a.pdf", pdf_bytes()), purpose="devis", uploaded_by=alice.user
            )
        raise RuntimeError("refused after the inner block committed its savepoint")
    assert stored_paths() == before


def test_a_committed_block_keeps_its_files(alice):
    with private_files_atomic():
        stored = private_file_store(
            member=alice, uploaded=upload("a.pdf", pdf_bytes()), purpose="devis", uploaded_by=alice.user
        )
    assert Path(stored.file.path).exists() and PrivateFile.objects.filter(pk=stored.pk).exists()


def test_a_message_whose_thread_fails_leaves_no_attachment(alice, monkeypatch):
    from members import messaging_hooks

    def failing_hook(*args, **kwargs):
        raise ValidationError("Refus après l'enregistrement des pièces jointes.")

    before = stored_paths()
    # The portability hook (members.messaging_hooks) runs after the message and its attachments were stored.
    monkeypatch.setattr(messaging_hooks, "portability_request_from_thread", failing_hook)
    with pytest.raises(ValidationError):
        new_thread(alice, files=[upload("attestation.pdf", pdf_bytes())])
    assert not Thread.objects.filter(member=alice).exists()
    assert stored_paths() == before
