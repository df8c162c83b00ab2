from django.shortcuts import render
from django.utils import timezone

from assistant.selectors import complementary_services
from core.access import member_required
from home.alerts import alerts_for
from home.blocks import blocks_for
from members.selectors import household_of


@member_required
def home(request):
    household = household_of(request.member)
    today = timezone.localdate()
    return render(
        request,
        "home/home.html",
        {
            "member": household.member,
            "holder": household.holder,
            "affiliations": household.affiliations_on(today),
            "household": household.covered_on(today),
            "alerts": alerts_for(household.member, today, people=household.people),
            "blocks": blocks_for(household, today),
        },
    )


@member_required
def contact(request):
    member = request.member
    return render(
        request,
        "home/contact.html",
        {"contract": member.contract, "organisme": member.contract.organisme},
    )


@member_required
def services(request):
    member = household_of(request.member).member
    return render(
        request,
        "home/services.html",
        {"contract": member.contract, "services": complementary_services(member)},
    )
