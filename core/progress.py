"""A progress bar on a terminal's standard error, for the long management commands (the
CSV imports): plain text redrawn with a carriage return, no dependency."""

from __future__ import annotations

import time
from collections.abc import Callable

LABELS = {"validated": "validation", "computed": "calcul", "written": "écriture"}


class TerminalProgress:
    """``progress(phase, count, total)``: redraws at most every 0.2 s and at each phase end."""

    def __init__(self, write: Callable[[str], object], width: int = 30) -> None:
        self.write = write  # e.g. a command's ``lambda text: self.stderr.write(text, ending="")``
        self.width = width
        self.phase = ""
        self.drawn = 0.0

    def __call__(self, phase: str, count: int, total: int) -> None:
        now = time.monotonic()
        if phase == self.phase and now - self.drawn < 0.2:
            return
        if self.phase and phase != self.phase:
            self.write("\n")
        self.phase, self.drawn = phase, now
        label = LABELS.get(phase, phase)
        if total:
            done = min(count / total, 1.0)
            bar = "#" * int(done * self.width)
            self.write(f"\r{label:<11} [{bar:<{self.width}}] {count:>9} / {total} lignes")
        else:
            self.write(f"\r{label:<11} {count:>9} lignes")

    def close(self) -> None:
        if self.phase:
            self.write("\n")
