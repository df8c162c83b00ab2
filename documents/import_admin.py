"""Back-office side of the CSV imports (documents.imports): the batch page shows its state
and three progress bars that a static script (static/js/import_progress.js, allowed by the
strict CSP) refreshes from a JSON status URL of the admin, without reloading the page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.csv_errors import LineError
from documents.imports import ImportJob

PHASES = (("validated", "Lignes validées"), ("computed", "Lignes calculées"), ("written", "Lignes enregistrées"))


def line_table(entries: list[dict], empty: str) -> SafeString | str:
    if not entries:
        return empty
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((e.line or "", e.column, e.message) for e in map(LineError.from_dict, entries)),
    )
    return format_html("<table><tr><th>Ligne</th><th>Colonne</th><th>Motif</th></tr>{}</table>", rows)


class ImportJobAdminMixin:
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
        bars = format_html_join(
            "",
            '<p><label for="import-{0}">{1}</label> <progress id="import-{0}" data-import-bar="{0}" max="{2}" '
            'value="{3}">{3}</progress> <span data-import-count="{0}">{3}</span> / '
            "<span data-import-total>{2}</span></p>",
            ((phase, label, max(state["line_count"], state["validated"], 1), state[phase]) for phase, label in PHASES),
        )
        return format_html(
            '<div class="import-progress" data-import-status="{}" data-finished="{}">'
            "<p>État : <strong data-import-state>{}</strong></p>{}"
            '<p data-import-done hidden>Traitement terminé : <a href="">afficher le résultat</a>.</p></div>',
            reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_status", args=[obj.pk]),
            "1" if state["finished"] else "0",
            state["status_label"],
            bars,
        )

    progress.short_description = "avancement"  # type: ignore[attr-defined]
