from decimal import Decimal

import pytest
from django.core import mail

from claims.models import Decompte, DecompteLine, ImportBatch
from claims.services import decomptes_import
from tests.claims.conftest import HEADER, consultation, csv_file

pytestmark = pytest.mark.django_db


def test_it_imports_a_file_and_explains_each_line_with_the_engine(alice):
    batch = decomptes_import(
        content=csv_file(consultation("D1", alice), consultation("D2", alice, rank=3)), file_name="noemie.csv"
    )
    assert batch.status == ImportBatch.Status.ACCEPTED, batch.errors
    assert batch.created_count == 2 and batch.differences == []
    decompte = Decompte.objects.get(external_id="D1")
    assert decompte.total_complementary == Decimal("39.00") and decompte.total_rac == Decimal("0.00")
    assert decompte.iban_masked == "FR76 **** **** 0189"
    line = decompte.lines.get()
    assert line.computed_complementary == Decimal("39.00")
    assert "Celsius - Consultations et visites de généralistes : 400 % de la BR" in line.rule_label
    assert "Base conventionnelle" in line.explanation and line.category == "Soins courants"
    assert DecompteLine.objects.get(decompte__external_id="D2").beneficiary.first_name == "Léo"


def test_reimporting_the_same_file_changes_nothing(alice, django_capture_on_commit_callbacks):
    content = csv_file(consultation("D1", alice))
    with django_capture_on_commit_callbacks(execute=True):
        decomptes_import(content=content, file_name="a.csv")
    sent = len(mail.outbox)
    assert sent == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = decomptes_import(content=content, file_name="a.csv")
    assert again.status == ImportBatch.Status.ACCEPTED
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)
    assert Decompte.objects.count() == 1 and DecompteLine.objects.count() == 1
    assert len(mail.outbox) == sent  # no second e-mail


