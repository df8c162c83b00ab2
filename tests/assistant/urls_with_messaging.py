"""The portal's URLs plus a stand-in messaging:compose, for when the messaging app does
not define it yet: the hand-off link is then still rendered and checked."""

from django.http import HttpResponse
from django.urls import include, path

from portal.urls import handler400, handler403, handler404  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


def compose(request):
    return HttpResponse("compose")


urlpatterns = [
    path("messagerie/", include(([path("ecrire/", compose, name="compose")], "messaging"))),
    *[p for p in portal_urlpatterns if getattr(p, "namespace", None) != "messaging"],
]
