"""The one accent folding of the portal: "Saint-Étienne", "SAINT ETIENNE" and
"saint-etienne" meet in searches and lookups, and a file name keeps only ASCII."""

from __future__ import annotations

import re
import unicodedata

# Ligatures NFKD leaves whole: "cœur" must meet "coeur".
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})


def fold(text: str, *, lower: bool = True) -> str:
    """``text`` without accents (NFKD, combining marks dropped, œ -> oe), lowercased
    unless ``lower=False`` (a file name keeps its case)."""
    if lower:
        text = text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_words(text: str) -> str:
    """``fold`` with every run of anything but letters and digits as one space:
    "Saint-Étienne" -> "saint etienne" (a lookup key)."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def ascii_only(text: str) -> str:
    """``fold`` keeping the case, then anything still not ASCII dropped (file names)."""
    return fold(text, lower=False).encode("ascii", "ignore").decode()
