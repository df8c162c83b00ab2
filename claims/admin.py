from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Field, OuterRef, QuerySet, Subquery
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from claims.models import (
    Decompte,
    DecompteLine,
    ImportBatch,
    QuoteDocument,
    QuoteEvent,
    QuoteLine,
    QuoteRequest,
    QuoteStatus,
)
from claims.services import (
    decomptes_import_queue,
    quote_answer,
    quote_assign,
    quote_document_request,
    quote_line_correct,
)
from claims.services.quotes import MEMBER_DOCUMENTS_ADDED
from core.admin_mixins import PortalModelAdmin, ReadOnlyAdmin
from documents.import_admin import ImportJobAdminMixin, line_table
from documents.uploads import upload_limits
from documents.validation import megabytes

# Through the back office; a larger file goes through `manage.py import_decomptes FILE`.
IMPORT_MAX_BYTES = 50 * 1024 * 1024


def _gestionnaire(request: HttpRequest) -> User:
    """The back-office user (the admin site lets no anonymous user in)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


class ImportForm(forms.Form):
    file = forms.FileField(label="Fichier de décomptes (CSV UTF-8, séparateur « ; »)")

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        # A file above the limit reaches the form empty (documents.uploads dropped it).
        if upload.size and upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"Le fichier dépasse {megabytes(IMPORT_MAX_BYTES)} : découpez-le, ou importez-le sur le serveur "
                "avec la commande manage.py import_decomptes."
            )
        return upload


@admin.register(ImportBatch)
class ImportBatchAdmin(ImportJobAdminMixin, ReadOnlyAdmin):
    list_display = [
        "created_at",
        "file_name",
        "status",
        "line_count",
        "created_count",
        "updated_count",
        "unchanged_count",
        "error_count",
        "warning_count",
        "difference_count",
        "imported_by",
    ]
    list_filter = ["status"]
    fields = readonly_fields = (
        "file_name",
        "sha256",
        "imported_by",
        "created_at",
        "progress",
        "started_at",
        "finished_at",
        "attempts",
        "line_count",
        "created_count",
        "updated_count",
        "unchanged_count",
        "error_table",
        "warning_table",
        "difference_table",
    )
    change_list_template = "admin/claims/importbatch/change_list.html"

    @admin.display(description="avertissements")
    def warning_count(self, obj: ImportBatch) -> int:
        return len(obj.warnings)

    @admin.display(description="écarts")
    def difference_count(self, obj: ImportBatch) -> int:
        return len(obj.differences)

    @admin.display(description="rapport d'erreurs")
    def error_table(self, obj: ImportBatch) -> str:
        return line_table(obj.errors, "Aucune erreur.", total=obj.error_count)

    @admin.display(description="avertissements (importés quand même)")
    def warning_table(self, obj: ImportBatch) -> str:
        return line_table(obj.warnings, "Aucun avertissement.")

    @admin.display(description="écarts avec le moteur de garanties")
    def difference_table(self, obj: ImportBatch) -> str:
        if not obj.differences:
            return "Aucun écart."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((d["line"], d["decompte"], d["paid"], d["computed"], d["difference"]) for d in obj.differences),
        )
        return format_html(
            "<table><tr><th>Ligne</th><th>Décompte</th><th>Payé</th><th>Calculé</th><th>Écart</th></tr>{}</table>", rows
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path("importer/", self.admin_site.admin_view(self.import_view), name="claims_importbatch_import"),
            *super().get_urls(),
        ]

    @upload_limits(file_bytes=IMPORT_MAX_BYTES)
    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("claims.add_importbatch"):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            batch = decomptes_import_queue(upload=form.cleaned_data["file"], imported_by=_gestionnaire(request))
            messages.info(
                request,
                "Fichier reçu : il est traité en arrière-plan, cette page suit son avancement. "
                "Il sera accepté en entier ou refusé en entier.",
            )
            return redirect(reverse("admin:claims_importbatch_change", args=[batch.pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Importer des décomptes",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/importbatch/import.html", context)


class DecompteLineInline(admin.TabularInline[DecompteLine, Decompte]):
    model = DecompteLine
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "line_number",
        "beneficiary",
        "care_date",
        "act_label",
        "frais_reels",
        "base_remboursement",
        "ss_paid",
        "complementary_paid",
        "computed_complementary",
        "reste_a_charge",
        "rule_label",
    )

    def has_add_permission(self, request: HttpRequest, obj: Decompte | None = None) -> bool:
        return False


@admin.register(Decompte)
class DecompteAdmin(PortalModelAdmin):
    list_display = ["external_id", "member", "status", "payment_date", "origin", "total_complementary"]
    list_filter = ["status", "origin", "payee"]
    search_fields = ["external_id", "member__number"]
    list_select_related = ["member"]
    date_hierarchy = "payment_date"
    inlines = [DecompteLineInline]
    readonly_fields = [f.name for f in Decompte._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Decompte | None = None) -> bool:
        return False


class QuoteLineInline(admin.TabularInline[QuoteLine, QuoteRequest]):
    model = QuoteLine
    extra = 0
    can_delete = False
    readonly_fields = [
        "position",
        "act_label",
        "ccam_code",
        "tooth",
        "frais_reels",
        "base_remboursement",
        "ss_expected",
        "complementary_estimate",
        "rule_source",
    ]
    fields = [*readonly_fields[:-1], "corrected_complementary", "rule_source"]

    def has_add_permission(self, request: HttpRequest, obj: QuoteRequest | None = None) -> bool:
        return False

    def formfield_for_dbfield(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name == "corrected_complementary":
            kwargs["localize"] = True  # gestionnaires type "450,00"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class QuoteDocumentInline(admin.TabularInline[QuoteDocument, QuoteRequest]):
    model = QuoteDocument
    extra = 0
    can_delete = False
    fields = readonly_fields = ("download", "added_at")

    def has_add_permission(self, request: HttpRequest, obj: QuoteRequest | None = None) -> bool:
        return False

    @admin.display(description="fichier")
    def download(self, obj: QuoteDocument) -> SafeString:
        return format_html('<a href="{}">{}</a>', obj.file.get_absolute_url(), obj.file.original_name)


class QuoteEventInline(admin.TabularInline[QuoteEvent, QuoteRequest]):
    model = QuoteEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "actor", "action", "detail")

    def has_add_permission(self, request: HttpRequest, obj: QuoteRequest | None = None) -> bool:
        return False


@admin.register(QuoteRequest)
class QuoteRequestAdmin(PortalModelAdmin):
    """The devis queue: oldest first, the engine's estimate pre-filled line by line."""

    list_display = [
        "__str__",
        "member",
        "beneficiary",
        "kind",
        "status",
        "completed_by_member",
        "created_at",
        "waiting",
        "assigned_to",
    ]
    list_filter = ["status", "kind", ("assigned_to", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["member__number", "pk"]
    list_select_related = ["member", "beneficiary", "assigned_to"]
    ordering = ["created_at"]
    inlines = [QuoteLineInline, QuoteDocumentInline, QuoteEventInline]
    fields = [
        "member",
        "beneficiary",
        "kind",
        "status",
        "created_at",
        "assigned_to",
        "missing_document_note",
        "answer_note",
        "answered_at",
        "answered_by",
    ]
    readonly_fields = [
        "member",
        "beneficiary",
        "kind",
        "status",
        "created_at",
        "assigned_to",
        "answered_at",
        "answered_by",
    ]
    change_form_template = "admin/claims/quoterequest/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: QuoteRequest | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[QuoteRequest]:
        last_action = QuoteEvent.objects.filter(request=OuterRef("pk")).order_by("-at", "-pk").values("action")[:1]
        queryset: QuerySet[QuoteRequest] = super().get_queryset(request)
        return queryset.annotate(_last_action=Subquery(last_action))

    @admin.display(description="complétée par l'assuré", boolean=True)
    def completed_by_member(self, obj: QuoteRequest) -> bool:
        """The member added the missing document and nobody has acted since: to take up."""
        return obj.status != QuoteStatus.ANSWERED and getattr(obj, "_last_action", None) == MEMBER_DOCUMENTS_ADDED

    @admin.display(description="attente")
    def waiting(self, obj: QuoteRequest) -> str:
        if obj.status == QuoteStatus.ANSWERED:
            return "-"
        days = (timezone.now() - obj.created_at).days
        return f"{days} j"

    def save_model(self, request: HttpRequest, obj: QuoteRequest, form: ModelForm[QuoteRequest], change: bool) -> None:
        # Status changes go through the services (events, e-mails); nothing else is saved here.
        if "_assign" in request.POST:
            quote_assign(request=obj, gestionnaire=_gestionnaire(request))
        elif "_request_document" in request.POST:
            if not form.cleaned_data.get("missing_document_note", "").strip():
                messages.error(request, "Précisez la pièce manquante à demander à l'assuré.")
                return
            quote_document_request(
                request=obj, note=form.cleaned_data["missing_document_note"], gestionnaire=_gestionnaire(request)
            )
        elif "_answer" in request.POST:
            quote_answer(
                request=obj, note=form.cleaned_data.get("answer_note", ""), gestionnaire=_gestionnaire(request)
            )

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm[QuoteRequest],
        formset: BaseInlineFormSet[Any, QuoteRequest, Any],
        change: bool,
    ) -> None:
        formset.save(commit=False)  # only to fill the change message; the services write
        if formset.model is not QuoteLine:
            return
        for line_form in formset.forms:
            if line_form.has_changed() and "corrected_complementary" in line_form.changed_data:
                # The form already copied the new value onto its instance: correct the stored line.
                quote_line_correct(
                    line=QuoteLine.objects.get(pk=line_form.instance.pk),
                    amount=line_form.cleaned_data["corrected_complementary"],
                    gestionnaire=_gestionnaire(request),
                )
