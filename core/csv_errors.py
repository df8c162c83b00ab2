"""The one error type of the CSV imports (décomptes, annuaire): a line, a column, a
reason in French, and the report a gestionnaire reads. An import that finds errors
writes nothing and lists them all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class LineError:
    line: int | None  # as a spreadsheet numbers it (the header is 1); None: the whole file
    column: str  # "" when the error is about the line or the file, not one cell
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" if self.line else "fichier"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"

    def sort_key(self) -> tuple[int, str]:
        return (self.line or 0, self.column)

    def to_dict(self) -> dict:
        # The shape ImportBatch.errors has always stored (JSON): "reason", not "message".
        return {"line": self.line, "column": self.column, "reason": self.message}

    @classmethod
    def from_dict(cls, data: dict) -> LineError:
        return cls(data["line"], data["column"], data["reason"])


def errors_report(errors: Iterable[LineError]) -> str:
    """One error a line, in file order (errors about the whole file first): what the
    import commands print."""
    return "\n".join(str(error) for error in sorted(errors, key=LineError.sort_key))
