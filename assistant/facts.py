"""The member's own facts an answer shows (``Entry.facts``): their formulas' amounts and
ceilings, their pending payments, their contract's contacts, portability and services.

Computed, never invented: every figure is read through the selectors the portal's pages
use, scoped to the requesting member's household (``household_of``), from the guarantee
tables the engine computes with. A fact the member's contract does not have is absent,
never borrowed from another contract.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from assistant.selectors import complementary_services, contact_phone
from claims import selectors as claims_selectors
from claims.prefill import late_report_url, simulation_prefill_url
from core.money import euros
from guarantees import catalogue
from members.portability import MAX_MONTHS, latest_portability_file
from members.selectors import household_of

# The acts of the guarantee tables each member question is about (both notices).
GUARANTEE_ACTS = {
    "optique": (
        "monture",
        "verres-unifocaux",
        "verres-multifocaux",
        "optique-classe-a",
        "optique-classe-b",
    ),
    "osteopathie": ("osteopathie",),
    "couronne": ("prothese-couronne-bridge", "prothese-honoraires-maitrises", "prothese-honoraires-libres"),
    "chambre": ("chambre-particuliere", "maternite-chambre-particuliere", "naissance-chambre-particuliere"),
}
# Lines of the table without an act that still answer the question (a shared ceiling).
GUARANTEE_LABELS = {"osteopathie": ("Forfait global médecine douce",)}
# The act the simulator starts on for each question.
SIMULATION_ACT = {
    "optique": ("optique-classe-b", "verres-unifocaux"),
    "osteopathie": ("osteopathie",),
    "couronne": ("prothese-couronne-bridge", "prothese-honoraires-libres"),
    "chambre": ("chambre-particuliere",),
}


@dataclass
class Link:
    url: str
    label: str


@dataclass
class Facts:
    """What an answer adds for this member: sentences, a table of figures, links."""

    lines: list[str] = field(default_factory=list)
    rows: list[tuple[str, ...]] = field(default_factory=list)
    header: tuple[str, ...] = ()
    links: list[Link] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "lines": self.lines,
            "header": list(self.header),
            "rows": [list(row) for row in self.rows],
            "links": [{"url": link.url, "label": link.label} for link in self.links],
        }


def facts_for(kind: str, request) -> Facts | None:
    """The facts of ``kind`` for the requesting member, or None for an unknown kind."""
    member = request.member
    if kind.startswith("guarantee:"):
        return _guarantee(request, member, kind.split(":", 1)[1])
    builder = {
        "contact": _contact,
        "portability": _portability,
        "services": _services,
        "pending": _pending,
    }.get(kind)
    return builder(request, member) if builder else None


def _contact(request, member) -> Facts:
    contract = member.contract
    phone = contact_phone(member)
    facts = Facts()
    hours = f", {phone.hours}" if phone.hours else ""
    note = f" ({phone.note})" if phone.note else ""
    facts.lines.append(f"Votre contrat « {contract.name} » : téléphone {phone.number}{hours}{note}.")
    address = (contract.management_address or contract.organisme.postal_address).replace("\n", ", ")
    if address:
        facts.lines.append(f"Adresse postale de votre centre de gestion : {address}.")
    return facts


def _portability(request, member) -> Facts:
    contract = member.contract
    facts = Facts()
    if contract.portability_months_factor > 1:
        facts.lines.append(
            f"Pour votre contrat « {contract.name} », l'accord de branche multiplie par "
            f"{contract.portability_months_factor} la durée de votre dernier contrat de travail, "
            f"dans la limite de {MAX_MONTHS} mois."
        )
    else:
        facts.lines.append(
            f"Pour votre contrat « {contract.name} », la portabilité dure autant que votre dernier contrat "
            f"de travail (arrondi au mois supérieur), dans la limite de {MAX_MONTHS} mois."
        )
    file = latest_portability_file(member)
    if file is not None and file.start_date and file.end_date:
        facts.lines.append(
            f"Votre portabilité court du {file.start_date:%d/%m/%Y} au {file.end_date:%d/%m/%Y} "
            f"({file.duration_months} mois)."
        )
    if file is not None and file.france_travail_consent:
        facts.lines.append("Vos justificatifs France Travail nous sont transmis automatiquement : rien à envoyer.")
    else:
        facts.lines.append(
            "Sans transmission automatique par France Travail, envoyez chaque mois votre justificatif "
            "d'indemnisation (ou donnez votre accord dans votre Profil)."
        )
    return facts


def _services(request, member) -> Facts:
    services = complementary_services(member)
    facts = Facts()
    if services.teleconsultation:
        tele = services.teleconsultation
        phone = f" au {tele['phone']}" if tele["phone"] else ""
        facts.lines.append(f"Votre contrat inclut la téléconsultation {tele['name']}{phone}.")
    else:
        facts.lines.append("Votre contrat ne comprend pas de service de téléconsultation.")
    for assistance in services.assistance:
        facts.lines.append(f"Assistance de votre formule {assistance['formula']} : {assistance['label']}.")
    return facts


def _pending(request, member) -> Facts:
    today = timezone.localdate()
    facts = Facts(header=("Soins du", "Pour", "Paiement attendu au plus tard", "État"))
    pending = list(claims_selectors.pending_decomptes(member.pk))
    if not pending:
        facts.lines.append("Vous n'avez aucun remboursement en attente de paiement.")
        return facts
    for decompte in pending:
        people = ", ".join(sorted({line.beneficiary.first_name for line in decompte.lines.all()}))
        expected = decompte.expected_payment_date
        if expected is None:
            state = "en attente de pièces"
        elif decompte.is_late(today):
            state = "en retard"
        else:
            state = "dans les délais"
        facts.rows.append(
            (f"{decompte.first_care_date:%d/%m/%Y}", people, f"{expected:%d/%m/%Y}" if expected else "—", state)
        )
        if expected is not None and decompte.is_late(today):
            url = late_report_url(request, decompte)
            if url:
                label = f"Signaler le retard des soins du {decompte.first_care_date:%d/%m/%Y}"
                facts.links.append(Link(url, label))
    return facts


def guarantee_rows(member, family: str, day: dt.date | None = None) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """(header, rows) of the member's formulas in force for the acts of ``family``: one row
    per line of the notice's table, one cell per formula, in the notice's words."""
    affiliations = household_of(member).affiliations_on(day)
    if not affiliations:
        return (), []
    codes = [a.formula.code for a in affiliations]
    notice = catalogue.notice_for(codes[0])
    names = [
        notice.formulas.get(code, {}).get("name", a.formula.name) for code, a in zip(codes, affiliations, strict=True)
    ]
    rows = []
    for row in notice.rows:
        if row.act not in GUARANTEE_ACTS[family] and row.label not in GUARANTEE_LABELS.get(family, ()):
            continue
        cells = [row.cells.get(code) for code in codes]
        if not any(cells):
            continue
        texts = []
        for cell in cells:
            if cell is None:
                texts.append("—")
            else:
                texts.append(f"{cell.text} - {cell.limit_text}" if cell.limit_text else cell.text)
        rows.append((row.label, *texts))
    return ("Acte", *names), rows


def used_this_year(member, family: str, year: int) -> list[tuple[str, Decimal, int]]:
    """(first name, complementary paid, lines) per person of the household for the acts of
    ``family`` paid this year, from the reimbursements' own selector."""
    totals: dict[str, list] = {}
    for line in claims_selectors.year_lines(member.pk, year).filter(act_code__in=GUARANTEE_ACTS[family]):
        name = line.beneficiary.first_name
        entry = totals.setdefault(name, [Decimal("0.00"), 0])
        entry[0] += line.complementary_paid
        entry[1] += line.quantity
    return [(name, amount, count) for name, (amount, count) in totals.items()]


