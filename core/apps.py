from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The shared core: access rules, security middleware, template environment, PDF and
    e-mail builders, form base, money, plain SQL helpers. It imports no feature app."""

    name = "core"
    verbose_name = "Socle commun"

    def ready(self) -> None:
        from core import converters, lookups
        from core.roles import gestionnaire_group_sync

        converters.register()  # <id:...> and <year:...> in every app's urls.py
        lookups.register()  # field__any_of: one array parameter instead of 10,000 placeholders

        post_migrate.connect(gestionnaire_group_sync, dispatch_uid="gestionnaire_group_sync")
