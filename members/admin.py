from django.contrib import admin
from django.db.models import OuterRef, Subquery

from members.models import Affiliation, AuditEntry, Beneficiary, Contract, Formula, Member, Organisme, Relationship
from members.services import audit_record

admin.site.site_header = "Espace Assuré - back-office des gestionnaires"
admin.site.site_title = "Back-office Espace Assuré"
admin.site.index_title = "Gestion des assurés"


class ReadOnlyReferenceAdmin(admin.ModelAdmin):
    """Reference data comes from the notices (load_reference): not edited by hand."""

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organisme)
class OrganismeAdmin(ReadOnlyReferenceAdmin):
    list_display = ["name", "legal_form", "amc_number", "phone"]


class FormulaInline(admin.TabularInline):
    model = Formula
    fields = ["code", "name", "rank", "can_be_principal", "responsible", "assistance"]
    extra = 0
    show_change_link = True


@admin.register(Contract)
class ContractAdmin(ReadOnlyReferenceAdmin):
    list_display = ["number", "name", "organisme", "idcc", "mandatory"]
    list_filter = ["organisme", "mandatory"]
    inlines = [FormulaInline]


@admin.register(Formula)
class FormulaAdmin(ReadOnlyReferenceAdmin):
    list_display = ["code", "name", "contract", "rank", "can_be_principal", "responsible"]
    list_filter = ["contract"]
    filter_horizontal = ["stacks_on"]


class BeneficiaryInline(admin.StackedInline):
    model = Beneficiary
    extra = 0
    fields = [
        ("relationship", "child_situation", "lives_with_member"),
        ("civility", "first_name", "last_name", "birth_date"),
        ("nir", "regime", "caisse", "rank"),
        ("noemie_status", "noemie_reason"),
        ("cover_start", "cover_end"),
    ]


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    fields = ["formula", "role", "start_date", "end_date"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "formula":
            kwargs["queryset"] = Formula.objects.select_related("contract")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AuditEntryInline(admin.TabularInline):
    model = AuditEntry
    extra = 0
    fields = ["at", "actor", "action", "field", "old_value", "new_value"]
    readonly_fields = fields
    can_delete = False
    max_num = 0
    verbose_name_plural = "journal des modifications"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class FormulaFilter(admin.SimpleListFilter):
    title = "formule"
    parameter_name = "formule"

    def lookups(self, request, model_admin):
        return [(f.code, f"{f.contract.number} - {f.name}") for f in Formula.objects.select_related("contract")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(affiliations__formula__code=self.value(), affiliations__end_date__isnull=True).distinct()
        return queryset


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["number", "holder_name", "contract", "status", "city", "has_account"]
    list_filter = ["status", "contract", FormulaFilter]
    search_fields = ["number", "beneficiaries__last_name", "beneficiaries__first_name", "beneficiaries__nir", "email"]
    list_select_related = ["contract", "user"]
    inlines = [BeneficiaryInline, AffiliationInline, AuditEntryInline]
    readonly_fields = ["user", "created_at"]
    fieldsets = [
        (None, {"fields": ["number", "contract", "status", "status_since", "cover_end_date", "user", "created_at"]}),
        ("Coordonnées", {"fields": ["email", "phone", "address_line1", "address_line2", "postcode", "city"]}),
        ("Coordonnées bancaires", {"fields": ["iban", "bic"]}),
    ]

    def get_queryset(self, request):
        holder_name = Beneficiary.objects.filter(member=OuterRef("pk"), relationship=Relationship.MEMBER).values(
            "last_name"
        )[:1]
        holder_first = Beneficiary.objects.filter(member=OuterRef("pk"), relationship=Relationship.MEMBER).values(
            "first_name"
        )[:1]
        return super().get_queryset(request).annotate(
            _holder_last=Subquery(holder_name), _holder_first=Subquery(holder_first)
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    @admin.display(description="assuré principal", ordering="_holder_last")
    def holder_name(self, obj) -> str:
        return f"{obj._holder_last or ''} {obj._holder_first or ''}".strip()

    @admin.display(description="compte activé", boolean=True)
    def has_account(self, obj) -> bool:
        return obj.user_id is not None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for field in form.changed_data:
            audit_record(
                actor=request.user, member=obj, action="modification" if change else "création",
                field=field, old=form.initial.get(field, ""), new=form.cleaned_data.get(field, ""),
            )

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            action = "ajout" if instance.pk is None else "modification"
            instance.save()
            audit_record(actor=request.user, member=form.instance, action=f"{action} {instance._meta.verbose_name}",
                         field=str(instance))
        for deleted in formset.deleted_objects:
            audit_record(actor=request.user, member=form.instance, action=f"suppression {deleted._meta.verbose_name}",
                         field=str(deleted))
            deleted.delete()
        formset.save_m2m()


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "member", "actor", "action", "field"]
    list_filter = ["action"]
    search_fields = ["member__number"]
    list_select_related = ["member", "actor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
