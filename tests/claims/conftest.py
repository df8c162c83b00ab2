import datetime as dt

import pytest

HEADER = (
    "numero_decompte;numero_adherent;rang_beneficiaire;date_soins;code_acte;praticien;quantite;frais_reels;"
    "base_remboursement;montant_ss;montant_complementaire;date_paiement;origine;destinataire;nom_destinataire;"
    "date_pieces_completes;optam"
)


def csv_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def consultation(
    decompte_id,
    member,
    *,
    rank=1,
    care="01/10/2026",
    paid="15/10/2026",
    fr="60,00",
    comp="39,00",
    origin="noemie",
    payee="assure",
    complete="",
):
    """A GP consultation (OPTAM): BR 30 €, SS 21 €. Under Base + Celsius (notice 004
    lines 771 and 949): Base 100 % BR = 30 - 21 = 9 €; Celsius 400 % BR capped at the
    frais réels: 60 - 21 - 9 = 30 €; total 39 €."""
    return (
        f"{decompte_id};{member.number};{rank};{care};consultation-generaliste;Dr Martin;1;{fr};30,00;21,00;"
        f"{comp};{paid};{origin};{payee};;{complete};oui"
    )


@pytest.fixture
def today():
    return dt.date(2026, 11, 22)
