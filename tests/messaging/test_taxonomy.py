from django.core.management import call_command

from messaging.models import Category, Topic
from messaging.services import taxonomy_seed


def test_the_seed_has_the_portability_category_and_objet():
    topic = Topic.objects.get(label="Je souhaite bénéficier du maintien de mes garanties")
    assert topic.category.label == "Je quitte mon entreprise"
    assert any("Assurance Chômage" in line for line in topic.justificatif_list)
    labels = set(Category.objects.values_list("label", flat=True))
    assert {
        "Mes remboursements",
        "Tiers payant",
        "Devis et estimations",
        "Bénéficiaires et affiliation",
        "Télétransmission NOEMIE",
        "Mes données personnelles",
        "Réclamation",
    } <= labels


def test_seeding_again_creates_nothing_and_keeps_gestionnaire_edits():
    Topic.objects.filter(code="devis-dentaire").update(label="Devis dentaire (libellé modifié)")
    assert taxonomy_seed() == {"categories": 0, "topics": 0}
    assert Topic.objects.get(code="devis-dentaire").label == "Devis dentaire (libellé modifié)"


def test_load_reference_seeds_the_taxonomy(db):
    Topic.objects.all().delete()
    Category.objects.all().delete()
    call_command("load_reference")
    assert Topic.objects.filter(code="maintien-des-garanties").exists()
