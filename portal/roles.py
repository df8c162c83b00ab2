"""The Gestionnaire group: what claims handlers may do in the back-office. They never
edit users, groups or permissions; reference data (contracts, formulas) is read-only."""

from __future__ import annotations

GESTIONNAIRE_PERMISSIONS = [
    "members.view_organisme",
    "members.view_contract",
    "members.view_formula",
    "members.view_member",
    "members.change_member",
    "members.add_member",
    "members.view_beneficiary",
    "members.add_beneficiary",
    "members.change_beneficiary",
    "members.view_affiliation",
    "members.add_affiliation",
    "members.change_affiliation",
    "members.view_auditentry",
    "documents.view_privatefile",
]


def gestionnaire_group_sync(**kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    from portal.access import GESTIONNAIRE_GROUP

    group, _ = Group.objects.get_or_create(name=GESTIONNAIRE_GROUP)
    wanted = []
    for dotted in GESTIONNAIRE_PERMISSIONS:
        app_label, codename = dotted.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission:
            wanted.append(permission)
    group.permissions.set(wanted)
