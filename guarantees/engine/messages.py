"""The French texts of the limits (the cuts a result explains) and of a level's
explanation. The wording is the notices' and is checked character for character by
tests/guarantees/test_engine_regression.py.

A limit's text is a small record here whose ``str()`` is the text: ``Limit`` keeps the
record and makes the text on first read, so a batch of thousands of lines formats no
text nobody reads. The texts of input errors (``EngineError``) stay next to the check
that raises them."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from guarantees.engine.values import ZERO, add_years, euros, money

if TYPE_CHECKING:
    from guarantees.engine.types import Periodicity

EAR_LABELS = {"left": "oreille gauche", "right": "oreille droite"}
EYE_LABELS = {"left": "œil gauche", "right": "œil droit"}


class Message:
    """A limit's French text, made by ``str()``."""

    __slots__ = ()

    def __str__(self) -> str:
        raise NotImplementedError


# --------------------------------------------------------------------------- the whole line


@dataclass(frozen=True, slots=True)
class Prescription(Message):
    care_date: dt.date
    claim_date: dt.date

    def __str__(self) -> str:
        return (
            f"Prescription : les soins du {self.care_date:%d/%m/%Y} ont plus de deux ans à la date de la demande "
            f"({self.claim_date:%d/%m/%Y}) ; ils ne peuvent plus être remboursés."
        )


@dataclass(frozen=True, slots=True)
class TooSoon(Message):
    """An optical equipment or a hearing aid bought before the end of its period."""

    period: Periodicity
    notice_title: str
    previous: dt.date  # care date of the equipment that started the period
    years: int
    age: int  # named for optics, whose period depends on it
    ear: str | None  # named for hearing aids, whose period runs per ear

    def __str__(self) -> str:
        period = self.period
        who = "" if period.per_ear else f" (bénéficiaire de {self.age} ans)"
        target = f" pour l'{EAR_LABELS[self.ear]}" if period.per_ear and self.ear else ""
        # cited by the notice's title and table heading: a line number means nothing to a member
        section = f", rubrique « {period.section} »" if period.section else ""
        return (
            f"Périodicité : {period.label}{who}. Dernier équipement remboursé{target} le "
            f"{self.previous:%d/%m/%Y} : prochain remboursement possible à partir du "
            f"{add_years(self.previous, self.years):%d/%m/%Y} (notice « {self.notice_title} »{section})."
        )


# --------------------------------------------------------------------------- a level that pays nothing


@dataclass(frozen=True, slots=True)
class NotCovered(Message):
    name: str  # the formula's name, as every level's text starts

    def __str__(self) -> str:
        return f"{self.name} : cet acte n'est pas prévu par la garantie."


@dataclass(frozen=True, slots=True)
class ConditionsNotMet(Message):
    name: str
    conditions: str  # the notice's cases, as its rows word them

    def __str__(self) -> str:
        return f"{self.name} : prise en charge réservée aux cas prévus par la notice ({self.conditions})."


@dataclass(frozen=True, slots=True)
class NotReimbursedBySS(Message):
    name: str

    def __str__(self) -> str:
        return (
            f"{self.name} : acte non remboursé par la Sécurité sociale, non pris en charge (exclusions de la notice)."
        )


# --------------------------------------------------------------------------- a rule's own cuts


@dataclass(frozen=True, slots=True)
class PriceLimit(Message):
    name: str
    price_limit: Decimal

    def __str__(self) -> str:
        return f"{self.name} : garantie limitée aux honoraires limites de facturation ({euros(self.price_limit)})."


@dataclass(frozen=True, slots=True)
class FullCoverLimit(Message):
    name: str
    price_limit: Decimal

    def __str__(self) -> str:
        return (
            f"{self.name} : prise en charge intégrale dans la limite du prix limite ({euros(self.price_limit)}) ; "
            "le dépassement reste à votre charge."
        )


@dataclass(frozen=True, slots=True)
class MaxCount(Message):
    name: str
    max_count: int
    remaining: int
    year: int

    def __str__(self) -> str:
        return (
            f"{self.name} : limité à {self.max_count} par an et par bénéficiaire "
            f"({self.remaining} restant(s) en {self.year})."
        )


