from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("ecrire/", views.compose, name="compose"),
    path("<id:pk>/", views.thread_detail, name="thread"),
    path("<id:pk>/repondre/", views.thread_reply, name="reply"),
    path("<id:pk>/clore/", views.thread_close_view, name="close"),
]
