"""Portability: the request from the messaging, the period the gestionnaire's validation
fixes, the card that follows, the monthly proofs and their reminders, the early ends and
the Loi Evin offer."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from home.alerts import alerts_for
from members import cards
from members.models import (
    AuditEntry,
    Contract,
    MemberStatus,
    PortabilityEndReason,
    PortabilityFile,
    PortabilityReminder,
    PortabilityStatus,
)
from members.portability import (
    add_months,
    france_travail_consent_set,
    late_portability_files,
    portability_allowances_end,
    portability_period,
    portability_proof_add,
    portability_sweep,
    portability_validate,
)
from messaging.models import Topic
from messaging.services import taxonomy_seed, thread_create
from notifications.models import Notification
from tests.conftest import login
from tests.factories import image_bytes, make_member, pdf_bytes, upload

PORTABILITY_URL = "/situation/profil/portabilite/"


@pytest.fixture(autouse=True)
def taxonomy(db):
    taxonomy_seed()


@contextmanager
def on(day: dt.date, hour: int = 9):
    """Time travel: "now" and "today" for Django and the portal."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        mock.patch("django.utils.timezone.localdate", return_value=day),
    ):
        yield


def justificatifs():
    """The two documents the notice asks for: the initial France Travail proof and the bulletin."""
    return [upload("france-travail.pdf", pdf_bytes()), upload("bulletin-signe.pdf", pdf_bytes())]


def request_portability(member, files=None):
    return thread_create(
        member=member,
        author=member.user,
        beneficiary=member.holder,
        topic=Topic.objects.get(code="maintien-des-garanties"),
        body="Je quitte mon entreprise le 31/03.",
        files=justificatifs() if files is None else files,
    )


@pytest.fixture
def monthly(alice):
    """Alice's proofs due each month, the CCN Immobilier guide's rhythm, on T331's dates
    (whose own notice says quarterly: tested below with the reference data as it is)."""
    Contract.objects.filter(pk=alice.contract_id).update(portability_proof_months=1)
    alice.contract.refresh_from_db()
    return alice


def active_file(member, gestionnaire, *, work_contract_end=dt.date(2026, 3, 31), months=9, days=0):
    request_portability(member)
    file = member.portability_files.get()
    validated = portability_validate(
        file=file, actor=gestionnaire, work_contract_end=work_contract_end, months=months, days=days
    )
    member.refresh_from_db()  # in portability now, as the next page the member opens reads it
    return validated


# --- the period ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "days", "factor", "expected"),
    [
        (2, 10, 1, 3),  # a short contract is rounded up to whole months
        (4, 0, 2, 8),  # doubled by the CCN Immobilier's branch agreement
        (9, 0, 2, 12),  # doubled, but never more than 12 months
        (9, 0, 1, 9),  # T331: not doubled
        (0, 20, 1, 1),
        (14, 0, 1, 12),
    ],
)
def test_it_computes_the_duration(months, days, factor, expected):
    period = portability_period(work_contract_end=dt.date(2026, 3, 31), months=months, days=days, factor=factor)
    assert period.months == expected
    assert period.start == dt.date(2026, 4, 1)
    assert period.end == add_months(dt.date(2026, 4, 1), expected) - dt.timedelta(days=1)


def test_it_starts_the_day_after_the_work_contract_and_ends_the_last_day_of_the_period():
    assert portability_period(work_contract_end=dt.date(2026, 3, 31), months=3, days=0, factor=1).end == dt.date(
        2026, 6, 30
    )
    assert portability_period(work_contract_end=dt.date(2026, 3, 15), months=3, days=0, factor=1).end == dt.date(
        2026, 6, 15
    )
    # 31 January + 1 month: the period ends on the last day of February.
    assert portability_period(work_contract_end=dt.date(2026, 1, 30), months=1, days=0, factor=1).end == dt.date(
        2026, 2, 28
    )


@pytest.mark.django_db
def test_a_ccn_immobilier_member_gets_a_doubled_period(gestionnaire):
    member = make_member(contract=Contract.objects.get(number="KP-CCN-IMMOBILIER"), formulas=())
    file = active_file(member, gestionnaire, months=4)
    member.refresh_from_db()
    assert file.duration_months == 8
    assert (member.status, member.status_since, member.cover_end_date) == (
        MemberStatus.PORTABILITY,
        dt.date(2026, 4, 1),
        dt.date(2026, 11, 30),
    )


