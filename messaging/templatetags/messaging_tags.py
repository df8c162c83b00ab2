from django import template

from messaging.selectors import member_unread_count

register = template.Library()


@register.inclusion_tag("messaging/snippets/envelope.html", takes_context=True)
def messaging_envelope(context):
    """The header's envelope: a link to the messagerie with the unread count."""
    member = context.get("current_member")
    return {"unread": member_unread_count(member) if member is not None else 0, "show": member is not None}
