"""The blocks of the member's home page, collected from the apps (core.blocks)."""

from __future__ import annotations

import datetime as dt

from core.blocks import HomeBlock
from core.registry import app_modules
from members.selectors import Household


def blocks_for(household: Household, today: dt.date) -> list[HomeBlock]:
    blocks: list[HomeBlock] = []
    for module in app_modules("home_blocks"):
        blocks.extend(module.member_blocks(household, today))
    return blocks
