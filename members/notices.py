"""The contract notices, kept as data in members/data/notices/ and shown as a readable page.

The text files are transcriptions: paragraphs separated by blank lines, tables either as
Markdown pipes or tab-separated, ``**bold**`` and a few inline tags (<i>, <u>, <p>). They
are turned into plain blocks here and escaped by the template, so the file's content never
reaches the page as HTML.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

NOTICES_DIR = Path(__file__).resolve().parent / "data" / "notices"

_TAGS = re.compile(r"</?(?:i|u|p|b|em|strong)>", re.IGNORECASE)
_SEPARATOR = re.compile(r"^\|[\s|:-]*\|?$")


def _clean(text: str) -> str:
    return " ".join(_TAGS.sub("", text).replace("**", "").split())


@dataclass
class Block:
    kind: str  # "heading", "paragraph" or "table"
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


def _is_heading(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return 3 <= len(text) <= 120 and bool(letters) and all(c.isupper() for c in letters)


def _parse(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    table: list[list[str]] = []

    def flush_paragraph() -> None:
        if paragraph:
            text = _clean(" ".join(paragraph))
            if text:
                blocks.append(Block("heading" if _is_heading(text) else "paragraph", text=text))
            paragraph.clear()

    def flush_table() -> None:
        if table:
            width = max(len(row) for row in table)
            blocks.append(Block("table", rows=[row + [""] * (width - len(row)) for row in table]))
            table.clear()

    for raw in lines:
        line = raw.rstrip()
        if line.startswith("|"):
            flush_paragraph()
            if not _SEPARATOR.match(line):
                table.append([_clean(cell) for cell in line.strip("|").split("|")])
        elif "\t" in line:
            flush_paragraph()
            cells = [_clean(cell) for cell in line.split("\t")]
            while cells and not cells[-1]:
                cells.pop()
            if any(cells):
                table.append(cells)
        elif not line.strip():
            flush_paragraph()
            flush_table()
        else:
            flush_table()
            paragraph.append(line)
    flush_paragraph()
    flush_table()
    return blocks


@functools.lru_cache(maxsize=8)
def notice_blocks(file_name: str) -> tuple[Block, ...]:
    """The notice named by ``Contract.notice_file`` as blocks; empty when there is none."""
    if not file_name or "/" in file_name or "\\" in file_name or file_name.startswith("."):
        return ()
    path = NOTICES_DIR / file_name
    if not path.is_file():
        return ()
    return tuple(_parse(path.read_text(encoding="utf-8").splitlines()))
