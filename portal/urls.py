from django.contrib import admin
from django.urls import include, path

from portal import views

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("contacts/", views.contact, name="contact"),
        path("services/", views.services, name="services"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("compte/", include("accounts.urls")),
    path("compte/", include("allauth.urls")),
    path("situation/", include("members.urls")),
    path("garanties/", include("guarantees.urls")),
    path("remboursements/", include("claims.urls")),
    path("messagerie/", include("messaging.urls")),
    path("professionnels/", include("directory.urls")),
    path("assistant/", include("assistant.urls")),
    path("fichiers/", include("documents.urls")),
    path("gestion/", admin.site.urls),
]

handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.forbidden"
handler404 = "portal.errors.not_found"
