"""The assistant's quality and speed (``manage.py bench --only assistant``)."""

from __future__ import annotations

import json
import re

from assistant.knowledge import KNOWLEDGE_FILE, answers_for, index
from assistant.text import tokens
from core.text import fold
from tools.benchmarking import Figure, percentile, timed


def _evaluation() -> list[dict]:
    return json.loads((KNOWLEDGE_FILE.parent / "evaluation.json").read_text(encoding="utf-8"))["questions"]


def _naive_top3(question: str) -> list[str]:
    """Baseline ranking: count of shared words, no stop words, stemming or BM25 weights."""
    words = set(re.findall(r"\w+", fold(question)))
    scored = []
    for entry in index().entries:
        document = set(re.findall(r"\w+", fold(f"{entry.title} {entry.keywords} {entry.text}")))
        scored.append((len(words & document), entry.id))
    scored.sort(key=lambda pair: -pair[0])
    return [entry_id for score, entry_id in scored[:3] if score]


def quality_and_latency() -> list[Figure]:
    questions = _evaluation()
    hits = sum(q["expected"] in [a.entry.id for a in answers_for(q["question"])] for q in questions)
    naive = sum(q["expected"] in _naive_top3(q["question"]) for q in questions)
    cycle = iter([q["question"] for q in questions] * 10)
    latency = timed(lambda: answers_for(next(cycle)), repeat=len(questions) * 5, warmup=3)
    cycle = iter([q["question"] for q in questions] * 10)
    tokenising = timed(lambda: tokens(next(cycle)), repeat=len(questions) * 5, warmup=3)
    return [
        Figure(
            f"assistant: top-3 accuracy on {len(questions)} questions",
            100 * hits / len(questions),
            "%",
            baseline=100 * naive / len(questions),
            baseline_name="shared-words ranking (no BM25, no stemming)",
            target=">= 85 %",
        ),
        Figure(
            "assistant: answer latency p95",
            percentile(latency, 95),
            "ms",
            baseline=percentile(tokenising, 95),
            baseline_name="tokenising the question alone",
            target="< 50 ms",
        ),
    ]


BENCHMARKS = [quality_and_latency]