@dataclass(frozen=True, slots=True)
class MaxDaysPerStay(Message):
    name: str
    max_days: int

    def __str__(self) -> str:
        return f"{self.name} : limité à {self.max_days} jours."


@dataclass(frozen=True, slots=True)
class MaxDays(Message):
    name: str
    max_days: int
    remaining: int
    year: int

    def __str__(self) -> str:
        return (
            f"{self.name} : limité à {self.max_days} jours par an et par bénéficiaire "
            f"({self.remaining} jour(s) restant(s) en {self.year})."
        )


@dataclass(frozen=True, slots=True)
class AnnualCeiling(Message):
    name: str
    top_up: bool  # a yearly amount on top of a % of the BR ("en complément")
    ceiling: Decimal
    year: int
    remaining: Decimal

    def __str__(self) -> str:
        label = "forfait annuel en complément" if self.top_up else "forfait annuel"
        return (
            f"{self.name} : {label} de {euros(self.ceiling)} par bénéficiaire en {self.year}, "
            f"reste {euros(self.remaining)} avant ces soins."
        )


@dataclass(frozen=True, slots=True)
class TicketModerateur(Message):
    name: str

    def __str__(self) -> str:
        return f"{self.name} : au-delà du forfait, prise en charge du ticket modérateur."


@dataclass(frozen=True, slots=True)
class DeviceCap(Message):
    name: str
    device_cap: Decimal

    def __str__(self) -> str:
        return (
            f"{self.name} : prise en charge limitée à {euros(self.device_cap)} par aide auditive, "
            "remboursement SS compris."
        )


@dataclass(frozen=True, slots=True)
class EyeCeiling(Message):
    name: str
    per_eye: Decimal
    eye: str
    year: int
    remaining: Decimal

    def __str__(self) -> str:
        return f"{self.name} : {euros(self.per_eye)} par {EYE_LABELS[self.eye]} en {self.year}, reste {euros(self.remaining)}."


@dataclass(frozen=True, slots=True)
class GlassesPerEquipment(Message):
    name: str

    def __str__(self) -> str:
        return f"{self.name} : 2 verres par équipement."


@dataclass(frozen=True, slots=True)
class FrameCap(Message):
    name: str
    frame_cap: Decimal

    def __str__(self) -> str:
        return f"{self.name} : monture prise en compte dans la limite de {euros(self.frame_cap)}."


@dataclass(frozen=True, slots=True)
class Package(Message):
    name: str
    amount: Decimal

    def __str__(self) -> str:
        return f"{self.name} : forfait de {euros(self.amount)} pour l'équipement, remboursement SS compris."


# --------------------------------------------------------------------------- the payment's cuts


@dataclass(frozen=True, slots=True)
class FraisReels(Message):
    name: str
    left: Decimal  # what was left to pay

    def __str__(self) -> str:
        return f"{self.name} : limité aux frais restant à votre charge ({euros(self.left)})."


@dataclass(frozen=True, slots=True)
class LowerLevelCovers(Message):
    name: str
    guaranteed: Decimal

    def __str__(self) -> str:
        return (
            f"{self.name} : les niveaux inférieurs remboursent déjà au moins ce que garantit ce niveau "
            f"({euros(self.guaranteed)} au total)."
        )


@functools.lru_cache(maxsize=8192)  # an import of 100,000 lines repeats the same few thousand texts
def level_explanation(source: str, guaranteed: Decimal, ss_paid: Decimal, paid_below: Decimal, amount: Decimal) -> str:
    """How a level's amount follows from its rule: the total it guarantees minus what SS
    and the lower levels paid, then, when that difference is not what the level pays, the
    step that changed it (so the arithmetic a member reads always adds up)."""
    below = f" et niveaux inférieurs {euros(paid_below)}" if paid_below else ""
    steps = (
        f"{source} : garantie totale {euros(guaranteed)} (remboursement SS compris), moins SS {euros(ss_paid)}{below}"
    )
    difference = money(guaranteed - ss_paid - paid_below)
    if difference == amount:
        return f"{steps} = {euros(amount)}."
    if difference < ZERO:
        # SS and the lower levels already paid more than this level guarantees in total
        return f"{steps} : la garantie est déjà atteinte, soit {euros(amount)}."
    return f"{steps} = {euros(difference)}, ramené à {euros(amount)} (les frais restant à votre charge)."