def test_a_bad_file_is_refused_whole_with_every_bad_line(alice, django_capture_on_commit_callbacks):
    content = csv_file(
        consultation("D1", alice),
        consultation("D2", alice, fr="abc"),
        "D3;9999999999;1;01/10/2026;consultation-generaliste;;1;60,00;30,00;21,00;;15/10/2026;noemie;assure;;;oui",
        consultation("D4", alice, care="32/13/2026"),
        consultation("D5", alice, rank=7),
        consultation("D6", alice, care="01/10/2019", paid="15/10/2019"),
        consultation("D7", alice).replace("consultation-generaliste", "acte-inconnu"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        batch = decomptes_import(content=content, file_name="bad.csv")
    assert batch.status == ImportBatch.Status.REFUSED
    by_line = {(e["line"], e["column"]): e["reason"] for e in batch.errors}
    assert "n'est pas un montant" in by_line[(3, "frais_reels")]
    assert "Aucun assuré n'a le numéro 9999999999" in by_line[(4, "numero_adherent")]
    assert "n'est pas une date valide" in by_line[(5, "date_soins")]
    assert "pas de bénéficiaire de rang 7" in by_line[(6, "rang_beneficiaire")]
    assert "n'était pas couvert" in by_line[(7, "date_soins")]
    assert (8, "code_acte") in by_line
    assert Decompte.objects.count() == 0 and DecompteLine.objects.count() == 0
    assert mail.outbox == []


def test_a_missing_column_refuses_the_file():
    batch = decomptes_import(content=b"numero_decompte;numero_adherent\nD1;1\n", file_name="x.csv")
    assert batch.status == ImportBatch.Status.REFUSED
    assert "Colonnes obligatoires absentes" in batch.errors[0]["reason"]
    assert "date_soins" in batch.errors[0]["column"]


def test_a_paid_amount_that_differs_from_the_engine_is_reported(alice):
    batch = decomptes_import(content=csv_file(consultation("D1", alice, comp="35,00")), file_name="a.csv")
    assert batch.status == ImportBatch.Status.ACCEPTED
    assert batch.differences == [
        {
            "line": 2,
            "decompte": "D1",
            "paid": "35.00",
            "computed": "39.00",
            "difference": "-4.00",
            "reason": "Le montant payé diffère du calcul du moteur de garanties.",
        }
    ]
    assert Decompte.objects.get().total_complementary == Decimal("35.00")  # what was really paid


def test_a_pending_decompte_becomes_paid_and_only_then_alerts(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decomptes_import(content=csv_file(consultation("D1", alice, paid="", complete="02/11/2026")), file_name="a.csv")
    decompte = Decompte.objects.get()
    assert decompte.status == Decompte.Status.PENDING and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        batch = decomptes_import(content=csv_file(consultation("D1", alice, complete="02/11/2026")), file_name="b.csv")
    assert batch.updated_count == 1
    decompte.refresh_from_db()
    assert decompte.status == Decompte.Status.PAID and decompte.lines.count() == 1
    assert len(mail.outbox) == 1


def test_one_email_per_decompte_without_health_details(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decomptes_import(content=csv_file(consultation("D1", alice), consultation("D2", alice)), file_name="a.csv")
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.subject == "Un nouveau remboursement est disponible"
    assert message.to == [alice.email]
    assert "39,00" in message.body and "15/10/2026" in message.body
    for secret in ("Dr Martin", "consultation", "Consultations", "Léo"):
        assert secret not in message.body and secret not in message.alternatives[0][0]


def test_counters_consume_the_history_already_imported():
    """Notice 004 line 820, Base conventionnelle: lenses 100 € per year and beneficiary.
    A first file pays 80 €; the next file, same year, finds 20 € left."""
    from tests.factories import make_member

    member = make_member(formulas=("IDCC1412-BASE",))

    def lenses(decompte_id, care):
        return f"{decompte_id};{member.number};1;{care};lentilles;Optique Lumière;1;80,00;0,00;0,00;;15/10/2026;papier;assure;;;"

    decomptes_import(content=csv_file(lenses("L1", "01/03/2026")), file_name="a.csv")
    decomptes_import(content=csv_file(lenses("L2", "01/09/2026")), file_name="b.csv")
    first, second = DecompteLine.objects.order_by("care_date")
    assert first.complementary_paid == Decimal("80.00")
    assert second.complementary_paid == Decimal("20.00")
    assert second.limits and "100" in second.limits[0]["message"]


def test_a_changed_paid_decompte_is_refused(alice):
    decomptes_import(content=csv_file(consultation("D1", alice)), file_name="a.csv")
    batch = decomptes_import(content=csv_file(consultation("D1", alice, fr="70,00", comp="49,00")), file_name="b.csv")
    assert batch.status == ImportBatch.Status.REFUSED
    assert "déjà été payé" in batch.errors[0]["reason"]


def test_header_only_file_is_refused():
    batch = decomptes_import(content=(HEADER + "\n").encode(), file_name="empty.csv")
    assert batch.status == ImportBatch.Status.REFUSED and "aucune ligne" in batch.errors[0]["reason"]


def test_the_command_imports_a_file(tmp_path, alice, capsys):
    from django.core.management import call_command

    path = tmp_path / "f.csv"
    path.write_bytes(csv_file(consultation("D1", alice)))
    call_command("import_decomptes", str(path))
    assert "1 décomptes créés" in capsys.readouterr().out


def test_counters_run_in_care_date_order_within_one_file():
    """Same lenses forfait (100 €/year, notice 004 line 820) consumed by three lines of one
    file, given out of order: the earliest care is paid first."""
    from tests.factories import make_member

    member = make_member(formulas=("IDCC1412-BASE",))
    rows = [
        f"{d};{member.number};1;{care};lentilles;Optique;1;60,00;0,00;0,00;;15/10/2026;papier;assure;;;"
        for d, care in (("L3", "01/09/2026"), ("L1", "01/02/2026"), ("L2", "01/05/2026"))
    ]
    batch = decomptes_import(content=csv_file(*rows), file_name="l.csv")
    assert batch.status == ImportBatch.Status.ACCEPTED, batch.errors
    paid = {
        line.decompte.external_id: line.complementary_paid for line in DecompteLine.objects.select_related("decompte")
    }
    assert paid == {"L1": Decimal("60.00"), "L2": Decimal("40.00"), "L3": Decimal("0.00")}


def test_a_tiers_payant_e_mail_says_the_professional_was_paid_without_naming_them(
    alice, django_capture_on_commit_callbacks
):
    row = consultation("TP1", alice).replace(";assure;;", ";professionnel;Pharmacie du Parc;")
    with django_capture_on_commit_callbacks(execute=True):
        decomptes_import(content=csv_file(row), file_name="tp.csv")
    (message,) = mail.outbox
    assert message.subject == "Un remboursement a été réglé à votre professionnel de santé"
    assert "directement à votre professionnel de santé (tiers payant)" in message.body
    assert "n'est pas versé sur votre compte" in message.alternatives[0][0]
    assert "Un nouveau remboursement" not in message.body
    # Who the professional is stays in the portal, like the act and the beneficiary.
    assert "Pharmacie du Parc" not in message.body and "Pharmacie du Parc" not in message.alternatives[0][0]
