"""Back-office side of the CSV imports (documents.imports): the batch page shows its state
and three progress bars that a static script (static/js/import_progress.js, allowed by the
strict CSP) refreshes from a JSON status URL of the admin, without reloading the page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString

from core.csv_errors import LineError
from documents.imports import ImportJob

PHASES = (("validated", "Lignes validées"), ("computed", "Lignes calculées"), ("written", "Lignes enregistrées"))


def line_table(entries: list[dict], empty: str, *, total: int | None = None) -> SafeString:
    """A batch's French report (errors or warnings: line, column, reason); ``total`` when
    the stored report was cut (documents.imports.MAX_REPORTED_ERRORS)."""
    more = (total or 0) - len(entries)
    return render_to_string(
        "admin/imports/line_report.html",
        {"entries": [LineError.from_dict(e) for e in entries], "empty": empty, "more": max(more, 0)},
    )


# The mixin is only ever mixed into a ModelAdmin: typed as one.
if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


class ImportJobAdminMixin(_ModelAdmin):
    """For the ModelAdmin of an ``ImportJob`` model: ``progress`` as a read-only field, and
    the status URL ``admin:<app>_<model>_status`` the script polls."""

    class Media:
        js = ["js/import_progress.js"]

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.model._meta.app_label}_{self.model._meta.model_name}_status"
        return [
            path("<int:pk>/etat/", self.admin_site.admin_view(self.status_view), name=name),
            *super().get_urls(),
        ]

    def status_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        job: ImportJob = get_object_or_404(self.model, pk=pk)
        response = JsonResponse(job.status_json())
        response["Cache-Control"] = "no-store"
        return response

    def progress(self, obj: ImportJob) -> SafeString:
        state = obj.status_json()
        return render_to_string(
            "admin/imports/progress.html",
            {
                "status_url": reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_status", args=[obj.pk]),
                "state": state,
                "total": max(state["line_count"], state["validated"], 1),
                "phases": [(phase, label, state[phase]) for phase, label in PHASES],
            },
        )

    progress.short_description = "avancement"  # type: ignore[attr-defined]
