"""Messaging's part of ``manage.py load_reference`` (core.registry)."""

from messaging.services import taxonomy_seed


def reference_load() -> str:
    seeded = taxonomy_seed()  # creates missing categories/objets, never overwrites edits
    return f"Messaging: {seeded['categories']} categories and {seeded['topics']} objets created."