@pytest.mark.django_db
def test_a_t331_member_gets_the_contract_duration_and_the_card_follows(alice, gestionnaire):
    active_file(alice, gestionnaire, months=2, days=10)
    alice.refresh_from_db()
    assert alice.status == MemberStatus.PORTABILITY
    assert alice.cover_end_date == dt.date(2026, 6, 30)
    validity = cards.card_validity(alice, dt.date(2026, 5, 2))
    assert validity.end == dt.date(2026, 6, 30)
    with pytest.raises(cards.DocumentUnavailable):
        cards.card_validity(alice, dt.date(2026, 7, 1))
    audited = AuditEntry.objects.filter(member=alice, action="validation de la portabilité", actor=gestionnaire)
    assert {(e.field, e.new_value) for e in audited} >= {("status", "portabilite"), ("cover_end_date", "2026-06-30")}
    assert Notification.objects.filter(member=alice, key__startswith="portability-validated:").exists()


# --- the request and the back-office ---------------------------------------------------


@pytest.mark.django_db
def test_the_message_with_its_justificatifs_opens_a_file_linked_to_the_thread(alice_client, alice):
    response = alice_client.post(
        "/messagerie/ecrire/",
        {
            "beneficiaire": alice.holder.pk,
            "categorie": "je-quitte-mon-entreprise",
            "objet": "maintien-des-garanties",
            "texte": "Mon contrat de travail a pris fin le 31 mars.",
            "pieces_jointes": [
                upload("certificat.pdf", pdf_bytes()),
                upload("france-travail.png", image_bytes(), "image/png"),
            ],
        },
    )
    assert response.status_code == 302
    file = PortabilityFile.objects.get(member=alice)
    assert file.status == PortabilityStatus.REQUESTED
    assert file.thread.messages.get().attachments.count() == 2
    # A second message while the file is open does not open another one.
    request_portability(alice)
    assert PortabilityFile.objects.filter(member=alice).count() == 1


@pytest.mark.django_db
def test_another_objet_opens_no_file(alice):
    thread_create(
        member=alice,
        author=alice.user,
        beneficiary=alice.holder,
        topic=Topic.objects.get(code="maintien-individuel"),
        body="Bonjour",
    )
    assert not PortabilityFile.objects.exists()


def admin_post(client, file, **data):
    payload = {
        "work_contract_end": "",
        "last_contracts_months": "",
        "last_contracts_days": "0",
        "refusal_reason": "",
        "decision": "",
        "allowances_end_date": "",
        "proofs-TOTAL_FORMS": "0",
        "proofs-INITIAL_FORMS": "0",
        "reminders-TOTAL_FORMS": "0",
        "reminders-INITIAL_FORMS": "0",
        **data,
    }
    return client.post(f"/gestion/members/portabilityfile/{file.pk}/change/", payload)


