from allauth.account.signals import password_changed, password_reset, password_set
from django.dispatch import receiver

from accounts.services import password_changed_after


@receiver(password_changed)
@receiver(password_set)
def _after_password_change(sender, request, user, **kwargs):
    password_changed_after(user=user)


@receiver(password_reset)
def _after_password_reset(sender, request, user, **kwargs):
    password_changed_after(user=user, reset=True)
