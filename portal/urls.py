from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from accounts import views as accounts_views
from accounts import views_bank, views_logout
from core import health

# Only the allauth views the portal uses, listed one by one. include("allauth.urls") also
# served address management (/compte/email/: add an address, make it primary, remove the
# member's own), sign-up and e-mail confirmation: a path around the Profil's e-mail change
# (members.profile), which is the only way an account's address changes.
allauth_patterns = [
    path("login/", allauth_views.login, name="account_login"),
    # allauth's, plus Clear-Site-Data: the offline card leaves the browser with the session.
    path("logout/", views_logout.logout, name="account_logout"),
    # Where allauth's login sends a deactivated account.
    path("inactive/", allauth_views.account_inactive, name="account_inactive"),
    # Behind a recent re-authentication (password + fresh second-factor code).
    path("password/change/", accounts_views.password_change, name="account_change_password"),
    path("password/reset/", allauth_views.password_reset, name="account_reset_password"),
    path("password/reset/done/", allauth_views.password_reset_done, name="account_reset_password_done"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        allauth_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        allauth_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
]

urlpatterns = [
    path("", include("home.urls")),
    path("compte/", include("accounts.urls")),
    path("compte/", include(allauth_patterns)),
    path("situation/", include("members.urls")),
    # Step 2 of the Profil's bank change, under the Profil's address: confirming a new IBAN
    # needs the account's second factor, which is accounts' (members sits below accounts).
    path(
        "situation/profil/coordonnees-bancaires/<id:pk>/confirmer/",
        views_bank.bank_confirm,
        name="profile_bank_confirm",
    ),
    path("garanties/", include("guarantees.urls")),
    # The simulator moved to the reimbursements (it reads their history): old bookmarks follow.
    path("garanties/simulation/", RedirectView.as_view(pattern_name="claims:simulate", permanent=True)),
    path("remboursements/", include("claims.urls")),
    path("messagerie/", include("messaging.urls")),
    path("professionnels/", include("directory.urls")),
    path("assistant/", include("assistant.urls")),
    path("fichiers/", include("documents.urls")),
    path("gestion/", admin.site.urls),
    # Browsers ask for /favicon.ico on their own (and for any page the layout does not
    # render, such as a PDF): the icon is a static file, served by WhiteNoise.
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.ico", permanent=True)),
    path("health/", health.health, name="health"),
]

handler400 = "core.errors.bad_request"
handler403 = "core.errors.forbidden"
handler404 = "core.errors.not_found"
