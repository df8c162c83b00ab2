"""The RGPD export's parts. Each app holding a member's data declares it in
``<app>/personal_data.py`` as ``export_parts(member) -> dict`` (section name -> rows);
members.profile.member_data joins them (core.registry), so the export needs no import of
the apps above members."""

from __future__ import annotations

from core.text import fold_words


def french_key(field) -> str:
    """A field's key in the export, from its French label: "date de naissance" ->
    "date_de_naissance" (the member reads the file; the code's English names mean nothing
    to them)."""
    return fold_words(str(field.verbose_name)).replace(" ", "_") or field.name


def field_values(obj, exclude: tuple[str, ...] = ()) -> dict:
    """The object's own column values under French keys (relations left out: each part
    names what it links). ``exclude`` takes the fields' code names."""
    values: dict = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or field.is_relation:
            continue
        key = french_key(field)
        if key in values:  # two labels alike: the second keeps its code name apart
            key = f"{key}_{field.name}"
        values[key] = field.value_from_object(obj)
    return values
