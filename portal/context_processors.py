from messaging.selectors import member_unread_count
from portal.navigation import build_menu, site_urls


def _member(request):
    user = getattr(request, "user", None)
    return getattr(user, "member", None) if user is not None and user.is_authenticated else None


def portal(request):
    """What every page's layout links to, in both template engines."""
    return {"current_member": _member(request), "site_urls": site_urls()}


def member_chrome(request):
    """The member's menu (entries of the current page marked) and the header's unread
    count, for the portal's pages (Jinja2): both are empty for anyone but a member."""
    member = _member(request)
    if member is None:
        return {"menu": [], "unread_count": 0}
    return {"menu": build_menu(request.path), "unread_count": member_unread_count(member.pk)}
