"""Fixtures shared by the card and document tests."""

import pytest

from core import pdf


@pytest.fixture
def renders(monkeypatch):
    """Count real renders by wrapping the one PDF renderer."""
    calls = []
    real = pdf.render_pdf

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", counting)
    return calls
