"""The assistant's quality and speed (``manage.py bench --only assistant``).

Quality is the share of questions whose FIRST answer is right, on both parts of the
evaluation (assistant/data/evaluation/): the tuning part, and the held-out test part the
ranking was never tuned on. Latency is measured with the process pinned to one CPU core."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

from assistant.evaluation import PARTS, expected_ids, first_answer, questions
from assistant.knowledge import answers_for, index
from assistant.text import tokens
from core.text import fold
from tools.benchmarking import Figure, percentile, timed


def _naive_first(question: str) -> str | None:
    """Baseline ranking: count of shared words, no stop words, stemming, vocabulary or
    weights; it never declines to answer."""
    words = set(re.findall(r"\w+", fold(question)))
    best, best_score = None, 0
    for entry in index().entries:
        document = set(re.findall(r"\w+", fold(f"{entry.title} {entry.keywords} {entry.text}")))
        score = len(words & document)
        if score > best_score:
            best, best_score = entry.id, score
    return best


@contextmanager
def _one_core():
    """Pinned to one core where the platform allows it (Linux), as the target says."""
    if not hasattr(os, "sched_getaffinity"):
        yield
        return
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, cores)


def quality_and_latency() -> list[Figure]:
    figures = []
    for part in PARTS:
        items = questions(part)
        right = sum(first_answer(q["question"]) in expected_ids(q) for q in items)
        naive = sum(_naive_first(q["question"]) in expected_ids(q) for q in items)
        name = "held-out test part" if part == "test" else "tuning part"
        figures.append(
            Figure(
                f"assistant: first answer right, {name} ({len(items)} questions)",
                100 * right / len(items),
                "%",
                baseline=100 * naive / len(items),
                baseline_name="shared-words ranking (no BM25, stemming or vocabulary)",
                target=">= 90 %" if part == "test" else "",
            )
        )
    every = [q["question"] for part in PARTS for q in questions(part)]
    index()  # built once per process, not part of an answer
    with _one_core():
        cycle = iter(every * 10)
        latency = timed(lambda: answers_for(next(cycle)), repeat=len(every) * 3, warmup=5)
        cycle = iter(every * 10)
        tokenising = timed(lambda: tokens(next(cycle)), repeat=len(every) * 3, warmup=5)
    figures.append(
        Figure(
            "assistant: answer latency p95 (one core)",
            percentile(latency, 95),
            "ms",
            baseline=percentile(tokenising, 95),
            baseline_name="tokenising the question alone",
            target="< 50 ms",
        )
    )
    return figures


BENCHMARKS = [quality_and_latency]
