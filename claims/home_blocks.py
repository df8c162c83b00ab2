"""The home page's "Mes droits restants" block (core.blocks): per covered person, the
equipments not yet covered again and the yearly ceilings almost used, with a link to the
page. The same selector as the page."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from claims.selectors import household_rights
from core.blocks import HomeBlock
from members.selectors import Household


def member_blocks(household: Household, today: dt.date) -> list[HomeBlock]:
    people = household_rights(household, today, almost_percent=settings.CLAIMS_RIGHTS_ALMOST_USED_PERCENT)
    if not people:
        return []
    return [HomeBlock("claims/snippets/rights_block.html", {"people": people})]
