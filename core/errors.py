from django.core.exceptions import BadRequest
from django.shortcuts import render


def forbidden(request, exception=None):
    message = str(exception) if exception and str(exception) else "Vous n'avez pas accès à cette page."
    return render(request, "403.html", {"message": message}, status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


class InvalidParameter(BadRequest):
    """A query-string or form parameter the portal cannot read: a 400 whose French message
    (safe to show, written by the portal) tells the member what was wrong."""


def bad_request(request, exception=None):
    # Only the portal's own messages are shown: Django's (too many fields, a host not
    # allowed...) are English and may quote the request.
    message = str(exception) if isinstance(exception, InvalidParameter) else ""
    return render(request, "400.html", {"message": message}, status=400)
