"""The knowledge base (assistant/data/knowledge.json) and its ranking.

The base is small (about eighty answers) and read-only, so the index lives in memory,
built once per process. The ranking is BM25F (Robertson and Zaragoza): each answer's
title, keywords and text are weighted fields, plus a bonus when two words of the question
follow each other in a title or keywords ("mot de passe", "tiers payant"). A question's
word the base does not know is read as the nearest word it knows (one or two typos),
so that "remboursment" or "ostheopathe" still meet their answers. Below a confidence
threshold the assistant says it does not know rather than guess.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from django.urls import NoReverseMatch, reverse

from assistant.text import STOP_WORDS, stem, words

KNOWLEDGE_FILE = Path(__file__).resolve().parent / "data" / "knowledge.json"
K1 = 1.2
B = 0.75
# Field weights (BM25F): a word of the title or of the keywords says more about what an
# answer is for than a word of its text. Tuned on assistant/data/evaluation/tuning.json.
TITLE_WEIGHT = 3
KEYWORDS_WEIGHT = 2
TEXT_WEIGHT = 1
BIGRAM_WEIGHT = 0.6
# Calibrated on the tuning part of the evaluation and its off-topic questions: the best
# answer needs a score of at least RELEVANCE_THRESHOLD, and that score times the share of
# the question's weight (idf) it matches at least CONFIDENCE_THRESHOLD, so that one common
# word ("numéro", "France") matched alone is not taken for an answer.
RELEVANCE_THRESHOLD = 4.0
CONFIDENCE_THRESHOLD = 1.4
# ... and match at least this share of the question's weight: "le numéro de mon voisin"
# matches "numéro" strongly but is not about the contract's phone.
MIN_COVERAGE = 0.45
# Further answers are shown only when close to the best one.
SECONDARY_RATIO = 0.55
COVERAGE_EXPONENT = 0.5
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
    anchor: str = ""
    keywords: str = ""
    # The member's own facts this answer shows (assistant.facts), e.g. "pending",
    # "guarantee:optique"; empty for an answer that is the same for everyone.
    facts: str = ""
    # False for a text other pages show only to some contracts (the Services page's
    # Med&Vous description): never an answer to a question.
    searchable: bool = True

    @property
    def url(self) -> str | None:
        """The portal page that does the thing, if that feature is installed."""
        if not self.url_name:
            return None
        try:
            url = reverse(self.url_name)
        except NoReverseMatch:
            return None
        return f"{url}#{self.anchor}" if self.anchor else url


@dataclass(frozen=True)
class Answer:
    entry: Entry
    score: float
    coverage: float = 1.0  # share of the question's idf weight this answer matches

    @property
    def confidence(self) -> float:
        return self.score * self.coverage

    @property
    def rank_key(self) -> float:
        # An answer matching every word of the question beats one matching a few of them
        # many times ("changer de compte bancaire": the IBAN change, not the transfers).
        return self.score * self.coverage**COVERAGE_EXPONENT


def _bigrams(terms: list[str]) -> set[tuple[str, str]]:
    return set(pairwise(terms))


def _deletes(word: str, depth: int) -> set[str]:
    """Every string obtained by deleting up to ``depth`` letters (SymSpell)."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _max_typos(word: str) -> int:
    return 0 if len(word) < 5 else 1 if len(word) < 9 else 2


