"""The reference data matches the notices in ../shared/seeds."""

from pathlib import Path

import pytest

from members.models import Contract, Formula, Organisme
from members.services import reference_data_load

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
NOTICE_003 = SEEDS / "003_999d6f226438855a.txt"
NOTICE_004 = SEEDS / "004_a7dd630f94aebb50.txt"
GUIDE = SEEDS / "000_5f83678ce9c8f0a9.txt"


def seed_lines(path):
    if not path.exists():
        pytest.skip("shared seeds are not beside the project")
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    before = (Organisme.objects.count(), Contract.objects.count(), Formula.objects.count())
    reference_data_load()
    assert (Organisme.objects.count(), Contract.objects.count(), Formula.objects.count()) == before == (3, 3, 7)


@pytest.mark.django_db
def test_idcc_1412_contract_is_as_notice_004():
    text = "\n".join(seed_lines(NOTICE_004))
    contract = Contract.objects.get(number="T331")
    assert "Contrat n° T331" in text and "Edition Janvier 2019" in text
    assert contract.edition == "Janvier 2019" and contract.idcc == "1412" and contract.mandatory
    assert contract.organisme.name == "KLESIA Prévoyance"
    assert contract.management_phone in text  # 0825 800 824
    names = list(contract.formulas.order_by("rank").values_list("name", flat=True))
    assert names == ["Base conventionnelle", "Option", "Celsius", "Kelvin"]
    for name in names:
        assert f"« {name.upper()} »" in text


@pytest.mark.django_db
def test_stacking_follows_the_option_choice_rules_of_notice_004():
    """Lines 742-747: Base + (Option | Celsius | Kelvin); Option + (Celsius | Kelvin);
    Celsius + Kelvin; Kelvin alone."""
    lines = seed_lines(NOTICE_004)
    rules = "\n".join(lines[740:748])
    assert "Option en obligatoire + les options facultatives au choix (Celsius ou Kelvin*)" in rules
    stacks = {
        f.code: set(f.stacks_on.values_list("code", flat=True)) for f in Formula.objects.filter(contract__number="T331")
    }
    assert stacks == {
        "IDCC1412-BASE": set(),
        "IDCC1412-OPTION": {"IDCC1412-BASE"},
        "IDCC1412-CELSIUS": {"IDCC1412-BASE", "IDCC1412-OPTION"},
        "IDCC1412-KELVIN": {"IDCC1412-BASE", "IDCC1412-OPTION", "IDCC1412-CELSIUS"},
    }
    # "Le niveau des prestations de l'option « Kelvin » n'est pas en conformité ... contrats dits « responsables »"
    assert not Formula.objects.get(code="IDCC1412-KELVIN").responsible
    assert "option « Kelvin » n'est pas en conformité" in "\n".join(lines)


@pytest.mark.django_db
def test_retirees_contract_is_as_notice_003():
    text = "\n".join(seed_lines(NOTICE_003))
    contract = Contract.objects.get(number="003 E0135004")
    assert "Contrat n° : **003 E0135004**" in text and "Edition janvier 2022" in text
    assert not contract.mandatory and contract.organisme.siren in text
    for code, number in (("CCOOP-BASE", "2239"), ("CCOOP-OPT1", "2240"), ("CCOOP-OPT2", "2241")):
        formula = Formula.objects.get(code=code)
        assert number in formula.name
        assert f"ASS DES ANCIENS CREDIT COOP {code.split('-')[1]} {number}" in text
        assert not formula.stacks_on.exists()  # one formula is chosen, none stacks


@pytest.mark.django_db
def test_guide_contract_has_its_contacts_and_itelis_network():
    text = "\n".join(seed_lines(GUIDE))
    contract = Contract.objects.get(number="KP-CCN-IMMOBILIER")
    assert contract.management_phone in text and "8h30 à 18h" in contract.management_hours
    assert contract.care_network == "Itelis" and "réseau **Itelis**" in text
    assert contract.teleconsultation_phone in text
    assert "43 rond point de l'Europe" in contract.management_address
