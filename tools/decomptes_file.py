"""Valid décomptes files of any size for the benchmarks and the import tests: members
numbered ``B000000000``... (created by ``bench_members``, rolled back or deleted by the
caller) and one paid NOEMIE consultation-like décompte per line, streamed line by line
(a 1,000,000-line file is never held in memory).

    python manage.py generate_decomptes_file /tmp/1M.csv --lines 1000000
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

HEADER = (
    "numero_decompte;numero_adherent;rang_beneficiaire;date_soins;code_acte;praticien;quantite;frais_reels;"
    "base_remboursement;montant_ss;montant_complementaire;date_paiement;origine;destinataire;"
    "nom_destinataire;date_pieces_completes;optam"
)
ACTS = [
    ("consultation-generaliste", "30,00", "21,00"),
    ("consultation-specialiste", "30,00", "21,00"),
    ("pharmacie", "12,40", "8,68"),
    ("analyses", "25,00", "15,00"),
]
LINES_PER_MEMBER = 20


def bench_members(count: int, *, first: int = 0):
    """``count`` households of one adult on the T331 contract (base + Celsius formulas)."""
    from members.models import Affiliation, AffiliationRole, Beneficiary, Contract, Formula, Member, NoemieStatus
    from members.validators import nir_with_key

    contract = Contract.objects.get(number="T331")
    base, celsius = Formula.objects.get(code="IDCC1412-BASE"), Formula.objects.get(code="IDCC1412-CELSIUS")
    start = dt.date(2015, 1, 1)
    members = Member.objects.bulk_create(
        [
            Member(
                number=f"B{index:09d}",
                contract=contract,
                address_line1="1 rue du Banc",
                postcode="69003",
                city="Lyon",
                status_since=start,
                iban="FR7630006000011234567890189",
                email=f"bench{index}@example.fr",
            )
            for index in range(first, first + count)
        ],
        batch_size=2000,
    )
    Beneficiary.objects.bulk_create(
        [
            Beneficiary(
                member=member,
                relationship="assure",
                first_name="Camille",
                last_name="Banc",
                birth_date=dt.date(1980, 1, 1),
                nir=nir_with_key(f"180017505600{index % 10}"),
                rank=1,
                cover_start=start,
                noemie_status=NoemieStatus.ACTIVE,
            )
            for index, member in enumerate(members)
        ],
        batch_size=2000,
    )
    Affiliation.objects.bulk_create(
        [Affiliation(member=m, formula=base, role=AffiliationRole.PRINCIPAL, start_date=start) for m in members]
        + [Affiliation(member=m, formula=celsius, role=AffiliationRole.OPTIONAL, start_date=start) for m in members],
        batch_size=2000,
    )
    return members


def decomptes_lines(numbers: Sequence[str], lines: int, *, seed: int = 6, prefix: str = "BENCH") -> Iterator[str]:
    """The header, then ``lines`` lines spread over the members ``numbers`` in turn."""
    rng = random.Random(seed)
    yield HEADER + "\n"
    for index in range(lines):
        act, br, ss = ACTS[rng.randrange(len(ACTS))]
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(300))
        paid = day + dt.timedelta(days=10)
        yield (
            f"{prefix}{index:07d};{numbers[index % len(numbers)]};1;{day:%d/%m/%Y};{act};Dr Banc;1;45,00;{br};{ss};;"
            f"{paid:%d/%m/%Y};noemie;assure;;;oui\n"
        )


def decomptes_csv(numbers: Sequence[str], lines: int, **options) -> bytes:
    return "".join(decomptes_lines(numbers, lines, **options)).encode()


def write_decomptes_file(path: Path, numbers: Sequence[str], lines: int, **options) -> None:
    with path.open("w", encoding="utf-8", newline="") as output:
        output.writelines(decomptes_lines(numbers, lines, **options))
