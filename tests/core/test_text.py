"""The one accent folding (core.text), shared by the assistant, the directory and file names."""

import ast
from pathlib import Path

from core.text import ascii_only, fold, fold_words

ROOT = Path(__file__).resolve().parents[2]


def test_fold_lowercases_and_drops_accents_and_ligatures():
    assert fold("Remboursé à l'ŒIL, cœur, Ægée") == "rembourse a l'oeil, coeur, aegee"


def test_fold_words_keeps_letters_and_digits_as_single_spaced_words():
    assert fold_words("  Saint-Étienne (42) ") == "saint etienne 42"
    assert fold_words("SAINT ETIENNE") == fold_words("saint-étienne")


def test_ascii_only_keeps_the_case_and_drops_what_has_no_ascii_form():
    assert ascii_only("Décompte Œuvre 東京") == "Decompte OEuvre "


def test_no_other_production_module_folds_accents_itself():
    folding = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", "tools", ".venv"} or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"normalize", "combining"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "unicodedata"
            ):
                folding.append(str(relative))
    assert sorted(set(folding)) == ["core/text.py"]
