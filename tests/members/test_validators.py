import pytest
from django.core.exceptions import ValidationError

from members.validators import mask_iban, nir_with_key, validate_iban, validate_nir


def test_it_accepts_a_nir_with_its_key():
    validate_nir("1 85 05 78 006 084 91")  # key = 97 - (1850578006084 mod 97)


def test_it_computes_the_key_for_corsica():
    nir = nir_with_key("185052A006084")  # 2A counts as 19 in the key
    validate_nir(nir)
    assert nir == "185052A00608435"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("185057800608492", "la clé ne correspond pas"),
        ("18505780060843", "15 caractères"),
    ],
)
def test_it_refuses_a_bad_nir_in_french(value, message):
    with pytest.raises(ValidationError) as error:
        validate_nir(value)
    assert message in error.value.messages[0]


def test_it_validates_iban_key():
    validate_iban("FR76 3000 6000 0112 3456 7890 189")
    with pytest.raises(ValidationError, match="IBAN n'est pas valide"):
        validate_iban("FR76 3000 6000 0112 3456 7890 188")


def test_it_masks_an_iban_keeping_country_key_and_end():
    assert mask_iban("FR7630006000011234567890189") == "FR76 **** **** 0189"
