from django.contrib import admin

from assistant.models import Feedback
from core.admin_mixins import PortalModelAdmin


@admin.register(Feedback)
class FeedbackAdmin(PortalModelAdmin):
    list_display = ("created_at", "question", "answer_title", "helpful")
    list_filter = ("helpful", "answer_title")
    search_fields = ("question", "answer_title")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "user", "question", "answer_id", "answer_title", "helpful")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
