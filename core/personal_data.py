"""The RGPD export's parts. Each app holding a member's data declares it in
``<app>/personal_data.py`` as ``export_parts(member) -> dict`` (section name -> rows);
members.profile.member_data joins them (core.registry), so the export needs no import of
the apps above members."""

from __future__ import annotations


def field_values(obj, exclude: tuple[str, ...] = ()) -> dict:
    """The object's own column values (relations left out: each part names what it links)."""
    return {
        field.name: field.value_from_object(obj)
        for field in obj._meta.concrete_fields
        if field.name not in exclude and not field.is_relation
    }
