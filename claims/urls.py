from django.urls import path

from claims import views, views_spending

app_name = "claims"

urlpatterns = [
    path("", views.decompte_list, name="list"),
    path("suivi/", views.follow_up, name="follow_up"),
    path("depenses/", views_spending.spending, name="spending"),
    path("simulation/", views.simulate, name="simulate"),
    path("droits-restants/", views.rights, name="rights"),
    path("export/<year:year>.csv", views.year_export, name="export"),
    path("<id:pk>/", views.decompte_detail, name="detail"),
    path("<id:pk>/pdf/", views.decompte_pdf, name="pdf"),
    path("devis/", views.quote_list, name="quotes"),
    path("devis/nouveau/", views.quote_new, name="quote_new"),
    path("devis/<id:pk>/", views.quote_detail, name="quote_detail"),
    path("devis/<id:pk>/reponse.pdf", views.quote_answer_pdf, name="quote_answer_pdf"),
]
