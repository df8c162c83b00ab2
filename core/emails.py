"""The one e-mail builder. Each message has three templates:
``templates/emails/<name>-subject.txt``, ``<name>-body.txt`` and ``<name>-body.html``.
Callers (a function per message in their app) pass a context; the builder adds the
portal's base URL. Nothing here sends: every e-mail goes through the notifications outbox
(``notifications.services``), the one place that talks to the mail server."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def build_email(name: str, to: str, context: dict) -> EmailMultiAlternatives:
    context = {"base_url": settings.PORTAL_BASE_URL.rstrip("/"), **context}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    message.attach_alternative(html, "text/html")
    return message
