from django.urls import path

from assistant import views

app_name = "assistant"

urlpatterns = [
    path("", views.ask, name="ask"),
    path("reponses/", views.api, name="api"),
    path("avis/", views.feedback, name="feedback"),
]
