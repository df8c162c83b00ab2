"""The Gestionnaire group: what claims handlers may do in the back-office. They never
edit users, groups or permissions; reference data (contracts, formulas) is read-only.

Each app lists the permissions it grants in ``<app>/roles.py`` as
``GESTIONNAIRE_PERMISSIONS = ["app_label.codename", ...]``; the group is synchronised
with the union after every ``migrate``.
"""

from __future__ import annotations

from core.registry import app_modules


def gestionnaire_permissions() -> list[str]:
    wanted: list[str] = []
    for module in app_modules("roles"):
        wanted.extend(getattr(module, "GESTIONNAIRE_PERMISSIONS", []))
    return wanted


def gestionnaire_group_sync(**kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    from core.access import GESTIONNAIRE_GROUP

    group, _ = Group.objects.get_or_create(name=GESTIONNAIRE_GROUP)
    permissions = []
    for dotted in gestionnaire_permissions():
        app_label, codename = dotted.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission:
            permissions.append(permission)
    group.permissions.set(permissions)
