from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The member's home page with its alerts, and the contacts and services pages: the one
    place that reads every feature app (alerts come from each app's ``alerts.py``)."""

    name = "home"
    verbose_name = "Accueil"
