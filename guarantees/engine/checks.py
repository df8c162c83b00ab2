"""Input checks: an invalid request or care line raises ``EngineError`` with the precise
French reason. A line's checks run in a fixed order, so the first problem found is the
one reported."""

from __future__ import annotations

from decimal import Decimal

from guarantees.engine.state import LineContext
from guarantees.engine.types import EngineError, EngineRequest, Layer
from guarantees.engine.values import SIDES, euros

# Every amount of a line, with how the messages name it.
AMOUNTS = (
    ("frais_reels", "les frais réels"),
    ("base_remboursement", "la base de remboursement"),
    ("ss_paid", "le remboursement de la Sécurité sociale"),
    ("other_paid", "le remboursement d'une autre complémentaire"),
    ("frame_amount", "le prix de la monture"),
    ("price_limit", "le prix limite"),
)
RENEWALS = ("evolution_vue", "pathologie")


def check_request(request: EngineRequest) -> None:
    if not request.layers:
        raise EngineError("no_formula", "Aucune formule de garanties n'est indiquée.")
    if len({layer.rules.notice for layer in request.layers}) > 1:
        raise EngineError(
            "formulas_incompatible",
            "Les formules indiquées relèvent de contrats différents et ne peuvent pas se cumuler.",
        )


def check_line(context: LineContext) -> None:
    _check_amounts(context)
    _check_quantities(context)
    _check_care_date(context)
    _check_choices(context)


def _check_amounts(context: LineContext) -> None:
    line = context.line
    for name, label in AMOUNTS:
        value: object = getattr(line, name)
        if value is None:
            continue  # an optional amount not given
        if not isinstance(value, Decimal) or not value.is_finite():
            raise context.error("invalid_amount", f"Le montant saisi pour {label} n'est pas un nombre.")
        if value < 0:
            raise context.error("negative_amount", f"Le montant saisi pour {label} ne peut pas être négatif.")
    if line.ss_paid > line.frais_reels:
        raise context.error(
            "ss_paid_above_fr",
            f"Le remboursement de la Sécurité sociale ({euros(line.ss_paid)}) dépasse les frais réels ({euros(line.frais_reels)}).",
        )
    if line.ss_paid + line.other_paid > line.frais_reels:
        raise context.error(
            "other_paid_above_fr",
            "Les remboursements de la Sécurité sociale et de l'autre complémentaire dépassent les frais réels.",
        )
    if line.frame_amount is not None and line.frame_amount > line.frais_reels:
        raise context.error("frame_above_fr", "Le prix de la monture dépasse les frais réels de l'équipement.")


def _check_quantities(context: LineContext) -> None:
    line = context.line
    if line.quantity < 1 or (line.days is not None and line.days < 1):
        raise context.error("invalid_quantity", "La quantité (ou le nombre de jours) doit être au moins égale à 1.")


def _check_care_date(context: LineContext) -> None:
    day, request = context.line.care_date, context.request
    if day > request.claim_date:
        raise context.error(
            "care_date_in_future",
            f"La date des soins ({day:%d/%m/%Y}) est postérieure à la date de la demande ({request.claim_date:%d/%m/%Y}).",
        )
    if day < request.birth_date:
        raise context.error("care_before_birth", "La date des soins précède la date de naissance du bénéficiaire.")
    if request.cover_start and day < request.cover_start:
        raise context.error(
            "care_before_cover",
            f"La date des soins ({day:%d/%m/%Y}) précède le début de la couverture du bénéficiaire "
            f"({request.cover_start:%d/%m/%Y}).",
        )
    if request.cover_end and day > request.cover_end:
        raise context.error(
            "care_after_cover",
            f"La date des soins ({day:%d/%m/%Y}) est postérieure à la fin de la couverture du bénéficiaire "
            f"({request.cover_end:%d/%m/%Y}).",
        )


def _check_choices(context: LineContext) -> None:
    line = context.line
    if line.eye is not None and line.eye not in SIDES:
        raise context.error("invalid_eye", "Indiquez l'œil : gauche, droit ou les deux.")
    if line.ear is not None and line.ear not in SIDES:
        raise context.error("invalid_ear", "Indiquez l'oreille : gauche, droite ou les deux.")
    if line.renewal is not None and line.renewal not in RENEWALS:
        raise context.error("invalid_renewal", "Motif de renouvellement anticipé inconnu.")


def layers_in_force(context: LineContext) -> tuple[Layer, ...]:
    """The layers in force on the line's care date, the principal level first."""
    day, request = context.line.care_date, context.request
    layers = [layer for layer in request.layers if layer.in_force(day)]
    if not layers:
        starts = [layer.start for layer in request.layers if layer.start]
        if starts and day < min(starts):
            raise context.error(
                "care_before_cover",
                f"La date des soins ({day:%d/%m/%Y}) précède le début de vos garanties ({min(starts):%d/%m/%Y}).",
            )
        raise context.error("care_outside_cover", f"Aucune garantie n'était en vigueur le {day:%d/%m/%Y}.")
    layers.sort(key=lambda layer: layer.role != "principal")  # stable: facultative levels keep their order
    return tuple(layers)
