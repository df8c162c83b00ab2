from core.navigation import site_urls


def current_member(request):
    """The logged-in user's member record once the second factor is passed, or None (staff,
    anonymous, a member still at the code step: the member's number, menu and links wait
    for the code)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    # django-otp's middleware gives the request's user is_verified(); a user logged in during
    # this very request (the login form's response) has not passed the code yet either.
    is_verified = getattr(user, "is_verified", None)
    if is_verified is None or not is_verified():
        return None
    return getattr(user, "member", None)


def portal(request):
    """What every page's layout links to, in both template engines."""
    return {"current_member": current_member(request), "site_urls": site_urls()}
