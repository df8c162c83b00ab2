"""Who signs the portal's e-mails: a member's come from their organisme (its name is the
member's contract data), never from the web server's host name."""

from __future__ import annotations

PORTAL_SIGNATURE = "L'équipe Espace Assuré santé"


def signature_for(member) -> str:
    """The organisme's name for a member's e-mails; the portal's for anyone else."""
    if member is None:
        return PORTAL_SIGNATURE
    return str(member.contract.organisme.name)