@dataclass
class Index:
    entries: list[Entry]
    doc_terms: list[Counter] = field(default_factory=list)
    doc_lengths: list[float] = field(default_factory=list)
    doc_bigrams: list[set] = field(default_factory=list)
    idf: dict[str, float] = field(default_factory=dict)
    average_length: float = 1.0
    vocabulary: dict[str, int] = field(default_factory=dict)  # folded word -> answers using it
    near: dict[str, set[str]] = field(default_factory=dict)  # a deletion -> known words

    @classmethod
    def build(cls, entries: list[Entry]) -> Index:
        index = cls(entries)
        document_frequency: Counter = Counter()
        vocabulary: Counter = Counter()
        for entry in entries:
            title, keywords = words(entry.title), words(entry.keywords)
            text = words(entry.text) + words(" ".join(entry.points))
            terms: Counter = Counter()
            for weight, field_words in ((TITLE_WEIGHT, title), (KEYWORDS_WEIGHT, keywords), (TEXT_WEIGHT, text)):
                for word in field_words:
                    terms[stem(word)] += weight
            index.doc_terms.append(terms)
            index.doc_lengths.append(sum(terms.values()))
            index.doc_bigrams.append(_bigrams([stem(w) for w in title]) | _bigrams([stem(w) for w in keywords]))
            document_frequency.update(terms.keys())
            vocabulary.update(set(title + keywords + text))
        count = len(entries)
        index.average_length = sum(index.doc_lengths) / max(count, 1)
        index.idf = {
            term: math.log(1 + (count - freq + 0.5) / (freq + 0.5)) for term, freq in document_frequency.items()
        }
        index.vocabulary = dict(vocabulary)
        for word in vocabulary:
            for deletion in _deletes(word, _max_typos(word)):
                index.near.setdefault(deletion, set()).add(word)
        return index

    def correct(self, word: str) -> str:
        """``word`` if the base knows it (or it is too short to guess), else the known word
        nearest to it within its typo allowance (the most used one on a tie)."""
        depth = _max_typos(word)
        if word in self.vocabulary or not depth:
            return word
        candidates: set[str] = set()
        for deletion in _deletes(word, depth):
            candidates |= self.near.get(deletion, set())
        best = None
        for candidate in candidates:
            if candidate[0] != word[0]:  # a typo rarely hits the first letter; "mettre" is not "lettre"
                continue
            distance = _distance(word, candidate)
            if distance <= min(depth, _max_typos(candidate) or 1):
                key = (distance, -self.vocabulary[candidate], candidate)
                if best is None or key < best:
                    best = key
        return best[2] if best else word

    def query_terms(self, question: str) -> list[str]:
        return [stem(self.correct(w)) for w in words(question) if w not in STOP_WORDS]

    def scores(self, question: str) -> list[Answer]:
        ordered = self.query_terms(question)
        query = set(ordered)
        pairs = _bigrams(ordered)
        # A word the base never uses weighs as much as the rarest word it does use.
        unknown = math.log(1 + (len(self.entries) + 0.5) / 0.5)
        query_weight = sum(self.idf.get(term, unknown) for term in query)
        ranked = []
        for entry, terms, length, bigrams in zip(
            self.entries, self.doc_terms, self.doc_lengths, self.doc_bigrams, strict=True
        ):
            score = matched = 0.0
            norm = K1 * (1 - B + B * length / self.average_length)
            for term in query:
                tf = terms.get(term)
                if tf:
                    score += self.idf[term] * tf * (K1 + 1) / (tf + norm)
                    matched += self.idf[term]
            for pair in pairs & bigrams:
                score += BIGRAM_WEIGHT * (self.idf[pair[0]] + self.idf[pair[1]])
            if score > 0:
                ranked.append(Answer(entry, score, matched / query_weight))
        ranked.sort(key=lambda answer: (-answer.rank_key, answer.entry.id))
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
        anchor=link.get("anchor", ""),
        keywords=raw.get("keywords", ""),
        facts=raw.get("facts", ""),
        searchable=raw.get("searchable", True),
    )


@lru_cache(maxsize=1)
def all_entries() -> dict[str, Entry]:
    data = json.loads(KNOWLEDGE_FILE.read_text(encoding="utf-8"))
    return {raw["id"]: _entry(raw) for raw in data["entries"]}


@lru_cache(maxsize=1)
def index() -> Index:
    return Index.build([e for e in all_entries().values() if e.searchable])


def entry(entry_id: str) -> Entry | None:
    return all_entries().get(entry_id)


def ranked(question: str) -> list[Answer]:
    """Every answer with a positive score, best first (for evaluation)."""
    return index().scores(question)


def answers_for(question: str) -> list[Answer]:
    """The best answers, or none when nothing is relevant enough: then the assistant
    says it does not know."""
    ranking = index().scores(question)
    if (
        not ranking
        or ranking[0].score < RELEVANCE_THRESHOLD
        or ranking[0].confidence < CONFIDENCE_THRESHOLD
        or ranking[0].coverage < MIN_COVERAGE
    ):
        return []
    best = ranking[0].rank_key
    return [a for a in ranking[:MAX_ANSWERS] if a.rank_key >= best * SECONDARY_RATIO]
