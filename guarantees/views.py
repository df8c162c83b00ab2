from django.shortcuts import render

from core.access import member_required
from guarantees.selectors import guarantee_table_for


@member_required
def table(request):
    return render(request, "guarantees/table.html", {"table": guarantee_table_for(request.member)})