def ceilings_left(member, family: str, today: dt.date) -> list[str]:
    """What is left this year on the yearly ceilings of ``family``'s acts, per person and
    level: the engine's own counters, as "Mes droits restants" shows them (the next care
    of that kind is paid at most that)."""
    acts = set(GUARANTEE_ACTS[family])
    lines = []
    for person in claims_selectors.household_rights(household_of(member), today):
        for level in person.levels:
            for row in level.rows:
                if acts & set(row.allowance.acts) and person.person is not None:
                    lines.append(
                        f"{person.person.first_name}, {level.formula_name} - {row.title} : "
                        f"reste {row.left} en {today.year} (plafond {row.ceiling}, utilisé {row.used})."
                    )
    return lines


def _guarantee(request, member, family: str) -> Facts | None:
    if family not in GUARANTEE_ACTS:
        return None
    header, rows = guarantee_rows(member, family)
    facts = Facts(header=header, rows=rows)
    if not rows:
        facts.lines.append("Vos formules actuelles ne prévoient pas de remboursement pour ces soins.")
        return facts
    facts.lines.append("Vos formules en vigueur, dans les termes de votre tableau de garanties :")
    today = timezone.localdate()
    year = today.year
    for name, amount, count in used_this_year(member, family, year):
        facts.lines.append(f"Déjà remboursé en {year} pour {name} : {euros(amount)} ({count} acte(s)).")
    facts.lines.extend(ceilings_left(member, family, today))
    acts = {
        act for act, _label, _unit in catalogue.catalogue_acts(household_of(member).affiliations_on()[0].formula.code)
    }
    act = next((code for code in SIMULATION_ACT[family] if code in acts), "")
    url = simulation_prefill_url(request, "assistant", act=act) if act else None
    if url:
        facts.links.append(Link(url, "Simuler mon remboursement (acte prérempli)"))
    return facts
