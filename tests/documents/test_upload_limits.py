"""Uploads refused while they stream in: an oversize file is never held, an absurd body
never read, and the member keeps everything they typed."""

from __future__ import annotations

import re
import tracemalloc

import pytest
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.test import override_settings

from documents.forms import MultiplePrivateFileField, PrivateFileField
from documents.models import PrivateFile
from documents.services import read_upload
from documents.validation import UploadRejected
from members.models import BankDetailsChange
from messaging.models import Thread
from tests.accounts.helpers import reauthenticate
from tests.documents.streaming import UnreadableBody, field, file_part, multipart, stream_post
from tests.factories import upload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
COMPOSE_URL = "/messagerie/ecrire/"
BANK_URL = "/situation/profil/coordonnees-bancaires/"


class StoredBytesCounter(FileUploadHandler):
    """Placed after the limiting handler: counts what reaches the handlers that store."""

    stored: list[int] = []

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.stored.append(0)

    def receive_data_chunk(self, raw_data, start):
        self.stored[-1] += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


COUNTED_HANDLERS = [
    "documents.uploads.LimitedUploadHandler",
    "tests.documents.test_upload_limits.StoredBytesCounter",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]


@pytest.fixture
def stored_bytes():
    StoredBytesCounter.stored = []
    with override_settings(FILE_UPLOAD_HANDLERS=COUNTED_HANDLERS):
        yield StoredBytesCounter.stored


def post_measured(client, path, body):
    tracemalloc.start()
    try:
        response = stream_post(client, path, body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return response, peak


def test_it_refuses_a_30_mb_attachment_as_it_streams_and_keeps_the_text(alice_client, alice, stored_bytes):
    paul = alice.beneficiaries.get(first_name="Paul")
    alice_client.get(COMPOSE_URL)
    body = multipart(
        field("beneficiaire", str(paul.pk)),
        field("categorie", "je-quitte-mon-entreprise"),
        field("objet", "maintien-des-garanties"),
        # The file before the text: the text, sent after 30 MB, must come back too.
        file_part("pieces_jointes", "scan-enorme.pdf", 30 * MB),
        field("texte", "Texte long écrit avec soin"),
    )
    response, peak = post_measured(alice_client, COMPOSE_URL, body)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Le fichier « scan-enorme.pdf » dépasse la taille maximale autorisée de 10 Mo" in html
    assert "Texte long écrit avec soin</textarea>" in html
    assert "les pièces jointes doivent être sélectionnées à nouveau" in html
    assert not Thread.objects.filter(member=alice).exists()
    assert not PrivateFile.objects.filter(member=alice).exists()
    # The whole body went through (the connection stays usable)...
    assert body.read_bytes == body.length
    # ...but no more than the limit reached storage, and memory never held the file.
    assert stored_bytes == [pytest.approx(10 * MB, abs=64 * 1024)]
    assert max(stored_bytes) <= settings.PRIVATE_UPLOAD_MAX_BYTES
    assert peak < 5 * MB, f"{peak / MB:.1f} MB allocated during the request"


def test_it_refuses_an_oversize_rib_and_keeps_the_typed_iban(alice_client, alice, stored_bytes):
    reauthenticate(alice_client, alice.user, next_url=BANK_URL)
    body = multipart(
        file_part("rib", "rib.pdf", 12 * MB),
        field("iban", "FR14 2004 1010 0505 0001 3M02 606"),
        field("bic", "PSSTFRPPXXX"),
    )
    response = stream_post(alice_client, BANK_URL, body)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Le fichier « rib.pdf » dépasse la taille maximale autorisée de 10 Mo" in html
    assert 'value="FR14 2004 1010 0505 0001 3M02 606"' in html and 'value="PSSTFRPPXXX"' in html
    assert not BankDetailsChange.objects.filter(member=alice).exists()
    assert max(stored_bytes) <= settings.PRIVATE_UPLOAD_MAX_BYTES


def test_a_body_above_the_total_limit_gets_a_french_413_unread(alice_client, alice):
    body = UnreadableBody(settings.PRIVATE_UPLOAD_MAX_REQUEST_BYTES + 1)
    response = stream_post(alice_client, COMPOSE_URL, body)
    assert response.status_code == 413
    html = response.content.decode()
    assert "Envoi trop volumineux" in html and "dépasse 51 Mo au total" in html
    assert "jusqu'à 10 Mo" in html
    assert not Thread.objects.filter(member=alice).exists()


def test_a_gestionnaire_imports_a_csv_above_the_members_limit(gestionnaire_client, gestionnaire):
    url = "/gestion/claims/importbatch/importer/"
    gestionnaire_client.get(url)
    body = multipart(file_part("file", "decomptes.csv", 11 * MB, head=b"colonne_inconnue\n"))
    response = stream_post(gestionnaire_client, url, body)
    # The file reached the importer, which judged its content (not its size).
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "dépasse" not in response.content.decode()


class Unread:
    """An uploaded file that fails if read: its size alone must refuse it."""

    name = "gros.pdf"
    size = 11 * MB

    def seek(self, offset):
        raise AssertionError("read")

    def read(self, size=-1):
        raise AssertionError("read")


def test_a_file_above_the_limit_is_refused_by_its_size_without_being_read():
    with pytest.raises(UploadRejected, match="dépasse la taille maximale autorisée de 10 Mo"):
        read_upload(Unread())


def test_the_form_fields_refuse_a_file_dropped_while_streaming():
    from documents.uploads import RefusedUpload

    refused = RefusedUpload(name="scan.pdf", content_type="application/pdf", size=30 * MB, limit=10 * MB)
    with pytest.raises(Exception, match=re.escape("« scan.pdf » dépasse la taille maximale autorisée de 10 Mo")):
        PrivateFileField().clean(refused)
    with pytest.raises(Exception, match=re.escape("« scan.pdf » dépasse la taille maximale autorisée de 10 Mo")):
        MultiplePrivateFileField().clean([upload("ok.pdf", b"%PDF"), refused])
