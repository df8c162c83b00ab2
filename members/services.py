"""Writes on the members domain. Each function is one business operation."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from members.models import AuditEntry, Contract, Formula, Member, Organisme
from members.validators import mask_iban, mask_nir

REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "reference.json"


MASKED_FIELDS = {"iban": mask_iban, "nir": mask_nir}


def _audit_value(field: str, value) -> str:
    value = "" if value is None else str(value)
    return MASKED_FIELDS[field](value) if field in MASKED_FIELDS else value


def audit_record(*, actor, member: Member, action: str, field: str = "", old="", new="") -> AuditEntry:
    """One row of the member's audit trail; bank details and NIR are stored masked."""
    if field in MASKED_FIELDS:
        old, new = _audit_value(field, old), _audit_value(field, new)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        member=member,
        action=action,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
    )


def audit_form_changes(*, actor, member: Member, action: str, field: str, form, created: bool) -> AuditEntry:
    """One row for what ``form`` changed on one object (a beneficiary edited in the
    back-office...): a "name : value" line per changed field, masked as above."""

    def lines(values) -> str:
        return "\n".join(f"{name} : {_audit_value(name, values.get(name))}" for name in form.changed_data)

    old = "" if created else lines(form.initial)
    return audit_record(actor=actor, member=member, action=action, field=field, old=old, new=lines(form.cleaned_data))


@transaction.atomic
def reference_data_load(path: Path = REFERENCE_FILE) -> dict[str, int]:
    """Create or update organismes, contracts and formulas from the reference file.
    Idempotent: loading twice changes nothing."""
    data = json.loads(path.read_text(encoding="utf-8"))
    counts = {"organismes": 0, "contracts": 0, "formulas": 0}
    organismes = {}
    for row in data["organismes"]:
        fields = {k: v for k, v in row.items() if k != "code"}
        organismes[row["code"]], _ = Organisme.objects.update_or_create(code=row["code"], defaults=fields)
        counts["organismes"] += 1
    for row in data["contracts"]:
        fields = {k: v for k, v in row.items() if k not in {"number", "organisme", "formulas"}}
        fields["organisme"] = organismes[row["organisme"]]
        contract, _ = Contract.objects.update_or_create(number=row["number"], defaults=fields)
        counts["contracts"] += 1
        for formula_row in row["formulas"]:
            fields = {k: v for k, v in formula_row.items() if k not in {"code", "stacks_on"}}
            formula, _ = Formula.objects.update_or_create(
                code=formula_row["code"], defaults={**fields, "contract": contract}
            )
            formula.stacks_on.set(Formula.objects.filter(code__in=formula_row["stacks_on"]))
            counts["formulas"] += 1
    return counts
