from django.shortcuts import render

from members.selectors import affiliations_on, covered_beneficiaries, member_with_household
from portal.access import member_required
from portal.alerts import alerts_for


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
            "alerts": alerts_for(member),
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


@member_required
def services(request):
    from assistant.selectors import complementary_services

    member = member_with_household(request.member.pk)
    return render(
        request,
        "portal/services.html",
        {"contract": member.contract, "services": complementary_services(member)},
    )
