from core.context_processors import current_member
from core.navigation import build_menu
from messaging.selectors import member_unread_count


def member_chrome(request):
    """The member's menu (entries of the current page marked) and the header's unread
    count, for the portal's pages (Jinja2): both are empty for anyone but a member."""
    member = current_member(request)
    if member is None:
        return {"menu": [], "unread_count": 0}
    return {"menu": build_menu(request.path), "unread_count": member_unread_count(member.pk)}
