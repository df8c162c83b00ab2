from django.http import HttpResponse
from django.shortcuts import render

from core.access import member_required
from guarantees.selectors import guarantee_table_for
from members.requests import MemberRequest


@member_required
def table(request: MemberRequest) -> HttpResponse:
    return render(request, "guarantees/table.html", {"table": guarantee_table_for(request.member)})
