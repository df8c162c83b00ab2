"""Décompte lines stored their category from the notices' tables, whose capitals had lost
their accents ("Prevention et medecine douce"); the tables are fixed in guarantees/data,
and the lines already imported get the same words."""

from django.db import migrations

RENAMED = {
    "Hospitalisation medicale et chirurgicale": "Hospitalisation médicale et chirurgicale",
    "Prevention et medecine douce": "Prévention et médecine douce",
    "Frais d'obseques": "Frais d'obsèques",
}


def accent(apps, schema_editor):
    DecompteLine = apps.get_model("claims", "DecompteLine")
    for old, new in RENAMED.items():
        DecompteLine.objects.filter(category=old).update(category=new)


def unaccent(apps, schema_editor):
    DecompteLine = apps.get_model("claims", "DecompteLine")
    for old, new in RENAMED.items():
        DecompteLine.objects.filter(category=new).update(category=old)


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_yeartotal")]

    operations = [migrations.RunPython(accent, unaccent)]
