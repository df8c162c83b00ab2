from django.urls import path

from members import views, views_profile

app_name = "members"

# No ids: every page and document is the requester's own.
urlpatterns = [
    path("contrats/", views.contracts, name="contracts"),
    path("beneficiaires/", views.beneficiaries, name="beneficiaries"),
    path("noemie/", views.noemie, name="noemie"),
    path("documents/", views.documents, name="documents"),
    path("documents/notice/", views.notice, name="notice"),
    path("documents/attestation-affiliation.pdf", views.attestation_pdf, name="attestation_pdf"),
    path("carte-tiers-payant/", views.card, name="card"),
    path("carte-tiers-payant/carte.pdf", views.card_pdf, name="card_pdf"),
    # Profil and portability (issue 9).
    path("profil/", views_profile.profile_page, name="profile"),
    path("profil/coordonnees/", views_profile.contact_update, name="profile_contact"),
    path("profil/e-mail/", views_profile.email_update, name="profile_email"),
    path("profil/e-mail/confirmer/<str:token>/", views_profile.email_confirm, name="profile_email_confirm"),
    path("profil/coordonnees-bancaires/", views_profile.bank_update, name="profile_bank"),
    # profil/coordonnees-bancaires/<id:pk>/confirmer/ (step 2, the second factor) is
    # accounts' page, mounted at that address by portal/urls.py.
    path("profil/notifications/", views_profile.notifications_update, name="profile_notifications"),
    path("profil/france-travail/", views_profile.france_travail_consent, name="profile_france_travail"),
    path("profil/mes-donnees.zip", views_profile.data_export, name="profile_export"),
    path("profil/cloture/", views_profile.closure_request, name="profile_closure"),
    path("profil/portabilite/", views_profile.portability_page, name="portability"),
    path("profil/portabilite/bulletin.pdf", views_profile.portability_form, name="portability_form"),
]
