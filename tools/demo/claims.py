"""Demo reimbursements for the demo household, imported through the real importer (so
every line is explained by the engine). Idempotent: the décompte ids are fixed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from claims.models import ImportBatch
from claims.services import decomptes_import
from members.models import Member, NoemieStatus

HEADER = (
    "numero_decompte;numero_adherent;rang_beneficiaire;date_soins;code_acte;praticien;quantite;frais_reels;"
    "base_remboursement;montant_ss;montant_complementaire;date_paiement;origine;destinataire;nom_destinataire;"
    "date_pieces_completes;optam;oeil;sphere"
)

# (days ago of care, rank, act, practitioner, FR, BR, SS, optam, eye, sphere, origin, payee)
CARE = [
    (540, 1, "consultation-generaliste", "Dr Lemoine", "26,50", "26,50", "17,55", "oui", "", ""),
    (470, 3, "consultation-specialiste", "Dr Roussel (ORL)", "70,00", "30,00", "20,00", "non", "", ""),
    (400, 4, "pharmacie", "Pharmacie du Parc", "18,90", "18,90", "12,29", "", "", ""),
    (330, 2, "analyses", "Laboratoire Biolyon", "42,30", "42,30", "25,38", "", "", ""),
    (260, 1, "prothese-couronne-bridge", "Dr Garnier (dentiste)", "650,00", "120,00", "72,00", "", "", ""),
    (200, 3, "verres-unifocaux", "Optique Bellecour", "180,00", "12,00", "7,20", "", "deux", "-1,75"),
    (150, 4, "consultation-generaliste", "Dr Lemoine", "30,00", "30,00", "20,00", "oui", "", ""),
    (120, 1, "imagerie", "Centre d'imagerie Part-Dieu", "95,00", "69,00", "48,30", "oui", "", ""),
    (80, 2, "consultation-specialiste", "Dr Faure (dermatologue)", "60,00", "30,00", "20,00", "oui", "", ""),
    (45, 1, "pharmacie", "Pharmacie du Parc", "34,60", "34,60", "22,49", "", "", ""),
    (20, 3, "consultation-generaliste", "Dr Lemoine", "30,00", "30,00", "20,00", "oui", "", ""),
]


def demo_decomptes_create(today: dt.date | None = None) -> ImportBatch | None:
    from tools.demo.members import DEMO_HOUSEHOLD_NUMBER

    today = today or timezone.localdate()
    member = Member.objects.filter(number=DEMO_HOUSEHOLD_NUMBER).first()
    if member is None:
        return None
    # A person whose NOEMIE link is not active (the spouse, covered first by her own
    # employer's contract) has no télétransmission: her care comes on paper.
    teletransmitted = set(member.beneficiaries.filter(noemie_status=NoemieStatus.ACTIVE).values_list("rank", flat=True))

    def origin(rank: int) -> str:
        return "noemie" if rank in teletransmitted else "papier"

    rows = [HEADER]
    for index, (ago, rank, act, who, fr, br, ss, optam, eye, sphere) in enumerate(CARE, start=1):
        care = today - dt.timedelta(days=ago)
        paid = care + dt.timedelta(days=9)
        payee, payee_name = ("professionnel", who) if act == "pharmacie" else ("assure", "")
        rows.append(
            f"DEMO-{index:03d};{member.number};{rank};{care:%d/%m/%Y};{act};{who};1;{fr};{br};{ss};;"
            f"{paid:%d/%m/%Y};{origin(rank)};{payee};{payee_name};;{optam};{eye};{sphere}"
        )
    # Two care lines paid by the Sécurité sociale, awaiting the complementary: one on time,
    # one late (documents complete 15 days ago), to show the "suivi".
    for number, ago, complete in (("DEMO-P01", 6, 3), ("DEMO-P02", 30, 15)):
        care = today - dt.timedelta(days=ago)
        rows.append(
            f"{number};{member.number};2;{care:%d/%m/%Y};consultation-specialiste;Dr Faure (dermatologue);1;"
            f"60,00;30,00;20,00;;;{origin(2)};assure;;{today - dt.timedelta(days=complete):%d/%m/%Y};oui;;"
        )
    return decomptes_import(content=("\n".join(rows) + "\n").encode(), file_name="demo-decomptes.csv")
