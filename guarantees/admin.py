from django.contrib import admin

from core.admin_mixins import ReadOnlyAdmin, ReadOnlyMixin
from guarantees.models import GuaranteeCell, GuaranteeRow, PmssValue


# The tables come from the notices (``load_reference``): browsed, never edited here.
class GuaranteeCellInline(ReadOnlyMixin, admin.TabularInline[GuaranteeCell, GuaranteeRow]):
    model = GuaranteeCell
    fields = readonly_fields = ("formula", "text", "kind", "notice_line", "parameters")
    extra = 0


@admin.register(GuaranteeRow)
class GuaranteeRowAdmin(ReadOnlyAdmin):
    list_display = ["label", "category", "act", "notice", "position"]
    list_filter = ["notice", "category"]
    search_fields = ["label", "act", "group"]
    inlines = [GuaranteeCellInline]


@admin.register(GuaranteeCell)
class GuaranteeCellAdmin(ReadOnlyAdmin):
    list_display = ["row", "formula", "text", "kind", "notice_line"]
    list_filter = ["formula", "kind", "row__category"]
    search_fields = ["row__label", "row__act", "text"]
    list_select_related = ["row", "formula"]


@admin.register(PmssValue)
class PmssValueAdmin(ReadOnlyAdmin):
    list_display = ["year", "monthly_amount"]
