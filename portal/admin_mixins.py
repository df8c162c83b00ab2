from django.contrib import admin


class ReadOnlyMixin:
    """Rows written only by the portal's services (imports, audit, reference data):
    browsed in the back-office, never added, edited or deleted by hand. For a ModelAdmin
    (``ReadOnlyAdmin``) or an inline."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass
