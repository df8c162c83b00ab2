from __future__ import annotations

from typing import Any

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.models import User
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.services import password_changed_after


@receiver(password_changed)
@receiver(password_set)
def _after_password_change(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    password_changed_after(user=user)


@receiver(password_reset)
def _after_password_reset(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    password_changed_after(user=user, reset=True)
