from django.shortcuts import render

from core.access import member_required
from guarantees.engine import EngineError
from guarantees.forms import SimulationForm
from guarantees.selectors import guarantee_table_for, simulate_for
from members.selectors import household_of

# Engine errors that belong to one field of the form; the others are shown above it.
ERROR_FIELDS = {
    "missing_sphere": "sphere", "missing_eye": "eye", "missing_optam": "optam", "ss_paid_above_fr": "ss_paid",
    "care_before_cover": "care_date", "care_after_cover": "care_date", "care_outside_cover": "care_date",
    "care_before_birth": "care_date", "care_date_in_future": "care_date", "unknown_act": "act",
    "frame_above_fr": "frame_amount", "invalid_quantity": "quantity",
}


@member_required
def table(request):
    return render(request, "guarantees/table.html", {"table": guarantee_table_for(request.member)})


def reimbursed_care(beneficiary) -> list:
    """Care already reimbursed: it consumes annual forfaits and starts optical periods."""
    from claims.selectors import engine_history  # claims builds on guarantees, not the reverse

    return engine_history({beneficiary.pk}).get(beneficiary.pk, [])


@member_required
def simulate(request):
    member = request.member
    current = household_of(member).affiliations_on()
    if not current:
        return render(request, "guarantees/simulate.html", {"form": None})
    form_kwargs = {"beneficiaries": member.beneficiaries.order_by("rank", "birth_date", "id"),
                   "formula_code": current[0].formula.code}
    results = None
    if request.method == "POST":
        form = SimulationForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                beneficiary = form.cleaned_data["beneficiary"]
                results = simulate_for(beneficiary, lines=[form.care_line()], history=reimbursed_care(beneficiary))
            except EngineError as error:
                form.add_error(ERROR_FIELDS.get(error.key), error.message)
    else:
        form = SimulationForm(**form_kwargs)
    return render(request, "guarantees/simulate.html", {"form": form, "results": results, "affiliations": current})
