from django.shortcuts import render

from members.selectors import affiliations_on, covered_beneficiaries, member_with_household
from portal.access import member_required


@member_required
def home(request):
    member = member_with_household(request.member.pk)
    return render(
        request,
        "portal/home.html",
        {
            "member": member,
            "holder": member.holder,
            "affiliations": affiliations_on(member),
            "household": covered_beneficiaries(member),
        },
    )


@member_required
def contact(request):
    member = request.member
    return render(
        request,
        "portal/contact.html",
        {"contract": member.contract, "organisme": member.contract.organisme},
    )
