from core.navigation import site_urls


def current_member(request):
    """The logged-in user's member record, or None (staff, anonymous)."""
    user = getattr(request, "user", None)
    return getattr(user, "member", None) if user is not None and user.is_authenticated else None


def portal(request):
    """What every page's layout links to, in both template engines."""
    return {"current_member": current_member(request), "site_urls": site_urls()}
