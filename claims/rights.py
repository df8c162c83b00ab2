""" "Mes droits restants": what the page, the home block and the opt-in e-mails read.

The figures are the engine's (``guarantees.engine.rights``: the counters the next care
would find, after the household's reimbursed care); this module only words them in plain
French, with the rule that sets each one (the notice by title and section, never a line
number) and the "sous déduction" of the optional levels."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from core.money import euros
from guarantees import catalogue
from guarantees.engine.rights import Allowance, Renewal, Rights
from members.models import Beneficiary

EYE_LABELS = {"left": "œil gauche", "right": "œil droit"}
EAR_LABELS = {"left": "oreille gauche", "right": "oreille droite"}
GROUP_LABELS = {"optique": "Équipement optique (monture et verres)", "audition": "Aide auditive"}
RENEWAL_LABELS = {
    "evolution_vue": "En cas d'évolution de la vue (nouvelle prescription)",
    "pathologie": "En cas de pathologie ou de situation médicale particulière",
}
# A note of the data ends with where the notice says it: members read the notice's title, not its lines.
_LINE_REFERENCE = re.compile(r"\s*\((?:notice \d+, )?lignes? [\d, et]+\)|\s*\(\d\)")


def _sentence_case(text: str) -> str:
    return text[:1] + text[1:].lower() if text.isupper() else text


def _plain(text: str) -> str:
    return _LINE_REFERENCE.sub("", text).strip()


def notice_title(notice: str) -> str:
    return catalogue.notices()[notice].title


def notice_section(category: str, label: str) -> str:
    """Where the rule is in the notice (whose title the page gives once per level)."""
    return f"Rubrique « {_sentence_case(category)} », garantie « {label} »"


@dataclass(frozen=True)
class AllowanceRow:
    """One yearly ceiling, worded."""

    allowance: Allowance
    title: str
    ceiling: str
    used: str
    left: str
    rule: str
    source: str
    details: tuple[str, ...]
    percent_used: int
    nearly_used: bool


@dataclass(frozen=True)
class RenewalRow:
    renewal: Renewal
    title: str
    last: str
    next: str
    covered: bool
    rule: str
    source: str
    anticipated: tuple[str, ...]


@dataclass
class LevelRights:
    formula_name: str
    role: str
    deduction: str  # "sous déduction": how this level adds to those below
    notice: str  # the notice's title, the source of the level's rules
    rows: list[AllowanceRow] = field(default_factory=list)


@dataclass
class PersonRights:
    person: Beneficiary | None  # None only inside the selector's cache
    levels: list[LevelRights] = field(default_factory=list)
    renewals: list[RenewalRow] = field(default_factory=list)
    error: str = ""

    @property
    def nearly_used(self) -> list[AllowanceRow]:
        return [row for level in self.levels for row in level.rows if row.nearly_used]

    @property
    def covered_again(self) -> list[RenewalRow]:
        return [row for row in self.renewals if row.renewal.last is not None and row.covered]


def _count(unit: str, value: int) -> str:
    if unit == "days":
        return f"{value} jour{'s' if value > 1 else ''}"
    return f"{value} acte{'s' if value > 1 else ''}"


def allowance_row(allowance: Allowance, almost_percent: int) -> AllowanceRow:
    title = allowance.title
    if allowance.eye:
        title = f"{title} - {EYE_LABELS[allowance.eye]}"
    details: list[str] = []
    if allowance.unit == "amount":
        ceiling, used, left = (euros(Decimal(value)) for value in (allowance.ceiling, allowance.used, allowance.left))
        ceiling = f"{ceiling} par an" + (" et par œil" if allowance.eye else "")
        if allowance.loyalty_bonus:
            details.append(f"Dont {euros(allowance.loyalty_bonus)} de bonus fidélité (années d'adhésion).")
        if allowance.start_rate is not None:
            details.append(
                f"Il s'ajoute à la prise en charge de {allowance.start_rate.normalize():f} % "
                "de la base de remboursement, qui ne le consomme pas."
            )
    else:
        unit_amount = euros(allowance.unit_amount or Decimal(0))
        per = "par jour" if allowance.unit == "days" else "par acte"
        ceiling = f"{_count(allowance.unit, int(allowance.ceiling))} par an, {unit_amount} {per}"
        used = _count(allowance.unit, int(allowance.used))
        left = f"{_count(allowance.unit, int(allowance.left))}, soit {euros(allowance.left_amount)} au plus"
    if allowance.floor_tm:
        details.append(
            "Au-delà du forfait, le ticket modérateur reste pris en charge pour les soins remboursés par la Sécurité sociale."
        )
    if len(allowance.labels) > 1:
        details.append("Soins concernés : " + ", ".join(allowance.labels) + ".")
    rule_text = allowance.rule.text
    if allowance.rule.note and rule_text.startswith("Inclus"):
        rule_text = allowance.rule.note
    percent = int(allowance.used_ratio * 100)
    return AllowanceRow(
        allowance=allowance,
        title=title,
        ceiling=ceiling,
        used=used,
        left=left,
        rule=f"{allowance.formula_name} : {_plain(rule_text)}",
        source=notice_section(allowance.category, allowance.rule.label),
        details=tuple(details),
        percent_used=percent,
        nearly_used=percent >= almost_percent,
    )


def renewal_row(renewal: Renewal, today: dt.date, category: str) -> RenewalRow:
    period = renewal.period
    title = GROUP_LABELS.get(period.group, _sentence_case(period.group))
    if renewal.ear:
        title = f"{title} - {EAR_LABELS[renewal.ear]}"
    if renewal.last is None:
        last = "Aucun équipement remboursé dans votre historique."
        next_text = "Pris en charge dès maintenant."
    else:
        last = f"Dernier équipement remboursé : le {renewal.last:%d/%m/%Y}."
        assert renewal.next_date is not None
        if renewal.next_date <= today:
            next_text = f"Pris en charge à nouveau depuis le {renewal.next_date:%d/%m/%Y}."
        else:
            next_text = f"Pris en charge à nouveau à partir du {renewal.next_date:%d/%m/%Y}."
    anticipated = tuple(
        f"{RENEWAL_LABELS.get(reason, reason)} : "
        + ("sans délai." if day <= (renewal.last or day) else f"à partir du {day:%d/%m/%Y}.")
        for reason, day in renewal.anticipated
    )
    return RenewalRow(
        renewal=renewal,
        title=title,
        last=last,
        next=next_text,
        covered=renewal.covered_on(today),
        rule=f"Périodicité : {_sentence_case(period.label)}.",
        source=f"Notice « {notice_title(renewal.notice)} », rubrique « {_sentence_case(category)} »",
        anticipated=anticipated,
    )


def deduction_text(role: str, first: bool) -> str:
    if first:
        return "Niveau de base : il rembourse en premier, après la Sécurité sociale."
    return (
        "Niveau facultatif : il rembourse sous déduction de ce que versent la Sécurité sociale et les niveaux "
        "inférieurs. Ses plafonds comptent aussi ce que ces derniers ont remboursé ; pour vos prochains soins, "
        "c'est le plus élevé des montants restants, tous niveaux confondus, qui peut être remboursé."
    )


def person_rights(person: Beneficiary | None, rights: Rights, almost_percent: int) -> PersonRights:
    result = PersonRights(person)
    for index, layer in enumerate(rights.layers):
        level = LevelRights(
            layer.rules.name,
            "Garantie de base" if layer.role == "principal" else "Option facultative",
            deduction_text(layer.role, first=index == 0) if len(rights.layers) > 1 else "",
            notice_title(layer.rules.notice),
        )
        level.rows = [
            allowance_row(allowance, almost_percent)
            for allowance in rights.allowances
            if allowance.formula == layer.rules.code
        ]
        result.levels.append(level)
    if rights.layers:
        principal = rights.layers[0].rules
        for renewal in rights.renewals:
            act = next(iter(sorted(renewal.period.acts & set(principal.rows_by_act))), None)
            category = principal.rows_by_act[act][0].category if act else ""
            result.renewals.append(renewal_row(renewal, rights.day, category))
    return result
