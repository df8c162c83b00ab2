import re

from django.core.exceptions import ValidationError

PASSPHRASE_LENGTH = 20


class ComplexityValidator:
    """CNIL: 12 characters mixing upper case, lower case, digits and symbols, or a longer
    passphrase (20 characters or more) without the complexity requirement."""

    classes = (
        (re.compile(r"[a-z]"), "une minuscule"),
        (re.compile(r"[A-Z]"), "une majuscule"),
        (re.compile(r"[0-9]"), "un chiffre"),
        (re.compile(r"[^a-zA-Z0-9]"), "un caractère spécial"),
    )

    def validate(self, password: str, user=None) -> None:
        if len(password) >= PASSPHRASE_LENGTH:
            return
        missing = [label for pattern, label in self.classes if not pattern.search(password)]
        if missing:
            raise ValidationError(
                "Le mot de passe doit contenir au moins "
                + ", ".join(missing)
                + f" (ou être une phrase de passe d'au moins {PASSPHRASE_LENGTH} caractères).",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return (
            "Au moins 12 caractères avec une minuscule, une majuscule, un chiffre et un caractère "
            f"spécial, ou une phrase de passe d'au moins {PASSPHRASE_LENGTH} caractères."
        )
