from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portail"

    def ready(self) -> None:
        from portal import converters
        from portal.roles import gestionnaire_group_sync

        converters.register()  # <id:...> and <year:...> in every app's urls.py

        post_migrate.connect(gestionnaire_group_sync, dispatch_uid="gestionnaire_group_sync")
