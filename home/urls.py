from django.urls import path

from home import pwa, views

app_name = "home"

urlpatterns = [
    path("", views.home, name="home"),
    path("contacts/", views.contact, name="contact"),
    path("services/", views.services, name="services"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
]
