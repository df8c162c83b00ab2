"""The assistant's evaluation (assistant/data/evaluation/): questions written as members
write them, each labelled with the right FIRST answer (an entry id, a list of ids when
several are equally right, null when the right answer is to say it does not know).

``tuning.json`` is what the vocabulary, weights and thresholds were tuned on; ``test.json``
is held out: written before the ranking was changed and never tuned on."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.knowledge import answers_for

EVALUATION_DIR = Path(__file__).resolve().parent / "data" / "evaluation"
PARTS = ("tuning", "test")


def questions(part: str) -> list[dict]:
    return json.loads((EVALUATION_DIR / f"{part}.json").read_text(encoding="utf-8"))["questions"]


def expected_ids(question: dict) -> list[str | None]:
    expected = question["expected"]
    return expected if isinstance(expected, list) else [expected]


def first_answer(text: str) -> str | None:
    answers = answers_for(text)
    return answers[0].entry.id if answers else None


def is_right(question: dict) -> bool:
    return first_answer(question["question"]) in expected_ids(question)


def accuracy(part: str) -> float:
    items = questions(part)
    return sum(is_right(q) for q in items) / len(items)
