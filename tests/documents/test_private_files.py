"""The one private-file component: content checks, private storage, guarded downloads."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings

from documents.forms import MultiplePrivateFileField, PrivateFileField
from documents.models import PrivateFile
from documents.services import private_file_store
from documents.validation import UploadRejected, validate_upload
from tests.factories import image_bytes, pdf_bytes, upload


@pytest.mark.parametrize(
    ("content", "kind"),
    [(pdf_bytes(), "application/pdf"), (image_bytes("PNG"), "image/png"), (image_bytes("JPEG"), "image/jpeg")],
)
def test_it_accepts_pdf_png_and_jpeg_by_content(content, kind):
    assert validate_upload("scan", content).content_type == kind


def test_it_refuses_an_executable_renamed_pdf():
    with pytest.raises(UploadRejected, match="pas d'un format accepté"):
        validate_upload("devis.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)


def test_it_refuses_a_fake_pdf_with_only_a_header():
    with pytest.raises(UploadRejected, match="illisible ou endommagé"):
        validate_upload("devis.pdf", b"%PDF-1.7\n" + b"garbage" * 50)


def test_it_refuses_an_empty_file():
    with pytest.raises(UploadRejected, match="est vide"):
        validate_upload("vide.pdf", b"")


@override_settings(PRIVATE_UPLOAD_MAX_BYTES=1024)
def test_it_refuses_an_oversized_file():
    with pytest.raises(UploadRejected, match="dépasse la taille maximale"):
        validate_upload("gros.png", image_bytes("PNG", size=(400, 400)) + b"\x00" * 2048)


def test_form_field_gives_the_french_error():
    field = PrivateFileField()
    with pytest.raises(ValidationError) as error:
        field.clean(upload("facture.pdf", b"<html>not a pdf</html>"))
    assert "PDF, JPEG ou PNG" in str(error.value)


def test_multiple_field_limits_the_number_of_files():
    field = MultiplePrivateFileField(max_files=2)
    files = [upload(f"f{i}.pdf", pdf_bytes()) for i in range(3)]
    with pytest.raises(Exception, match="2 fichiers au maximum"):
        field.clean(files)


def scanner_that_finds_a_virus(content: bytes) -> None:
    if b"EICAR" in content:
        raise UploadRejected("Le fichier contient un virus : il a été refusé.")


@override_settings(PRIVATE_UPLOAD_SCANNER="tests.documents.test_private_files.scanner_that_finds_a_virus")
def test_the_optional_virus_scanner_is_called():
    validate_upload("ok.pdf", pdf_bytes())
    infected = pdf_bytes() + b"\n%EICAR-STANDARD-ANTIVIRUS-TEST-FILE\n"
    with pytest.raises(UploadRejected, match="virus"):
        validate_upload("infected.pdf", infected)


@pytest.fixture
def alice_file(alice):
    return private_file_store(
        member=alice,
        uploaded=upload("Devis dentaire (Dr Roux).PDF", pdf_bytes()),
        purpose="devis",
        uploaded_by=alice.user,
    )


@pytest.mark.django_db
def test_stored_files_have_random_names_outside_public_paths(alice_file):
    path = Path(alice_file.file.path)
    assert path.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert not path.is_relative_to(Path(settings.BASE_DIR) / "static")
    assert alice_file.id.hex in path.name and "Devis" not in path.name
    assert alice_file.original_name == "Devis_dentaire_Dr_Roux.pdf"


@pytest.mark.django_db
def test_the_owner_downloads_their_file(alice_client, alice_file):
    response = alice_client.get(alice_file.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Devis_dentaire_Dr_Roux.pdf"'
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_another_member_gets_404(client, alice_file, bob):
    from tests.conftest import login

    login(client, bob.user)
    assert client.get(alice_file.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_login(client, alice_file):
    response = client.get(alice_file.get_absolute_url())
    assert response.status_code == 302 and "/compte/login/" in response["Location"]


@pytest.mark.django_db
def test_a_gestionnaire_downloads_a_members_file(gestionnaire_client, alice_file):
    assert gestionnaire_client.get(alice_file.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_a_random_id_is_404(alice_client):
    assert alice_client.get("/fichiers/7b0c9a3e-4c1d-4c3b-9f55-0a4f1c2d3e4f/").status_code == 404


@pytest.mark.django_db
def test_a_refused_upload_stores_nothing(alice):
    with pytest.raises(UploadRejected):
        private_file_store(member=alice, uploaded=upload("x.pdf", b"nope"), purpose="devis", uploaded_by=None)
    assert PrivateFile.objects.count() == 0
