"""The knowledge base and its ranking, measured on the evaluation set."""

import pytest
from django.urls import NoReverseMatch, resolve, reverse

from assistant.evaluation import PARTS, accuracy, expected_ids, questions
from assistant.knowledge import answers_for, entry, index
from assistant.text import stem, tokens


def test_french_tokenisation_folds_accents_drops_stop_words_and_stems():
    assert tokens("Les remboursements") == tokens("remboursé") == tokens("REMBOURSES") == ["rembour"]
    assert tokens("Où télécharger ma carte ?") == ["telecharg", "cart"]
    assert tokens("Comment faire pour les lunettes") == ["lunet"]


def test_members_words_typos_and_missing_accents_meet_the_guides_words():
    assert tokens("ma secu") == tokens("sécurité sociale")
    assert tokens("mon mdp") == tokens("mot de passe")
    assert tokens("mon mari") == tokens("conjoint")
    assert tokens("remboursee") == tokens("remboursée") == tokens("rembourse")
    assert index().query_terms("remboursment ostheopathe") == index().query_terms("remboursement ostéopathe")
    # A real word the base does not use is not "corrected" into another one.
    assert "lettr" not in index().query_terms("mettre a jour")


def test_the_plural_in_aux_meets_its_singular():
    # The old light stemmer's "aux -> al" rule never ran (the final "x" was cut first).
    assert tokens("hôpitaux") == tokens("hôpital") and stem("generaux") == stem("general")


@pytest.mark.parametrize("part", PARTS)
def test_each_part_of_the_evaluation_is_large_and_names_existing_answers(part):
    items = questions(part)
    assert len(items) >= 75
    ids = {e.id for e in index().entries} | {None}
    assert {i for q in items for i in expected_ids(q)} <= ids


def test_the_held_out_part_shares_no_question_with_the_tuning_part():
    assert not {q["question"] for q in questions("test")} & {q["question"] for q in questions("tuning")}


def test_first_answer_accuracy_on_the_tuning_part():
    assert accuracy("tuning") >= 0.9


def test_first_answer_accuracy_on_the_held_out_part():
    # The target is 90 %; this floor only catches a regression of the ranking.
    assert accuracy("test") >= 0.85


@pytest.mark.parametrize(
    "question",
    [
        "Quelle est la météo demain à Paris ?",
        "Qui a gagné le match de football hier ?",
        "Comment résilier mon abonnement internet ?",
        "Pouvez-vous me donner le numéro de mon voisin ?",
        "Quelle est la capitale de la France ?",
    ],
)
def test_it_does_not_answer_questions_outside_its_knowledge(question):
    assert answers_for(question) == []


def test_answers_link_to_the_portal_page_that_does_the_thing():
    assert entry("localiser-professionnel").url == "/professionnels/"
    assert entry("services-complementaires").url == "/services/"
    for item in index().entries:
        if item.url_name:
            assert item.link_label, item.id
            try:
                resolve(reverse(item.url_name))
            except NoReverseMatch:
                continue  # a feature not installed yet: the link is hidden, not broken


MEMBER_PAGES = [
    "home:home",
    "home:contact",
    "home:services",
    "members:contracts",
    "members:beneficiaries",
    "members:noemie",
    "members:documents",
    "members:card",
    "members:profile",
    "members:portability",
    "guarantees:table",
    "claims:list",
    "claims:follow_up",
    "claims:simulate",
    "claims:quotes",
    "messaging:inbox",
    "messaging:compose",
    "directory:search",
    "accounts:security",
    "accounts:recovery_codes",
    "accounts:enrol",
    "account_reset_password",
    "account_change_password",
]


def test_every_member_page_has_an_answer_that_links_to_it():
    linked = {item.url_name for item in index().entries}
    assert [name for name in MEMBER_PAGES if name not in linked] == []
    for item in index().entries:
        if item.url_name in MEMBER_PAGES:
            assert item.url and item.url.split("#")[0] == reverse(item.url_name), item.id


@pytest.mark.parametrize(
    "entry_id",
    ["profil-iban", "email-changer", "cloture-compte", "export-donnees", "alerte-email", "portabilite-france-travail"],
)
def test_profile_answers_open_the_profile_at_their_section(entry_id, alice_client):
    url = entry(entry_id).url
    path, anchor = url.split("#")
    assert f'id="{anchor}"' in alice_client.get(path).content.decode()
