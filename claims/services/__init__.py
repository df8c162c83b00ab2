"""Writes of the claims app, one module per concern like the other apps' services:
``imports`` (the décomptes CSV import) and ``quotes`` (devis estimation and review).
Callers import from ``claims.services``; the modules stay importable for their helpers."""

from claims.services.imports import (
    decomptes_import,
    decomptes_import_queue,
    decomptes_import_recover,
    decomptes_import_run,
    year_totals_refresh,
)
from claims.services.quotes import (
    PRIOR_AGREEMENT_THRESHOLD,
    EstimatedLine,
    EstimateError,
    QuoteLineInput,
    acts_for_kind,
    hundred_percent_sante_alternative,
    quote_answer,
    quote_assign,
    quote_document_request,
    quote_documents_add,
    quote_estimate,
    quote_line_correct,
    quote_request_create,
)

__all__ = [
    "PRIOR_AGREEMENT_THRESHOLD",
    "EstimateError",
    "EstimatedLine",
    "QuoteLineInput",
    "acts_for_kind",
    "decomptes_import",
    "decomptes_import_queue",
    "decomptes_import_recover",
    "decomptes_import_run",
    "hundred_percent_sante_alternative",
    "quote_answer",
    "quote_assign",
    "quote_document_request",
    "quote_documents_add",
    "quote_estimate",
    "quote_line_correct",
    "quote_request_create",
    "year_totals_refresh",
]
