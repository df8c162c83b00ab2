"""Validators for French identifiers held on members and beneficiaries."""

import re

from django.core.exceptions import ValidationError
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as stdnum_nir


def normalize_nir(value: str) -> str:
    return "".join(value.split()).upper()


# Sex, year, month (5 digits), the département (2 digits, or 2A/2B for Corsica), the
# commune and the order number (6 digits), the key (2 digits).
NIR_SHAPE = re.compile(r"\d{5}(?:\d{2}|2A|2B)\d{8}")


def validate_nir(value: str) -> None:
    """A NIR (numéro de sécurité sociale): 13 characters and a 2-digit key."""
    compact = normalize_nir(value)
    if len(compact) != 15:
        raise ValidationError(
            "Le numéro de sécurité sociale doit comporter 15 caractères (13 chiffres et la clé).",
            code="nir_length",
        )
    if not NIR_SHAPE.fullmatch(compact):
        raise ValidationError(
            "Le numéro de sécurité sociale ne comporte que des chiffres (2A ou 2B pour un département de Corse).",
            code="nir_format",
        )
    try:
        stdnum_nir.validate(compact)
    except StdnumError:
        raise ValidationError(
            "Ce numéro de sécurité sociale n'est pas valide : la clé ne correspond pas.",
            code="nir_key",
        ) from None


def normalize_iban(value: str) -> str:
    return "".join(value.split()).upper()


def validate_iban(value: str) -> None:
    try:
        stdnum_iban.validate(normalize_iban(value))
    except StdnumError:
        raise ValidationError(
            "Cet IBAN n'est pas valide : vérifiez les caractères saisis et la clé de contrôle.",
            code="iban_invalid",
        ) from None


def mask_iban(value: str) -> str:
    """FR76 **** **** **** **** ***0 189: country, key and last 4 characters only."""
    compact = normalize_iban(value)
    if not compact:
        return ""
    return f"{compact[:4]} **** **** {compact[-4:]}"


def group_iban(value: str) -> str:
    """FR76 3000 6000 0112 3456 7890 189: the IBAN as printed on a RIB, by groups of 4, so a
    gestionnaire compares it with the RIB group by group."""
    compact = normalize_iban(value)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def mask_nir(value: str) -> str:
    """1 ** ** ** *** *** 45: the sex digit and the key only, never the birth date and
    place the NIR spells out."""
    compact = normalize_nir(value)
    if not compact:
        return ""
    if len(compact) < 15:
        return "*" * len(compact)
    return f"{compact[:1]} ** ** ** *** *** {compact[-2:]}"


def nir_with_key(first_13: str) -> str:
    """Append the 2-digit key to 13 NIR characters (Corsica's 2A/2B count as 19/18)."""
    digits = first_13.upper().replace("2A", "19").replace("2B", "18")
    key = 97 - int(digits) % 97
    return f"{first_13.upper()}{key:02d}"


# The member numbers the portal holds (reference and demo data): ten digits.
MEMBER_NUMBER_SHAPE = re.compile(r"\d{10}")


def validate_member_number(value: str) -> None:
    if not MEMBER_NUMBER_SHAPE.fullmatch("".join(value.split())):
        raise ValidationError(
            "Le numéro d'adhérent comporte 10 chiffres, sans lettre : il figure sur votre carte de tiers payant "
            "et sur vos courriers.",
            code="member_number_format",
        )
