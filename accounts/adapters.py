from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.urls import reverse

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: accounts exist only for members the insurer already holds.

    allauth's e-mails speak with the web server's host name ("Bonjour, c'est
    127.0.0.1:8103 !") and build links from the request's Host header: the portal's own
    e-mails (accounts.emails, signed by the member's organisme) replace the ones its
    mounted views can send, links start with PORTAL_BASE_URL, and any other allauth
    e-mail falls back to the French templates in templates/account/email/."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def format_email_subject(self, subject: str) -> str:
        return subject  # no "[host name]" prefix

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return str(settings.PORTAL_BASE_URL).rstrip("/") + path.replace("UID-KEY", quote(key))

    def send_password_reset_mail(self, user: AbstractBaseUser, email: str, context: dict[str, Any]) -> None:
        from accounts import emails

        # allauth declares any AbstractBaseUser; the portal's user model is django.contrib.auth's User.
        account = cast("User", user)
        # accounts.forms.PasswordResetForm already keeps only these; checked again here
        # because a reset link sent elsewhere hands the account over.
        on_file = EmailAddress.objects.filter(user=account, email__iexact=email, primary=True, verified=True).exists()
        if not on_file or account.email.lower() != email.lower():
            return
        emails.send_password_reset(user=account, to=account.email, url=context["password_reset_url"])

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Whatever allauth still sends goes through the outbox like every e-mail."""
        from notifications.models import SecurityKind
        from notifications.services import security_email_enqueue

        message = self.render_mail(template_prefix, email, context)
        user = context.get("user")
        security_email_enqueue(
            kind=SecurityKind.ALLAUTH,
            to=email,
            message=message,
            member=getattr(user, "member", None),
            template=template_prefix,
        )

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        return reverse("accounts:security")
