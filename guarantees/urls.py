from django.urls import path

from guarantees import views

app_name = "guarantees"

urlpatterns = [
    path("modalites/", views.table, name="table"),
]
