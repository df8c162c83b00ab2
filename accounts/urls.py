from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("premiere-connexion/", views.activation_request, name="activation_request"),
    path("premiere-connexion/demande-envoyee/", views.activation_sent, name="activation_sent"),
    path("premiere-connexion/lien/<str:token>/", views.activation_link, name="activation_link"),
    path("premiere-connexion/mot-de-passe/", views.activation_password, name="activation_password"),
    path("double-authentification/", views.second_factor, name="second_factor"),
    path("double-authentification/renvoyer/", views.second_factor_resend, name="second_factor_resend"),
    path("double-authentification/activer/", views.enrol, name="enrol"),
    path("double-authentification/activer/email/", views.enrol_email, name="enrol_email"),
    path("double-authentification/activer/application/", views.enrol_totp, name="enrol_totp"),
    path("securite/", views.security, name="security"),
    path("securite/confirmer-mon-identite/", views.reauthenticate, name="reauthenticate"),
    path("securite/codes-de-secours/", views.recovery_codes, name="recovery_codes"),
    path("securite/methodes/<str:kind>/<id:pk>/retirer/", views.factor_remove, name="factor_remove"),
    path("securite/navigateurs/<id:pk>/revoquer/", views.browser_revoke, name="browser_revoke"),
    path("securite/navigateurs/revoquer-tout/", views.browsers_revoke_all, name="browsers_revoke_all"),
]
