from messaging.models import Topic
from messaging.services import taxonomy_seed, thread_create, thread_reply_by_gestionnaire
from notifications.services import notification_enqueue


def enqueue(member, key="message-reply:1", **overrides):
    fields = {
        "member": member,
        "kind": "message_reply",
        "key": key,
        "template": "messaging-reply",
        "context": {"thread_path": "/messagerie/1/"},
    }
    return notification_enqueue(**{**fields, **overrides})


def reply_to_new_thread(member, gestionnaire, body="Votre dossier est complet."):
    taxonomy_seed()
    thread = thread_create(
        member=member,
        author=member.user,
        beneficiary=member.holder,
        topic=Topic.objects.get(code="maintien-des-garanties"),
        body="Bonjour",
    )
    return thread_reply_by_gestionnaire(thread=thread, author=gestionnaire, body=body)
