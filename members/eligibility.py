"""Who may be covered as an ayant droit, from each notice's "Personnes garanties".

The contract carries its own rules (``Contract.eligibility_rules``), loaded from the
reference data, e.g. for notice 003::

    {"partner": true,
     "enfant": {"a_charge": 18, "secondaire": 21, "etudes": 28, "emploi": 28, "handicap": null},
     "petit_enfant": {"a_charge": 18, "secondaire": 21},
     "ascendant": true}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from members.models import PARTNER_RELATIONSHIPS, ChildSituation, Relationship, age_on

if TYPE_CHECKING:
    from members.models import Beneficiary


def check_eligibility(person: Beneficiary) -> None:
    """Raise a ValidationError (in French) when the contract cannot cover ``person``."""
    rules = person.member.contract.eligibility_rules
    relationship = person.relationship
    if relationship == Relationship.MEMBER:
        return
    if relationship in PARTNER_RELATIONSHIPS:
        _check_single_partner(person)
        return
    if relationship == Relationship.ASCENDANT:
        if not rules.get("ascendant"):
            raise ValidationError({"relationship": "Ce contrat ne couvre pas les ascendants."})
        if not person.lives_with_member:
            raise ValidationError(
                {"lives_with_member": "Un ascendant n'est couvert que s'il vit sous le même toit que l'assuré."}
            )
        return
    limits = rules.get(relationship)
    label = Relationship(relationship).label.lower()
    if limits is None:
        raise ValidationError({"relationship": f"Ce contrat ne couvre pas les {label}s."})
    if relationship == Relationship.GRANDCHILD and not person.lives_with_member:
        raise ValidationError(
            {"lives_with_member": "Un petit-enfant n'est couvert que s'il vit sous le toit de l'assuré."}
        )
    if not person.child_situation:
        raise ValidationError({"child_situation": "Précisez la situation de l'enfant (à charge, études, ...)."})
    situation = ChildSituation(person.child_situation)
    if situation.value not in limits:
        raise ValidationError(
            {
                "child_situation": f"La situation « {situation.label} » n'ouvre pas droit à la couverture pour ce contrat."
            }
        )
    limit = limits[situation.value]
    age = age_on(person.birth_date, person.cover_start)
    if limit is not None and age >= limit:
        raise ValidationError(
            {
                "child_situation": (
                    f"{person.first_name} a {age} ans au début de la couverture : dans la situation "
                    f"« {situation.label} », ce contrat couvre les enfants de moins de {limit} ans."
                )
            }
        )


def _check_single_partner(person: Beneficiary) -> None:
    partners = person.member.beneficiaries.filter(relationship__in=PARTNER_RELATIONSHIPS).exclude(pk=person.pk)
    for other in partners:
        if other.cover_start <= (person.cover_end or other.cover_start.max) and person.cover_start <= (
            other.cover_end or person.cover_start.max
        ):
            raise ValidationError(
                {"relationship": f"{other.full_name} est déjà couvert(e) comme conjoint sur cette période."}
            )
