"""The décomptes import file: UTF-8, `;` separator, one row per care line, as French
systems export. Rows sharing a ``numero_decompte`` form one décompte.

| column | required | format |
|---|---|---|
| numero_decompte | yes | the insurer's unique id of the décompte |
| numero_adherent | yes | member number |
| rang_beneficiaire | yes | rank of the covered person in the household (1 = the member) |
| date_soins | yes | JJ/MM/AAAA or AAAA-MM-JJ |
| code_acte | yes | act code of the guarantee tables (`manage.py simulate --list-acts FORMULA`) |
| praticien | no | name of the health professional |
| quantite | no | integer, default 1 |
| frais_reels | yes | amount, `107,50` or `107.50` |
| base_remboursement | yes | amount |
| montant_ss | yes | amount paid by the Sécurité sociale |
| montant_complementaire | no | amount paid by the complementary; checked against the engine |
| date_paiement | no | empty: the décompte is awaiting payment (suivi) |
| origine | yes | noemie, papier or tiers_payant |
| destinataire | yes | assure or professionnel |
| nom_destinataire | no | name of the professional paid in tiers payant |
| date_pieces_completes | no | date every document was received (for the expected payment date) |
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal, InvalidOperation

COLUMNS = [
    "numero_decompte",
    "numero_adherent",
    "rang_beneficiaire",
    "date_soins",
    "code_acte",
    "praticien",
    "quantite",
    "frais_reels",
    "base_remboursement",
    "montant_ss",
    "montant_complementaire",
    "date_paiement",
    "origine",
    "destinataire",
    "nom_destinataire",
    "date_pieces_completes",
]
REQUIRED = {
    "numero_decompte",
    "numero_adherent",
    "rang_beneficiaire",
    "date_soins",
    "code_acte",
    "frais_reels",
    "base_remboursement",
    "montant_ss",
    "origine",
    "destinataire",
}
CENT = Decimal("0.01")


class CellError(ValueError):
    pass


# Memoised: a file of a million lines repeats a few hundred amounts and dates; the values
# are immutable and a bad cell raises (never cached).
@functools.lru_cache(maxsize=8192)
def parse_amount(value: str) -> Decimal:
    text = value.strip().replace("\u00a0", "").replace(" ", "").replace("€", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError(f"« {value} » n'est pas un montant (exemple : 107,50).") from None
    if not amount.is_finite():
        raise CellError(f"« {value} » n'est pas un montant (exemple : 107,50).")
    if amount < 0:
        raise CellError(f"Le montant {value} est négatif.")
    if amount != amount.quantize(CENT):
        raise CellError(f"Le montant {value} a plus de deux décimales.")
    return amount.quantize(CENT)


@functools.lru_cache(maxsize=8192)
def parse_date(value: str) -> dt.date:
    text = value.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise CellError(f"« {value} » n'est pas une date valide (JJ/MM/AAAA).")


def parse_int(value: str, *, minimum: int = 1) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise CellError(f"« {value} » n'est pas un nombre entier.") from None
    if number < minimum:
        raise CellError(f"« {value} » doit être au moins {minimum}.")
    return number
