from django.urls import path

from members import views

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
]
