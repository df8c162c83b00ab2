from messaging.models import Topic
from messaging.services import thread_create


def new_thread(member, *, topic="garanties", body="Bonjour, une question sur mon contrat.", beneficiary=None, files=()):
    # An objet no app acts on (the portability objet answers automatically without its
    # justificatifs: tests/members/test_portability.py).
    return thread_create(
        member=member,
        author=member.user,
        beneficiary=beneficiary or member.holder,
        topic=Topic.objects.get(code=topic),
        body=body,
        files=files,
    )


def compose_data(
    beneficiary,
    *,
    categorie="je-quitte-mon-entreprise",
    objet="maintien-des-garanties",
    texte="Bonjour, je souhaite le maintien de mes garanties.",
    **extra,
):
    return {"beneficiaire": beneficiary.pk, "categorie": categorie, "objet": objet, "texte": texte, **extra}


def search(client, **fields):
    """The inbox search as a member runs it: posted, then the results page it leads to."""
    return client.post("/messagerie/", fields, follow=True)
