"""What the assistant tells a member besides its answers: the phone number of their
contract and its complementary services."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.knowledge import Entry, entry
from members.selectors import household_of


@dataclass(frozen=True)
class Phone:
    number: str
    hours: str
    note: str = ""


def contact_phone(member) -> Phone:
    contract, organisme = member.contract, member.contract.organisme
    return Phone(
        number=contract.management_phone or organisme.phone,
        hours=contract.management_hours or organisme.phone_hours,
        note=organisme.phone_note,
    )


@dataclass(frozen=True)
class ComplementaryServices:
    teleconsultation: dict | None
    assistance: list[dict]
    care_network: dict | None

    @property
    def any(self) -> bool:
        return bool(self.teleconsultation or self.assistance or self.care_network)


def complementary_services(member) -> ComplementaryServices:
    """Each service comes from the member's contract or formulas; what the contract does
    not include is absent. Descriptions come from the knowledge base (the guide)."""
    contract = member.contract
    teleconsultation = None
    if contract.teleconsultation_name:
        teleconsultation = {
            "name": contract.teleconsultation_name,
            "phone": contract.teleconsultation_phone,
            "about": entry("teleconsultation-med-vous"),
        }
    assistance: list[dict] = []
    for affiliation in household_of(member).affiliations_on():
        label = affiliation.formula.assistance
        if label and label not in [a["label"] for a in assistance]:
            assistance.append({"label": label, "formula": affiliation.formula.name, "about": entry("assistance")})
    care_network = None
    if contract.care_network:
        about: Entry | None = entry("itelis-avantages") if contract.care_network.lower() == "itelis" else None
        care_network = {
            "name": contract.care_network,
            "about": about,
            "bien_vu": entry("itelis-100-bien-vu") if about else None,
        }
    return ComplementaryServices(teleconsultation, assistance, care_network)
