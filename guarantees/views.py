from django.http import HttpResponse
from django.shortcuts import render

from core.access import member_required
from guarantees.engine import CareLine, EngineError
from guarantees.forms import SimulationForm
from guarantees.selectors import guarantee_table_for, simulate_for
from members.models import Beneficiary
from members.requests import MemberRequest
from members.selectors import affiliations_on, household

# Engine errors that belong to one field of the form; the others are shown above it.
ERROR_FIELDS = {
    "missing_sphere": "sphere", "missing_eye": "eye", "missing_optam": "optam", "ss_paid_above_fr": "ss_paid",
    "care_before_cover": "care_date", "care_after_cover": "care_date", "care_outside_cover": "care_date",
    "care_before_birth": "care_date", "care_date_in_future": "care_date", "unknown_act": "act",
    "frame_above_fr": "frame_amount", "invalid_quantity": "quantity",
}


@member_required
def table(request: MemberRequest) -> HttpResponse:
    return render(request, "guarantees/table.html", {"table": guarantee_table_for(request.member)})


def reimbursed_care(beneficiary: Beneficiary) -> list[CareLine]:
    """Care already reimbursed: it consumes annual forfaits and starts optical periods."""
    from claims.selectors import engine_history  # claims builds on guarantees, not the reverse

    return engine_history({beneficiary.pk}).get(beneficiary.pk, [])


@member_required
def simulate(request: MemberRequest) -> HttpResponse:
    member = request.member
    current = affiliations_on(member)
    if not current:
        return render(request, "guarantees/simulate.html", {"form": None})
    beneficiaries, formula_code = household(member), current[0].formula.code
    results = None
    if request.method == "POST":
        form = SimulationForm(request.POST, beneficiaries=beneficiaries, formula_code=formula_code)
        if form.is_valid():
            try:
                beneficiary = form.cleaned_data["beneficiary"]
                results = simulate_for(beneficiary, lines=[form.care_line()], history=reimbursed_care(beneficiary))
            except EngineError as error:
                form.add_error(ERROR_FIELDS.get(error.key), error.message)
    else:
        form = SimulationForm(beneficiaries=beneficiaries, formula_code=formula_code)
    return render(request, "guarantees/simulate.html", {"form": form, "results": results, "affiliations": current})
