import time

from django.conf import settings


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
