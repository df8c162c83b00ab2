"""The audit trail as gestionnaires read it: French field labels, values in French
(dates, local times in Europe/Paris, yes/no, choice labels, related objects by name) and a
dash for nothing, never "None" nor a raw field name. The rows keep what was written
(``members.services.audit_record``); only their display is made here, so old rows read
the same way."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from members.models import Affiliation, AuditEntry, Beneficiary, Member, PortabilityFile

NOTHING = "—"
# Where an audited field name is looked up, in this order (a member's own fields first).
_MODELS: tuple[type[models.Model], ...] = (Member, Beneficiary, Affiliation, PortabilityFile)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")
_LINE = re.compile(r"(?P<name>[a-z_]+) : (?P<value>.*)")


def _model_field(name: str) -> models.Field | None:
    for model in _MODELS:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field):
            return field
    return None


def field_label(name: str) -> str:
    """ "cover_end_date" -> "Fin de couverture"; words already French are kept."""
    field = _model_field(name)
    label = str(field.verbose_name) if field is not None else name
    return (label[:1].upper() + label[1:]) if label else NOTHING


def local_datetime(value: dt.datetime) -> str:
    """02/12/2026 à 14:05, in Europe/Paris (the settings' TIME_ZONE)."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return f"{timezone.localtime(value):%d/%m/%Y à %H:%M}"


def value_text(name: str, raw: str) -> str:
    value = raw.strip()
    if value in ("", "None"):
        return NOTHING
    field = _model_field(name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if value in ("True", "False"):
        return "oui" if value == "True" else "non"
    if _DATE.fullmatch(value):
        return f"{dt.date.fromisoformat(value):%d/%m/%Y}"
    if _DATETIME.fullmatch(value):
        return local_datetime(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
    if isinstance(field, models.ForeignKey) and value.isdigit():
        related = field.related_model._default_manager.filter(pk=int(value)).first()
        return str(related) if related is not None else value
    return value


def change_text(field: str, raw: str) -> str:
    """A stored value: one value of ``field``, or "name : value" lines (several fields of a
    beneficiary or an affiliation), each made readable."""
    lines = raw.split("\n")
    if len(lines) > 1 or _LINE.fullmatch(lines[0]):
        readable = []
        for line in lines:
            match = _LINE.fullmatch(line)
            readable.append(
                f"{field_label(match['name'])} : {value_text(match['name'], match['value'])}" if match else line
            )
        return "\n".join(readable)
    return value_text(field, raw)


@dataclass(frozen=True)
class AuditLine:
    at: str
    actor: str
    action: str
    field: str
    old: str
    new: str


def audit_line(entry: AuditEntry) -> AuditLine:
    actor = entry.actor
    return AuditLine(
        at=local_datetime(entry.at),
        actor=(actor.get_full_name() or actor.get_username()) if actor is not None else "le portail",
        action=entry.action[:1].upper() + entry.action[1:],
        field=field_label(entry.field) if entry.field else NOTHING,
        old=change_text(entry.field, entry.old_value),
        new=change_text(entry.field, entry.new_value),
    )
