"""The request type of member views, for type checking."""

from __future__ import annotations

from django.http import HttpRequest

from members.models import Member


class MemberRequest(HttpRequest):
    """A request that ``core.access.member_required`` let through: it set ``member``."""

    member: Member