@pytest.mark.django_db
def test_the_gestionnaire_validates_in_the_back_office(gestionnaire_client, alice):
    request_portability(alice)
    file = alice.portability_files.get()
    refused = admin_post(gestionnaire_client, file, decision="valider")
    assert refused.status_code == 200
    assert "Indiquez la date de fin du contrat de travail." in refused.content.decode()
    response = admin_post(
        gestionnaire_client, file, decision="valider", work_contract_end="2026-03-31", last_contracts_months="9"
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    alice.refresh_from_db()
    assert alice.status == MemberStatus.PORTABILITY and alice.cover_end_date == dt.date(2026, 12, 31)
    file.refresh_from_db()
    assert (file.status, file.duration_months) == (PortabilityStatus.ACTIVE, 9)


@pytest.mark.django_db
def test_the_gestionnaire_records_the_end_of_allowances_and_the_cover_ends_then(
    gestionnaire_client, alice, gestionnaire
):
    file = active_file(alice, gestionnaire)
    response = admin_post(gestionnaire_client, file, allowances_end_date="2026-07-15")
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.cover_end_date == dt.date(2026, 7, 15)
    assert cards.card_validity(alice, dt.date(2026, 7, 1)).end == dt.date(2026, 7, 15)
    assert Notification.objects.filter(
        key=f"portability-allowances-end:{file.pk}:2026-07-15", template="portability-ending"
    ).exists()
    # The day after, the sweep closes the file: the member leaves the contract.
    with on(dt.date(2026, 7, 16)):
        portability_sweep()
    alice.refresh_from_db()
    file.refresh_from_db()
    assert (alice.status, alice.status_since) == (MemberStatus.TERMINATED, dt.date(2026, 7, 16))
    assert (file.status, file.end_reason) == (PortabilityStatus.ENDED, PortabilityEndReason.ALLOWANCES_STOPPED)


@pytest.mark.django_db
def test_end_of_allowances_before_the_start_is_refused(alice, gestionnaire):
    file = active_file(alice, gestionnaire)
    with pytest.raises(Exception, match="précède le début"):
        portability_allowances_end(file=file, actor=gestionnaire, on=dt.date(2026, 3, 1))


# --- monthly proofs, reminders -----------------------------------------------------------


def reminder_keys(file):
    return sorted(
        Notification.objects.filter(key__startswith=f"portability-proof:{file.pk}:").values_list("key", flat=True)
    )


@pytest.mark.django_db
def test_reminders_are_sent_once_per_month_then_a_second_ten_days_later(monthly, alice, gestionnaire):
    file = active_file(alice, gestionnaire)
    with on(dt.date(2026, 4, 20)):  # the month portability started: the request carried the proof
        portability_sweep()
    with on(dt.date(2026, 5, 9)):  # before the due day
        portability_sweep()
    assert reminder_keys(file) == []
    with on(dt.date(2026, 5, 10)):
        portability_sweep()
        portability_sweep()
        assert [a.title for a in alerts_for(alice)] == ["Votre justificatif France Travail du mois est attendu"]
    with on(dt.date(2026, 5, 19)):
        portability_sweep()
    assert reminder_keys(file) == [f"portability-proof:{file.pk}:2026-05:1"]
    with on(dt.date(2026, 5, 20)):
        portability_sweep()
    with on(dt.date(2026, 5, 21)):
        portability_sweep()
        assert "30/05/2026" in alerts_for(alice)[0].text  # told before the cover ends
    assert reminder_keys(file) == [f"portability-proof:{file.pk}:2026-05:1", f"portability-proof:{file.pk}:2026-05:2"]
    second = Notification.objects.get(key=f"portability-proof:{file.pk}:2026-05:2")
    assert second.context["deadline"] == "30/05/2026"
    assert list(late_portability_files(dt.date(2026, 5, 21))) == [file]


@pytest.mark.django_db
def test_a_proof_of_the_month_stops_the_reminders(monthly, alice, gestionnaire):
    file = active_file(alice, gestionnaire)
    with on(dt.date(2026, 5, 3)):
        portability_proof_add(member=alice, actor=alice.user, uploaded=upload("attestation.pdf", pdf_bytes()))
    with on(dt.date(2026, 5, 25)):
        portability_sweep()
        assert alerts_for(alice) == []
    assert reminder_keys(file) == []
    assert list(late_portability_files(dt.date(2026, 5, 25))) == []
    with on(dt.date(2026, 6, 10)):  # a new month needs a new proof
        portability_sweep()
    assert reminder_keys(file) == [f"portability-proof:{file.pk}:2026-06:1"]


@pytest.mark.django_db
def test_no_reminder_when_consent_is_given(alice, gestionnaire):
    file = active_file(alice, gestionnaire)
    france_travail_consent_set(member=alice, actor=alice.user, consent=True)
    for day in (dt.date(2026, 5, 10), dt.date(2026, 5, 25), dt.date(2026, 6, 12)):
        with on(day):
            portability_sweep()
            assert alerts_for(alice) == []
    assert reminder_keys(file) == []
    assert not PortabilityReminder.objects.exists()
    alice.refresh_from_db()
    assert alice.cover_end_date == dt.date(2026, 12, 31)


@pytest.mark.django_db
def test_the_reminder_e_mail_is_sent(monthly, alice, gestionnaire, django_capture_on_commit_callbacks):
    file = active_file(alice, gestionnaire)
    mail.outbox.clear()
    with on(dt.date(2026, 5, 10)), django_capture_on_commit_callbacks(execute=True):
        portability_sweep()
    assert reminder_keys(file)
    sent = [m for m in mail.outbox if "justificatif France Travail de 05/2026" in m.subject]
    assert len(sent) == 1 and sent[0].to == [alice.email]


@pytest.mark.django_db
def test_without_proofs_the_cover_ends_on_the_announced_date(monthly, alice, gestionnaire):
    file = active_file(alice, gestionnaire)
    for day in (dt.date(2026, 5, 10), dt.date(2026, 5, 20), dt.date(2026, 5, 29)):
        with on(day):
            portability_sweep()
    alice.refresh_from_db()
    assert alice.cover_end_date == dt.date(2026, 12, 31)
    with on(dt.date(2026, 5, 30)):
        portability_sweep()
    alice.refresh_from_db()
    file.refresh_from_db()
    assert alice.cover_end_date == dt.date(2026, 5, 30)
    assert file.end_reason == PortabilityEndReason.PROOFS_MISSING
    assert Notification.objects.filter(key=f"portability-proofs-ended:{file.pk}").exists()
    assert cards.card_validity(alice, dt.date(2026, 5, 30)).end == dt.date(2026, 5, 30)
    with on(dt.date(2026, 5, 31)):
        portability_sweep()
    alice.refresh_from_db()
    assert alice.status == MemberStatus.TERMINATED


@pytest.mark.django_db
def test_the_loi_evin_offer_comes_once_a_month_before_the_end(alice, gestionnaire):
    file = active_file(alice, gestionnaire, months=2)  # until 31/05/2026
    france_travail_consent_set(member=alice, actor=alice.user, consent=True)
    with on(dt.date(2026, 4, 29)):
        portability_sweep()
    assert not Notification.objects.filter(key=f"portability-loi-evin:{file.pk}").exists()
    for day in (dt.date(2026, 4, 30), dt.date(2026, 5, 1), dt.date(2026, 5, 15)):
        with on(day):
            portability_sweep()
    offer = Notification.objects.filter(key__startswith="portability-loi-evin:")
    assert offer.count() == 1
    assert offer.get().context["evin_deadline"] == "30/11/2026"
    with on(dt.date(2026, 5, 15)):
        assert any("loi Evin" in a.text for a in alerts_for(alice))


# --- the member's page ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_member_uploads_a_proof_checked_by_its_content(alice_client, alice, gestionnaire):
    active_file(alice, gestionnaire)
    fake = alice_client.post(PORTABILITY_URL, {"file": upload("attestation.pdf", b"not a pdf at all, just text")})
    assert fake.status_code == 400
    assert "PDF" in fake.content.decode()
    assert not alice.portability_files.get().proofs.exists()
    response = alice_client.post(PORTABILITY_URL, {"file": upload("attestation.pdf", pdf_bytes())})
    assert response.status_code == 302
    proof = alice.portability_files.get().proofs.get()
    assert proof.file.member == alice
    page = alice_client.get(PORTABILITY_URL).content.decode()
    assert "attestation.pdf" in page


@pytest.mark.django_db
def test_a_proof_refused_after_it_was_written_leaves_no_file(alice_client, alice, gestionnaire, monkeypatch):
    from members import portability

    active_file(alice, gestionnaire)
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    before = {path for path in root.rglob("*") if path.is_file()}

    def failing_audit(**kwargs):
        raise ValidationError("Le justificatif n'a pas pu être enregistré. Réessayez.")

    # The audit row is written after the proof's file: its failure rolls everything back.
    monkeypatch.setattr(portability, "audit_record", failing_audit)
    response = alice_client.post(PORTABILITY_URL, {"file": upload("attestation.pdf", pdf_bytes())})
    assert response.status_code == 400
    assert "n&#39;a pas pu être enregistré" in response.content.decode()
    assert not alice.portability_files.get().proofs.exists()
    assert {path for path in root.rglob("*") if path.is_file()} == before


@pytest.mark.django_db
def test_consent_is_given_and_withdrawn_in_profil_and_audited(alice_client, alice, gestionnaire):
    active_file(alice, gestionnaire)
    assert alice_client.post("/situation/profil/france-travail/", {"consentement": "oui"}).status_code == 302
    assert alice.portability_files.get().france_travail_consent is True
    alice_client.post("/situation/profil/france-travail/", {"consentement": "non"})
    assert alice.portability_files.get().france_travail_consent is False
    actions = list(
        AuditEntry.objects.filter(member=alice, field="france_travail_consent").values_list("action", flat=True)
    )
    assert sorted(actions) == ["consentement France Travail", "retrait du consentement France Travail"]


@pytest.mark.django_db
def test_a_stranger_sees_nothing_of_alices_portability(alice, bob, gestionnaire):
    file = active_file(alice, gestionnaire)
    proof = portability_proof_add(member=alice, actor=alice.user, uploaded=upload("attestation-alice.pdf", pdf_bytes()))
    bob_client = login(Client(), bob.user)
    page = bob_client.get(PORTABILITY_URL)
    assert page.status_code == 200
    assert "attestation-alice.pdf" not in page.content.decode()
    assert f"Demande n° {file.thread_id}" not in page.content.decode()
    assert bob_client.get(f"/fichiers/{proof.file.pk}/").status_code == 404
    # Bob cannot withdraw or give consent for Alice either: he has no file.
    bob_client.post("/situation/profil/france-travail/", {"consentement": "oui"})
    assert alice.portability_files.get().france_travail_consent is False


@pytest.mark.django_db
def test_the_gestionnaire_sees_who_is_late(gestionnaire_client, monthly, alice, gestionnaire):
    colleague = make_member()  # also T331, hence monthly here too
    late = active_file(alice, gestionnaire)
    on_time = active_file(colleague, gestionnaire)
    with on(dt.date(2026, 5, 2)):
        portability_proof_add(member=colleague, actor=colleague.user, uploaded=upload("attestation.pdf", pdf_bytes()))
    with on(dt.date(2026, 5, 12)):
        response = gestionnaire_client.get("/gestion/members/portabilityfile/?justificatif=en_retard")
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [late]
    assert on_time not in response.context["cl"].queryset
    assert "EN RETARD" in response.content.decode()


# --- issue 20: a dossier only with its justificatifs, the bulletin, each contract's rules ---


def auto_replies(thread):
    return [m.body for m in thread.messages.filter(from_member=False, author__isnull=True)]


@pytest.mark.django_db
def test_a_plain_question_under_the_portability_objet_opens_no_file_and_says_what_is_missing(alice_client, alice):
    thread = request_portability(alice, files=[])
    assert not PortabilityFile.objects.exists()
    (reply,) = auto_replies(thread)
    assert "n'est pas encore ouvert" in reply and "ce message n'en contient aucun" in reply
    assert "le justificatif initial de votre indemnisation par l'Assurance Chômage" in reply
    assert "le bulletin de demande de portabilité complété et signé" in reply
    assert PORTABILITY_URL in reply  # where the bulletin is
    page = alice_client.get(PORTABILITY_URL).content.decode()
    assert "vérifient vos justificatifs" not in page
    assert f"Votre demande n° {thread.pk} attend vos justificatifs" in page
    # The message is still a message: the gestionnaires' queue has it.
    thread.refresh_from_db()
    assert thread.status == "envoye"


@pytest.mark.django_db
def test_one_document_is_not_enough_and_the_reply_with_the_other_opens_the_file(alice_client, alice):
    thread = request_portability(alice, files=[upload("france-travail.pdf", pdf_bytes())])
    assert not PortabilityFile.objects.exists()
    assert "nous en avons reçu 1" in auto_replies(thread)[0]
    response = alice_client.post(
        f"/messagerie/{thread.pk}/repondre/",
        {"texte": "Voici mon bulletin signé.", "pieces_jointes": [upload("bulletin.pdf", pdf_bytes())]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    file = PortabilityFile.objects.get(member=alice)
    assert (file.thread, file.status) == (thread, PortabilityStatus.REQUESTED)
    assert len(auto_replies(thread)) == 1  # nothing more to ask
    assert "Nos gestionnaires vérifient vos justificatifs" in alice_client.get(PORTABILITY_URL).content.decode()


@pytest.mark.django_db
def test_a_reply_without_attachment_in_a_waiting_request_opens_nothing(alice):
    from messaging.services import thread_reply_by_member

    thread = request_portability(alice, files=[])
    thread_reply_by_member(thread=thread, author=alice.user, body="Combien de temps dure le maintien ?")
    assert not PortabilityFile.objects.exists()
    assert len(auto_replies(thread)) == 1


@pytest.mark.django_db
def test_t331_proofs_are_quarterly_as_its_notice_says(alice, gestionnaire):
    file = active_file(alice, gestionnaire)  # from 01/04/2026, T331: notice 004 lines 497-501
    assert alice.contract.portability_proof_months == 3
    for day in (dt.date(2026, 5, 12), dt.date(2026, 6, 25)):
        with on(day):
            portability_sweep()
            assert alerts_for(alice) == []
    assert reminder_keys(file) == []
    assert list(late_portability_files(dt.date(2026, 6, 25))) == []
    with on(dt.date(2026, 7, 10)):
        portability_sweep()
        (alert,) = alerts_for(alice)
    assert alert.title == "Votre justificatif France Travail du trimestre est attendu"
    assert "07/2026 à 09/2026" in alert.text
    assert reminder_keys(file) == [f"portability-proof:{file.pk}:2026-07:1"]
    # A proof sent in August covers the quarter: no second reminder, nothing late.
    with on(dt.date(2026, 8, 3)):
        portability_proof_add(member=alice, actor=alice.user, uploaded=upload("attestation.pdf", pdf_bytes()))
    with on(dt.date(2026, 9, 20)):
        portability_sweep()
        assert alerts_for(alice) == []
    assert list(late_portability_files(dt.date(2026, 9, 20))) == []
    assert reminder_keys(file) == [f"portability-proof:{file.pk}:2026-07:1"]
    with on(dt.date(2026, 10, 10)):  # the next quarter
        portability_sweep()
    assert reminder_keys(file)[-1] == f"portability-proof:{file.pk}:2026-10:1"


@pytest.mark.django_db
def test_ccn_immobilier_proofs_are_monthly_as_its_guide_says(gestionnaire):
    member = make_member(contract=Contract.objects.get(number="KP-CCN-IMMOBILIER"), formulas=())
    file = active_file(member, gestionnaire, months=4)
    with on(dt.date(2026, 5, 10)):
        portability_sweep()
    assert reminder_keys(file) == [f"portability-proof:{file.pk}:2026-05:1"]


@pytest.mark.django_db
def test_the_validation_e_mail_gives_the_contracts_rhythm(alice, gestionnaire, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        active_file(alice, gestionnaire)
    (sent,) = [m for m in mail.outbox if "accordé" in m.subject]
    assert "Chaque trimestre, déposez" in sent.body


@pytest.mark.django_db
def test_retirees_are_not_offered_portability(bob):
    assert bob.contract.portability_offered is False  # notice 003: the retirees' contract
    bob_client = login(Client(), bob.user)
    page = bob_client.get(PORTABILITY_URL).content.decode()
    assert "Vous quittez votre entreprise" not in page
    assert "ne prévoit pas le maintien des garanties" in page
    assert "01 49 29 49 29" in page  # whom to call
    profile = bob_client.get("/situation/profil/").content.decode()
    assert "Vous quittez votre entreprise" not in profile and 'id="france-travail"' not in profile
    assert bob_client.get(PORTABILITY_URL + "bulletin.pdf").status_code == 302
    thread = request_portability(bob)
    assert not PortabilityFile.objects.exists()
    assert "ne prévoit pas le maintien des garanties" in auto_replies(thread)[0]


@pytest.mark.django_db
def test_employees_are_offered_portability_with_the_bulletin(alice_client):
    page = alice_client.get(PORTABILITY_URL).content.decode()
    assert "Vous quittez votre entreprise" in page
    assert 'href="/situation/profil/portabilite/bulletin.pdf"' in page
    assert "chaque trimestre" in page
    assert "Vous quittez votre entreprise" in alice_client.get("/situation/profil/").content.decode()


def pdf_text(content: bytes) -> str:
    """Text as a reader sees it (poppler's pdftotext), whitespace normalised."""
    import subprocess

    assert content.startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True).stdout
    return " ".join(text.decode().split())


@pytest.mark.django_db
def test_the_bulletin_is_a_pdf_pre_filled_with_the_members_own_data(alice_client, alice):
    colleague = make_member()
    response = alice_client.get(PORTABILITY_URL + "bulletin.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "private" in response["Cache-Control"]
    text = pdf_text(response.content)
    holder = alice.holder
    assert "Bulletin de demande de portabilité" in text
    assert f"{holder.last_name} {holder.first_name}" in text
    assert holder.birth_date.strftime("%d/%m/%Y") in text
    assert alice.number in text and holder.nir in text
    assert "Garanties Santé IDCC 1412 (n° T331)" in text
    assert "IDCC 1412" in text and "KLESIA Prévoyance" in text
    assert "Paul" in text and "Léo" in text  # the household already covered
    assert "chaque trimestre" in text
    assert "Raison sociale" in text and "Date de fin du contrat de travail" in text  # left to fill
    assert colleague.number not in text


@pytest.mark.django_db
def test_the_back_office_counts_a_quarterly_proof_for_its_whole_quarter(gestionnaire_client, alice, gestionnaire):
    active_file(alice, gestionnaire)  # T331: quarters from July
    with on(dt.date(2026, 7, 5)):
        portability_proof_add(member=alice, actor=alice.user, uploaded=upload("attestation.pdf", pdf_bytes()))
    with on(dt.date(2026, 8, 20)):
        page = gestionnaire_client.get("/gestion/members/portabilityfile/").content.decode()
        late = gestionnaire_client.get("/gestion/members/portabilityfile/?justificatif=en_retard")
    assert "reçu" in page and "EN RETARD" not in page
    assert list(late.context["cl"].queryset) == []
