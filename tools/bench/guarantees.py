"""Engine throughput: lines computed per second for a 10,000-line batch with history."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from guarantees import catalogue
from guarantees.engine import CareLine, EngineRequest, Layer, compute
from tools.benchmarking import Figure

BATCH = 10_000
TEMPLATES: list[tuple[str, str, str, str, dict[str, Any]]] = [
    ("consultation-specialiste", "60", "30", "21", {"optam": True}),
    ("pharmacie", "12.40", "12.40", "8.06", {}),
    ("lentilles", "150", "0", "0", {}),
    ("prothese-couronne-bridge", "600", "107.50", "64.50", {}),
    ("chambre-particuliere", "300", "0", "0", {"days": 3}),
    ("osteopathie", "60", "0", "0", {}),
    ("verres-unifocaux", "300", "0.10", "0.06", {"quantity": 2, "sphere": Decimal("-2.5")}),
    ("analyses", "40", "20", "12", {}),
]


def _lines(count: int, start: dt.date) -> tuple[CareLine, ...]:
    lines = []
    for i in range(count):
        act, fr, br, ss, extra = TEMPLATES[i % len(TEMPLATES)]
        day = start + dt.timedelta(days=(i * 7) % 700)
        lines.append(CareLine(act, day, Decimal(fr), Decimal(br), Decimal(ss), **extra))
    return tuple(lines)


def _request() -> EngineRequest:
    layers = (
        Layer(catalogue.formula_rules("IDCC1412-BASE")),
        Layer(catalogue.formula_rules("IDCC1412-CELSIUS"), role="facultative", since=dt.date(2019, 1, 1)),
    )
    return EngineRequest(
        layers=layers,
        birth_date=dt.date(1980, 5, 14),
        claim_date=dt.date(2025, 12, 31),
        lines=_lines(BATCH, dt.date(2024, 1, 2)),
        history=_lines(500, dt.date(2023, 1, 2)),
        pmss=catalogue.pmss_table(),
    )


def _naive(request: EngineRequest) -> None:
    """Baseline: the bare arithmetic of one % BR rule per line, no rules lookup."""
    rate = Decimal("1.25")
    for line in request.lines:
        due = (line.base_remboursement * rate).quantize(Decimal("0.01")) - line.ss_paid
        min(max(due, Decimal(0)), line.frais_reels - line.ss_paid)


def _best_seconds(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def engine_throughput() -> list[Figure]:
    request = _request()
    engine = _best_seconds(lambda: compute(request))
    naive = _best_seconds(lambda: _naive(request))
    total = len(request.lines) + len(request.history)
    return [
        Figure(
            name="guarantees: engine lines/s (10,000 lines + 500 history, 2 levels)",
            value=total / engine,
            unit="lines/s",
            baseline=total / naive,
            baseline_name="bare Decimal arithmetic of one % BR rule per line (same batch)",
            target=">= 20000 lines/s",
        )
    ]


BENCHMARKS = [engine_throughput]
