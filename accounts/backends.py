"""The one password backend: a login attempt costs one password hash, whether the login
(member number or e-mail address) exists or not.

With Django's ModelBackend and allauth's backend both listed, a wrong password typed with
a registered e-mail was hashed three times (allauth passes the address as ``username``
and as ``email``, and each backend checked it) against twice for an unknown one: about
0.2 s more, enough to tell a member's address from the login page alone
(scripts/login_timing.py measures it). This backend looks the login up once (number or
address), checks each account found once, and hashes a dummy password when none is
found, as ModelBackend does. It is the only password backend in AUTHENTICATION_BACKENDS
(after axes, which hashes nothing).
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q
from django.http import HttpRequest


class LoginBackend(AuthenticationBackend):
    # allauth's AuthenticationBackend takes **credentials (as Django passes them), not ModelBackend's signature.
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, **credentials: Any
    ) -> AbstractBaseUser | None:
        password = credentials.get("password")
        login = credentials.get("email") or credentials.get("username")
        if not password or not login:
            return None
        self._did_check_password = False
        # One query whatever the login's form: the number, the account's address, or a
        # verified allauth address (the Profil keeps the two equal).
        candidates = (
            get_user_model()
            .objects.filter(
                Q(username__iexact=login)
                | Q(email__iexact=login)
                | Q(emailaddress__email__iexact=login, emailaddress__verified=True)
            )
            .distinct()
            .order_by("pk")
        )
        for user in candidates:
            if self._check_password(user, password):
                return user
        if not self._did_check_password:
            self._mitigate_timing_attack(password)
        return None
