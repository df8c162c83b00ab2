"""Shared steps of the back-office member tests."""

from __future__ import annotations


def member_change_form_data(page, member, **changes) -> dict:
    """What the member's change page posts back untouched (fields and inlines as the admin
    shows them), with ``changes`` applied: the base of a gestionnaire's edit."""
    form = page.context["adminform"].form
    data = {
        k: ("" if v is None else v) for k, v in form.initial.items() if k not in {"user", "created_at", "iban", "bic"}
    }
    data["contract"] = member.contract_id
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            data[f"{management.prefix}-{name}"] = management.initial.get(name, field.initial)
        for inline_form in formset.formset.forms:
            data[f"{inline_form.prefix}-id"] = inline_form.instance.pk
            data[f"{inline_form.prefix}-member"] = member.pk
            for name in inline_form.fields:
                value = inline_form.initial.get(name)
                if value is not None:
                    data[f"{inline_form.prefix}-{name}"] = getattr(value, "pk", value)
    return {**data, **changes}
