from django.contrib import admin
from django.utils.html import format_html

from core.admin_mixins import PortalModelAdmin
from documents.models import PrivateFile


@admin.register(PrivateFile)
class PrivateFileAdmin(PortalModelAdmin):
    list_display = ["original_name", "member", "purpose", "content_type", "size", "created_at"]
    list_filter = ["purpose", "content_type"]
    search_fields = ["member__number", "original_name"]
    list_select_related = ["member"]
    fields = readonly_fields = (
        "original_name",
        "member",
        "purpose",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "created_at",
        "download",
    )

    @admin.display(description="fichier")
    def download(self, obj: PrivateFile) -> str:
        return format_html('<a href="{}">Télécharger</a>', obj.get_absolute_url())

    def has_add_permission(self, request) -> bool:
        return False
