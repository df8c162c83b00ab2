"""The transcribed tables against the notices' text (../shared/seeds), cell by cell."""

import re
from pathlib import Path

import pytest

from guarantees import catalogue

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def normalise(text: str) -> str:
    text = re.sub(r"</?i>", "", text).replace("|", " ")
    return re.sub(r"\s+", " ", text).strip()


def notice_lines(source_file: str) -> list[str]:
    path = SEEDS / source_file
    if not path.exists():
        pytest.skip("the seed documents are not available")
    return path.read_text(encoding="utf-8").splitlines()


def number(text: str) -> str:
    """'140,95' -> '140.95', '372,50' -> '372.50', '100' -> '100'."""
    return text.replace(",", ".")


def cells():
    for notice in catalogue.notices().values():
        for row in notice.rows:
            for cell in row.cells.values():
                yield notice, row, cell


def test_every_cell_text_is_on_its_notice_line():
    checked = 0
    for notice, row, cell in cells():
        lines = notice_lines(notice.source_file)
        assert normalise(cell.text) in normalise(lines[cell.line - 1]), (cell.formula, row.label, cell.line)
        if cell.limit_text:
            assert normalise(cell.limit_text) in normalise(lines[cell.limit_line - 1])
        checked += 1
    assert checked >= 60


def test_every_amount_of_the_rules_is_written_in_the_cell_text():
    checked = 0
    for _notice, row, cell in cells():
        text = number(normalise(cell.text))
        if cell.kind in ("pct_br", "pct_br_plus_year", "pct_br_plus_device"):
            assert re.search(rf"\b{cell.rate} ?% de la BR", text), (row.label, cell.formula)
            checked += 1
        if cell.kind == "pct_fr":
            assert f"{cell.rate} % des FR" in text
            checked += 1
        if cell.kind in ("pct_pmss_year", "pct_pmss_eye_year", "pct_pmss_act"):
            assert f"{cell.pmss_pct} % du PMSS" in text
            checked += 1
        if cell.kind in (
            "fixed_act",
            "fixed_day",
            "fixed_eye",
            "pct_br_plus_year",
            "pct_br_plus_device",
            "optical_package",
        ) or (cell.kind == "fixed_year" and cell.text != "Inclus" and not cell.text.startswith("Intégrée")):
            assert f"{cell.amount} €" in text or f"{cell.amount}€" in text, (row.label, cell.formula, cell.amount)
            checked += 1
        if cell.kind == "optical_glass":
            found = re.findall(r"([\d.]+) € par verre", text)
            assert [f"{float(a):.2f}" for a in found] == [f"{b:.2f}" for b in cell.bands]
            checked += 1
        if cell.max_count:
            assert f"limité à {cell.max_count}" in text
        if cell.max_days:
            assert f"{cell.max_days} jours par an" in cell.limit_text
        if cell.frame_cap:
            assert (
                f"limité à {cell.frame_cap}" in number(row.label + " " + cell.text).replace(" €", "€")
                or f"limitée à {cell.frame_cap}" in text
            )
    assert checked >= 200


def test_the_seven_formulas_are_transcribed():
    codes = {code for notice in catalogue.notices().values() for code in notice.formulas}
    assert codes == {
        "CCOOP-BASE",
        "CCOOP-OPT1",
        "CCOOP-OPT2",
        "IDCC1412-BASE",
        "IDCC1412-OPTION",
        "IDCC1412-CELSIUS",
        "IDCC1412-KELVIN",
    }


def test_the_formula_headings_are_on_their_lines():
    lines = notice_lines("004_a7dd630f94aebb50.txt")
    for code, word in (
        ("IDCC1412-BASE", "BASE CONVENTIONNELLE"),
        ("IDCC1412-OPTION", "OPTION"),
        ("IDCC1412-CELSIUS", "CELSIUS"),
        ("IDCC1412-KELVIN", "KELVIN"),
    ):
        assert f"« {word} »" in lines[catalogue.notices()["004"].formulas[code]["line"] - 1]
