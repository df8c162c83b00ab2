from django.urls import path

from home import views

app_name = "home"

urlpatterns = [
    path("", views.home, name="home"),
    path("contacts/", views.contact, name="contact"),
    path("services/", views.services, name="services"),
]
