"""French text analysis for the assistant's search: lowercase, accents folded, stop words
removed, light stemming (plural and common derivational suffixes, after J. Savoy's light
French stemmer), so that "remboursé", "remboursements" and "rembourser" meet."""

from __future__ import annotations

import re

from core.text import fold

STOP_WORDS = frozenset(
    """
    a ai aie aient ainsi alors au aucun aussi autre aux avec avoir avez avons bon c ca car ce ceci cela celle celles
    celui ces cet cette chez comme comment d dans de des deja doit dois donc dont du elle elles en encore est et etre
    eu fait faire faut il ils j je jusqu l la le les leur leurs lui m ma mais me meme mes moi mon n ne ni nos notre
    nous on ou par pas peu peut peux plus pour pourquoi puis puisque qu quand que quel quelle quelles quels qui quoi
    s sa sans se ses si son sont suis sur t ta te tes toi ton tous tout toute toutes tu un une vos votre vous y
    est-ce estce ete etes avoir sera serai svp merci bonjour veux voudrais souhaite besoin savoir possible il y
    combien quelles quoi dois doit faut falloir ou
    """.split()
)

SUFFIXES = (
    "issements",
    "issement",
    "ements",
    "ement",
    "ations",
    "ation",
    "atrices",
    "atrice",
    "ateurs",
    "ateur",
    "ments",
    "ment",
    "euses",
    "euse",
    "iques",
    "ique",
    "istes",
    "iste",
    "aires",
    "aire",
    "ances",
    "ance",
    "ences",
    "ence",
    "eurs",
    "eur",
    "iers",
    "ier",
    "ees",
    "ee",
    "er",
    "ez",
    "es",
    "e",
)
MIN_STEM = 4


def stem(word: str) -> str:
    if word.isdigit():
        return word
    if len(word) > MIN_STEM and word[-1] in "sx" and not word.endswith("ss"):
        word = word[:-1]
    if word.endswith("aux") and len(word) > 5:
        return word[:-3] + "al"
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    """The index terms of a French text."""
    words = re.findall(r"[a-z0-9]+", fold(text).replace("&", " "))
    return [stem(w) for w in words if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]
