"""The request type of member views, for type checking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from members.models import Member

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class MemberRequest(HttpRequest):
    """A request that ``core.access.member_required`` let through: it set ``member``."""

    member: Member
    user: User  # logged in: member_required let no anonymous user through
