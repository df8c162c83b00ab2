from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.admin_mixins import PortalModelAdmin, ReadOnlyAdmin
from directory.forms import ImportForm
from directory.models import DirectoryImport, Professional
from directory.services import COLUMNS, directory_import_queue
from documents.import_admin import ImportJobAdminMixin, line_table
from documents.uploads import upload_limits


@admin.register(Professional)
class ProfessionalAdmin(PortalModelAdmin):
    list_display = ("name", "kind", "speciality", "postcode", "city", "tiers_payant", "itelis", "optam", "sector")
    list_filter = ("kind", "speciality", "tiers_payant", "itelis", "optam", "sector")
    search_fields = ("identifier", "name", "city", "postcode")
    readonly_fields = ("updated_at",)
    list_per_page = 50
    change_list_template = "directory/admin/change_list.html"
    fieldsets = (
        (None, {"fields": ("identifier", "name", "kind", "speciality")}),
        ("Adresse", {"fields": ("address", "postcode", "city", "latitude", "longitude", "phone")}),
        ("Conventionnement", {"fields": ("sector", "optam", "tiers_payant", "itelis", "updated_at")}),
    )

    def get_urls(self):
        return [
            path("importer/", self.admin_site.admin_view(self.import_view), name="directory_professional_import"),
            *super().get_urls(),
        ]

    @upload_limits(file_bytes=ImportForm.MAX_BYTES)
    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = directory_import_queue(
                upload=form.cleaned_data["file"], replace=form.cleaned_data["replace"], imported_by=request.user
            )
            messages.info(
                request,
                "Fichier reçu : il est traité en arrière-plan, cette page suit son avancement. "
                "Il sera importé en entier ou pas du tout.",
            )
            return redirect(reverse("admin:directory_directoryimport_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Importer l'annuaire des professionnels de santé",
            "form": form,
            "columns": COLUMNS,
        }
        return TemplateResponse(request, "directory/admin/import.html", context)


@admin.register(DirectoryImport)
class DirectoryImportAdmin(ImportJobAdminMixin, ReadOnlyAdmin):
    list_display = ("created_at", "file_name", "status", "line_count", "created_count", "updated_count")
    list_filter = ("status",)
    fields = readonly_fields = (
        "file_name",
        "imported_by",
        "created_at",
        "replace",
        "progress",
        "started_at",
        "finished_at",
        "attempts",
        "line_count",
        "created_count",
        "updated_count",
        "deleted_count",
        "error_table",
    )

    @admin.display(description="rapport d'erreurs")
    def error_table(self, obj):
        return line_table(obj.errors, "Aucune erreur.", total=obj.error_count)
