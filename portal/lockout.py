from django.conf import settings
from django.shortcuts import render


def lockout_response(request, credentials=None, *args, **kwargs):
    """Same answer whether the account exists or not."""
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "account/locked.html", {"minutes": minutes}, status=429)
