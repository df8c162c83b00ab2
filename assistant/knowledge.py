"""The knowledge base (assistant/data/knowledge.json) and its BM25 ranking.

The base is small (about fifty answers) and read-only, so the index lives in memory,
built once per process. BM25 (Robertson and Zaragoza) scores each answer on its title
(counted twice), keywords and text; below ``RELEVANCE_THRESHOLD`` the assistant says it
does not know rather than guess.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.urls import NoReverseMatch, reverse

from assistant.text import tokens

KNOWLEDGE_FILE = Path(__file__).resolve().parent / "data" / "knowledge.json"
K1 = 1.2
B = 0.75
# Calibrated on assistant/data/evaluation.json and off-topic questions (tests/assistant):
# the best answer needs a BM25 score of at least RELEVANCE_THRESHOLD, and that score
# times the share of the question's weight (idf) it matches at least CONFIDENCE_THRESHOLD,
# so that one common word ("numéro", "France") matched alone is not taken for an answer.
RELEVANCE_THRESHOLD = 4.0
CONFIDENCE_THRESHOLD = 1.4
# Further answers are shown only when close to the best one.
SECONDARY_RATIO = 0.55
MAX_ANSWERS = 3


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    text: str
    source: str
    points: tuple[str, ...] = ()
    url_name: str = ""
    link_label: str = ""
    keywords: str = ""

    @property
    def url(self) -> str | None:
        """The portal page that does the thing, if that feature is installed."""
        if not self.url_name:
            return None
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


@dataclass(frozen=True)
class Answer:
    entry: Entry
    score: float
    coverage: float = 1.0  # share of the question's idf weight this answer matches

    @property
    def confidence(self) -> float:
        return self.score * self.coverage


@dataclass
class Index:
    entries: list[Entry]
    doc_terms: list[Counter] = field(default_factory=list)
    doc_lengths: list[int] = field(default_factory=list)
    idf: dict[str, float] = field(default_factory=dict)
    average_length: float = 1.0

    @classmethod
    def build(cls, entries: list[Entry]) -> Index:
        index = cls(entries)
        document_frequency: Counter = Counter()
        for entry in entries:
            terms = Counter(
                tokens(entry.title) * 2 + tokens(entry.keywords) + tokens(entry.text) + tokens(" ".join(entry.points))
            )
            index.doc_terms.append(terms)
            index.doc_lengths.append(sum(terms.values()))
            document_frequency.update(terms.keys())
        count = len(entries)
        index.average_length = sum(index.doc_lengths) / max(count, 1)
        index.idf = {
            term: math.log(1 + (count - freq + 0.5) / (freq + 0.5)) for term, freq in document_frequency.items()
        }
        return index

    def scores(self, question: str) -> list[Answer]:
        query = set(tokens(question))
        # A word the base never uses weighs as much as the rarest word it does use.
        unknown = math.log(1 + (len(self.entries) + 0.5) / 0.5)
        query_weight = sum(self.idf.get(term, unknown) for term in query)
        ranked = []
        for entry, terms, length in zip(self.entries, self.doc_terms, self.doc_lengths, strict=True):
            score = matched = 0.0
            for term in query:
                tf = terms.get(term)
                if tf:
                    norm = K1 * (1 - B + B * length / self.average_length)
                    score += self.idf[term] * tf * (K1 + 1) / (tf + norm)
                    matched += self.idf[term]
            if score > 0:
                ranked.append(Answer(entry, score, matched / query_weight))
        ranked.sort(key=lambda answer: (-answer.score, answer.entry.id))
        return ranked


def _entry(raw: dict) -> Entry:
    link = raw.get("link") or {}
    return Entry(
        id=raw["id"],
        title=raw["title"],
        text=raw["text"],
        source=raw["source"],
        points=tuple(raw.get("points", ())),
        url_name=link.get("url_name", ""),
        link_label=link.get("label", ""),
        keywords=raw.get("keywords", ""),
    )


@lru_cache(maxsize=1)
def index() -> Index:
    data = json.loads(KNOWLEDGE_FILE.read_text(encoding="utf-8"))
    return Index.build([_entry(raw) for raw in data["entries"]])


def entry(entry_id: str) -> Entry | None:
    return next((e for e in index().entries if e.id == entry_id), None)


def ranked(question: str) -> list[Answer]:
    """Every answer with a positive score, best first (for evaluation)."""
    return index().scores(question)


def answers_for(question: str) -> list[Answer]:
    """The best answers, or none when nothing is relevant enough: then the assistant
    says it does not know."""
    ranking = index().scores(question)
    if not ranking or ranking[0].score < RELEVANCE_THRESHOLD or ranking[0].confidence < CONFIDENCE_THRESHOLD:
        return []
    best = ranking[0].score
    return [a for a in ranking[:MAX_ANSWERS] if a.score >= best * SECONDARY_RATIO]
