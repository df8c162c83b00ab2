from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Connexion et sécurité"
    default = True

    def ready(self) -> None:
        from accounts import signals  # noqa: F401  (connects allauth's password signals)


class SecondFactorAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with ``admin.site`` asking for the second factor; every app
    keeps registering its models with ``admin.site``."""

    default = False
    default_site = "accounts.admin_site.SecondFactorAdminSite"
