"""What the situation pages tell a member about their household's NOEMIE status, in the
words of the member guide ("Télétransmission Noémie", guide lines 141-180)."""

from __future__ import annotations

from dataclasses import dataclass

from members.models import Beneficiary, NoemieReason, NoemieStatus

SEND_STATEMENTS = (
    "En attendant, transmettez-nous les décomptes de remboursement de la Sécurité sociale (reçus par "
    "courrier ou téléchargeables sur votre compte ameli) ainsi que les factures nécessaires, par courrier "
    "ou par la messagerie de votre Espace Assuré."
)

# For each reason of the guide, what it means and what to do, in plain French.
ADVICE: dict[str, tuple[str, str]] = {
    NoemieReason.OTHER_CONTRACT: (
        "Cette personne bénéficie déjà de la télétransmission dans le cadre d'un autre contrat santé "
        "(par exemple celui de son employeur) : la Sécurité sociale envoie ses remboursements à cet autre "
        "organisme.",
        "Adressez-nous le décompte de remboursement de l'autre organisme complémentaire avec les factures : "
        "nous complétons le remboursement s'il reste des frais à votre charge.",
    ),
    NoemieReason.SPECIFIC_REGIME: (
        "Cette personne est couverte par un régime obligatoire spécifique, qui ne nous transmet pas ses "
        "remboursements par NOEMIE.",
        "Transmettez-nous chaque décompte de votre régime obligatoire avec les factures, par courrier ou par "
        "la messagerie de votre Espace Assuré.",
    ),
    NoemieReason.OVERLAP: (
        "Deux complémentaires santé sont enregistrées pour cette personne auprès de la Sécurité sociale : "
        "les échanges NOEMIE ne peuvent aller qu'à une seule.",
        "Signalez-nous la complémentaire qui doit recevoir les remboursements et, si l'autre contrat a pris "
        "fin, envoyez-nous son attestation de fin de droits. " + SEND_STATEMENTS,
    ),
    NoemieReason.MISSING_ATTESTATION: (
        "Nous n'avons pas reçu l'attestation de droits Sécurité sociale de cette personne.",
        "Envoyez-nous la copie de son attestation de droits Sécurité sociale (téléchargeable sur ameli.fr) : "
        "la télétransmission sera activée à sa réception. " + SEND_STATEMENTS,
    ),
}


@dataclass(frozen=True)
class NoemieSituation:
    person: Beneficiary
    active: bool
    label: str
    explanation: str
    what_to_do: str


def noemie_situation(person: Beneficiary) -> NoemieSituation:
    if person.noemie_status == NoemieStatus.ACTIVE:
        return NoemieSituation(
            person,
            True,
            "Active",
            "Les remboursements de la Sécurité sociale nous parviennent automatiquement : vous n'avez rien à "
            "nous envoyer, sauf justificatifs complémentaires pour certains actes.",
            "",
        )
    if person.noemie_status == NoemieStatus.PENDING:
        return NoemieSituation(
            person,
            False,
            "En cours d'activation",
            "Nous avons demandé l'activation de la télétransmission à la caisse d'Assurance Maladie.",
            SEND_STATEMENTS,
        )
    explanation, what_to_do = ADVICE.get(
        person.noemie_reason,
        ("La télétransmission NOEMIE n'est pas active pour cette personne.", SEND_STATEMENTS),
    )
    return NoemieSituation(person, False, "Non active", explanation, what_to_do)
