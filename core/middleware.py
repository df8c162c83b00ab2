import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

SESSION_ENDED_MESSAGE = (
    "Par sécurité, votre session a pris fin {duration} après votre connexion. Veuillez vous reconnecter."
)


def _duration(seconds: int) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} heure{'s' if hours > 1 else ''}"
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


class PrivateCacheMiddleware:
    """Pages shown to a logged-in person carry member data: never cache them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
            response["Pragma"] = "no-cache"
        return response


class SessionActivityMiddleware:
    """Sessions end after ``SESSION_COOKIE_AGE`` without activity. Instead of writing the
    session row at every page (``SESSION_SAVE_EVERY_REQUEST``), its expiry is pushed back
    when the last push is older than ``SESSION_ACTIVITY_RESOLUTION`` seconds: one write
    per minute of browsing rather than one per request, for an expiry exact to a minute."""

    KEY = "_activity_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            last = session.get(self.KEY)
            if not isinstance(last, int) or now - last >= settings.SESSION_ACTIVITY_RESOLUTION:
                session[self.KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response


class SessionLifetimeMiddleware:
    """A session also ends ``SESSION_ABSOLUTE_SECONDS`` after its login, however active it
    is: with the idle expiry alone, a session used every few minutes (or a stolen session
    cookie replayed that often) would never end. The member is logged out and told why
    on the next page (the login page, for any member page). Placed after the message and
    authentication middleware."""

    KEY = "_authenticated_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only an authenticated session holds the key (set below, gone when logging out
        # flushes the session): anonymous requests cost nothing here.
        started = request.session.get(self.KEY)
        if isinstance(started, int) and time.time() - started >= settings.SESSION_ABSOLUTE_SECONDS:
            logout(request)
            messages.info(request, SESSION_ENDED_MESSAGE.format(duration=_duration(settings.SESSION_ABSOLUTE_SECONDS)))
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not isinstance(request.session.get(self.KEY), int):
            # Just logged in (or a session from before this rule: its clock starts now).
            request.session[self.KEY] = int(time.time())
        return response
