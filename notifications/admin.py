from django.contrib import admin

from core.admin_mixins import PortalModelAdmin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(PortalModelAdmin):
    """Read-only view of the outbox: what was sent, what waits, what failed and why."""

    list_display = ["key", "member", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["key", "member__number"]
    list_select_related = ["member"]
    # Never the message itself: a security e-mail's may hold a code or a link until sent.
    fields = (
        "key",
        "member",
        "to",
        "kind",
        "template",
        "status",
        "attempts",
        "last_error",
        "relay_after",
        "created_at",
        "updated_at",
        "sent_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
