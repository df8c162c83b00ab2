from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.admin_mixins import PortalModelAdmin
from directory.forms import ImportForm
from directory.models import Professional
from directory.services import COLUMNS, DirectoryImportError, directory_import
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
        errors = []
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = directory_import(
                    content=form.cleaned_data["file"].read(), replace=form.cleaned_data["replace"]
                )
            except DirectoryImportError as failure:
                errors = failure.errors
            else:
                messages.success(
                    request,
                    f"Import terminé : {result.created} professionnel(s) créé(s), {result.updated} mis à jour, "
                    f"{result.deleted} supprimé(s).",
                )
                return redirect(reverse("admin:directory_professional_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Importer l'annuaire des professionnels de santé",
            "form": form,
            "errors": errors,
            "columns": COLUMNS,
        }
        return TemplateResponse(request, "directory/admin/import.html", context, status=400 if errors else 200)
