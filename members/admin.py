from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.forms.formsets import DELETION_FIELD_NAME
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal

from core.admin_mixins import PortalModelAdmin, ReadOnlyAdmin
from core.forms import form_error_from
from core.overview import overview_sections
from members.audit import audit_line
from members.models import (
    Affiliation,
    AuditEntry,
    BankChangeStatus,
    BankDetailsChange,
    Beneficiary,
    Contract,
    Formula,
    Member,
    Organisme,
    PortabilityFile,
    PortabilityProof,
    PortabilityReminder,
    PortabilityStatus,
    Relationship,
)
from members.portability import (
    late_portability_files,
    portability_allowances_end,
    portability_refuse,
    portability_validate,
    proof_expected,
    proof_missing,
    proof_period_start,
    proof_received,
)
from members.profile import bank_change_refuse, bank_change_validate
from members.services import audit_form_changes, audit_record
from members.validators import group_iban

admin.site.site_header = "Espace Assuré - back-office des gestionnaires"
admin.site.site_title = "Back-office Espace Assuré"
admin.site.index_title = "Gestion des assurés"


class ReadOnlyReferenceAdmin(PortalModelAdmin):
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


def formula_label(formula: Formula) -> str:
    """Formulas of different contracts share names ("Base", "Option"): each choice names its contract."""
    return f"{formula.name} — contrat {formula.contract.number} ({formula.contract.name})"


class FormulaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return formula_label(obj)


class FormulaMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return formula_label(obj)


@admin.register(Formula)
class FormulaAdmin(ReadOnlyReferenceAdmin):
    list_display = ["code", "name", "contract", "rank", "can_be_principal", "responsible"]
    list_filter = ["contract"]
    filter_horizontal = ["stacks_on"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "stacks_on":
            kwargs["queryset"] = Formula.objects.select_related("contract")
            kwargs["form_class"] = FormulaMultipleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


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


class AffiliationFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """A member being created: ``Affiliation.clean()`` checked each row's formula against
        the member's contract; the rows are checked against each other here (a saved
        member's rows are checked against the saved ones by ``Affiliation.clean()``)."""
        super().clean()
        if self.instance.pk is not None:
            return
        rows = [
            form
            for form in self.forms
            if form.has_changed() and not form.cleaned_data.get(DELETION_FIELD_NAME, False) and not form.errors
        ]
        for form in rows:
            others = [other.instance for other in rows if other is not form]
            try:
                form.instance.check_household(others)
            except ValidationError as error:
                form_error_from(form, error)


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    formset = AffiliationFormSet
    extra = 0
    fields = ["formula", "role", "start_date", "end_date"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "formula":
            kwargs["queryset"] = Formula.objects.select_related("contract")
            kwargs["form_class"] = FormulaChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AuditDisplayMixin:
    """The audit trail in French: field labels, local time, French dates, "—" for nothing
    (members.audit)."""

    @staticmethod
    def _line(obj):
        # made once per row: its five cells read the same line
        if not hasattr(obj, "_audit_line"):
            obj._audit_line = audit_line(obj)
        return obj._audit_line

    @admin.display(description="le")
    def when(self, obj) -> str:
        return self._line(obj).at

    @admin.display(description="auteur")
    def who(self, obj) -> str:
        return self._line(obj).actor

    @admin.display(description="donnée")
    def what(self, obj) -> str:
        return self._line(obj).field

    @admin.display(description="ancienne valeur")
    def old(self, obj) -> str:
        return self._line(obj).old

    @admin.display(description="nouvelle valeur")
    def new(self, obj) -> str:
        return self._line(obj).new


class AuditEntryInline(AuditDisplayMixin, admin.TabularInline):
    model = AuditEntry
    extra = 0
    fields = readonly_fields = ("when", "who", "action", "what", "old", "new")
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
            return queryset.filter(
                affiliations__formula__code=self.value(), affiliations__end_date__isnull=True
            ).distinct()
        return queryset


def _any_contains(fields: list[str], word: str) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": word})
    return condition


NO_FORMULA_LABEL = "aucune garantie dans le portail"
NO_FORMULA_HELP = (
    "Un contrat marqué « aucune garantie dans le portail » n'a pas de tableau de garanties dans le portail (la "
    "CCN Immobilier : aucun document de référence ne le donne). Ses assurés voient, sur l'accueil, Mes garanties, "
    "les modalités, la carte de tiers payant, la simulation et les devis : « Le détail des garanties de votre "
    "contrat n'est pas encore disponible dans votre Espace Assuré », avec le téléphone du centre de gestion ; "
    "ni carte de tiers payant, ni estimation."
)


class ContractChoiceField(forms.ModelChoiceField):
    """Contracts, those without guarantee table in the portal said so in their label."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.without_formulas = set(Contract.objects.filter(formulas__isnull=True).values_list("pk", flat=True))
        if self.without_formulas:
            self.help_text = NO_FORMULA_HELP

    def label_from_instance(self, obj: Contract) -> str:
        return f"{obj} — {NO_FORMULA_LABEL}" if obj.pk in self.without_formulas else str(obj)


def no_formula_warning(member: Member) -> str:
    """What a gestionnaire is told after saving a member whose contract has no formula."""
    contract = member.contract
    phone = contract.management_phone or contract.organisme.phone
    return (
        f"Attention : le contrat « {contract.name} » n'a aucune formule de garanties dans le portail. "
        f"L'assuré {member.number} ne verra ni ses garanties, ni sa carte de tiers payant, ni d'estimation : "
        f"son Espace Assuré lui dit que le détail de ses garanties n'est pas encore disponible et lui donne le "
        f"{phone} à appeler."
    )


@admin.register(Member)
class MemberAdmin(PortalModelAdmin):
    list_display = ["number", "holder_name", "contract", "status", "city", "has_account", "overview_link"]
    list_filter = ["status", "contract", FormulaFilter]
    search_fields = ["number", "beneficiaries__last_name", "beneficiaries__first_name", "beneficiaries__nir", "email"]
    list_select_related = ["contract", "user"]
    show_full_result_count = False  # no count of every member on each search
    inlines = [BeneficiaryInline, AffiliationInline, AuditEntryInline]
    # Bank details change only through a validated BankDetailsChange (RIB + second factor).
    readonly_fields = ["user", "created_at", "iban_grouped", "bic"]
    fieldsets = [
        (None, {"fields": ["number", "contract", "status", "status_since", "cover_end_date", "user", "created_at"]}),
        ("Coordonnées", {"fields": ["email", "phone", "address_line1", "address_line2", "postcode", "city"]}),
        ("Coordonnées bancaires", {"fields": ["iban_grouped", "bic"]}),
    ]
    # Django's "Ajout de %s" gives "Ajout de assuré": the French words, with their article.
    add_title = "Ajout d'un assuré"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:
            extra_context = {"title": self.add_title, "add_title": self.add_title, **(extra_context or {})}
        else:  # Django's "Modification de assuré"
            member = self.get_object(request, object_id)
            if member is not None:
                extra_context = {"title": f"Fiche de l'assuré {member}", **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"add_title": self.add_title, **(extra_context or {})})

    def get_urls(self):
        overview = path(
            "<path:object_id>/vue-ensemble/",
            self.admin_site.admin_view(self.overview_view),
            name="members_member_overview",
        )
        return [overview, *super().get_urls()]

    def overview_view(self, request, object_id):
        """Everything open for one member, with links, instead of the long edit form."""
        member = get_object_or_404(
            Member.objects.select_related("contract", "user"), pk=object_id if str(object_id).isdigit() else None
        )
        if not self.has_view_permission(request, member):
            raise PermissionDenied
        household = member.beneficiaries.order_by("rank", "birth_date", "pk")
        affiliations = member.affiliations.select_related("formula__contract").order_by("-end_date", "start_date")
        audit = [audit_line(entry) for entry in member.audit_entries.select_related("actor")[:10]]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Vue d'ensemble - {member}",
            "member": member,
            "household": household,
            "affiliations": affiliations,
            "sections": overview_sections(member),
            "audit": audit,
            "iban": group_iban(member.iban),
            "has_change_permission": self.has_change_permission(request, member),
        }
        return TemplateResponse(request, "admin/members/member/overview.html", context)

    @admin.display(description="IBAN")
    def iban_grouped(self, obj) -> str:
        return group_iban(obj.iban) if obj.iban else "—"

    @admin.display(description="vue d'ensemble")
    def overview_link(self, obj) -> str:
        url = reverse("admin:members_member_overview", args=[obj.pk])
        return format_html('<a href="{}">Vue d\'ensemble</a>', url)

    def get_readonly_fields(self, request, obj=None):
        # Once the member has an account, the address is their login and second-factor
        # channel: it changes only through Profil, where the new address proves itself by
        # a link and the old one is told (members.profile.email_change_request).
        if obj is not None and obj.user_id:
            return [*self.readonly_fields, "email"]
        return self.readonly_fields

    def get_queryset(self, request):
        holder_name = Beneficiary.objects.filter(member=OuterRef("pk"), relationship=Relationship.MEMBER).values(
            "last_name"
        )[:1]
        holder_first = Beneficiary.objects.filter(member=OuterRef("pk"), relationship=Relationship.MEMBER).values(
            "first_name"
        )[:1]
        return (
            super()
            .get_queryset(request)
            .annotate(_holder_last=Subquery(holder_name), _holder_first=Subquery(holder_first))
        )

    def get_search_results(self, request, queryset, search_term):
        """The default search's matches (each word in one of ``search_fields``, a household
        person's fields included), written as one set of member ids per word: no join of
        the household table and no DISTINCT over whole member rows, and each branch of
        the UNION can use an index (trigram indexes: see docs/bench.md)."""
        own = [field for field in self.search_fields if "__" not in field]
        household = [
            field.removeprefix("beneficiaries__") for field in self.search_fields if field.startswith("beneficiaries__")
        ]
        if len(own) + len(household) != len(self.search_fields):  # another relation: Django's own search
            queryset, _ = super().get_search_results(request, queryset, search_term)
            return queryset.distinct(), False
        for word in smart_split(search_term):
            if word[0] in "\"'" and word[-1] == word[0]:
                word = unescape_string_literal(word)
            parts: list[QuerySet[Any, Any]] = []
            if own:
                parts.append(Member.objects.filter(_any_contains(own, word)).order_by().values("pk"))
            if household:
                parts.append(Beneficiary.objects.filter(_any_contains(household, word)).order_by().values("member_id"))
            queryset = queryset.filter(pk__in=parts[0].union(*parts[1:]))
        return queryset, False

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
                actor=request.user,
                member=obj,
                action="modification" if change else "création",
                field=field,
                old=form.initial.get(field, ""),
                new=form.cleaned_data.get(field, ""),
            )
        if "contract" in form.changed_data and not obj.contract.has_formulas:
            messages.warning(request, no_formula_warning(obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "contract":
            # What the member will see is said where the contract is chosen.
            kwargs["form_class"] = ContractChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        forms = {id(inline.instance): inline for inline in formset.forms}
        for instance in instances:
            created = instance.pk is None
            instance.save()
            # What changed, with its old and new values (a NIR masked, as an IBAN).
            audit_form_changes(
                actor=request.user,
                member=form.instance,
                form=forms[id(instance)],
                created=created,
                action=f"{'ajout' if created else 'modification'} {instance._meta.verbose_name}",
                field=str(instance),
            )
        for deleted in formset.deleted_objects:
            audit_record(
                actor=request.user,
                member=form.instance,
                action=f"suppression {deleted._meta.verbose_name}",
                field=str(deleted),
            )
            deleted.delete()
        formset.save_m2m()


@admin.register(AuditEntry)
class AuditEntryAdmin(AuditDisplayMixin, ReadOnlyAdmin):
    list_display = ["when", "member", "who", "action", "what", "old", "new"]
    list_filter = ["action"]
    search_fields = ["member__number"]
    list_select_related = ["member", "actor"]


# --- Portability files and bank details changes (issue 9) --------------------------------
# Gestionnaires decide through a "décision" field; the change goes through the services
# (members.portability, members.profile), which compute, audit and notify.

DECISIONS = [("", "—"), ("valider", "Valider"), ("refuser", "Refuser")]


class PortabilityFileForm(forms.ModelForm):
    decision = forms.ChoiceField(label="décision", choices=DECISIONS, required=False)

    class Meta:
        model = PortabilityFile
        fields = [
            "work_contract_end",
            "last_contracts_months",
            "last_contracts_days",
            "allowances_end_date",
            "refusal_reason",
        ]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        decision = cleaned.get("decision")
        if decision and self.instance.status != PortabilityStatus.REQUESTED:
            raise forms.ValidationError("Ce dossier a déjà été traité.")
        if decision == "valider":
            if not cleaned.get("work_contract_end"):
                self.add_error("work_contract_end", "Indiquez la date de fin du contrat de travail.")
            if cleaned.get("last_contracts_months") is None:
                self.add_error(
                    "last_contracts_months",
                    "Indiquez la durée du ou des derniers contrats (en mois, 0 si moins d'un mois).",
                )
            elif not cleaned["last_contracts_months"] and not cleaned.get("last_contracts_days"):
                self.add_error("last_contracts_months", "Indiquez la durée du ou des derniers contrats de travail.")
        if decision == "refuser" and not (cleaned.get("refusal_reason") or "").strip():
            self.add_error("refusal_reason", "Indiquez le motif du refus : il est communiqué à l'assuré.")
        allowances_end = cleaned.get("allowances_end_date")
        if "allowances_end_date" in self.changed_data and allowances_end:
            if self.instance.status != PortabilityStatus.ACTIVE:
                self.add_error("allowances_end_date", "Seule une portabilité en cours peut prendre fin.")
            elif self.instance.start_date and allowances_end < self.instance.start_date:
                self.add_error("allowances_end_date", "La fin des allocations précède le début de la portabilité.")
        return cleaned


class LateProofFilter(admin.SimpleListFilter):
    title = "justificatif de la période"
    parameter_name = "justificatif"

    def lookups(self, request, model_admin):
        return [("en_retard", "En retard")]

    def queryset(self, request, queryset):
        if self.value() == "en_retard":
            return queryset.filter(pk__in=late_portability_files().values("pk"))
        return queryset


class PortabilityProofInline(admin.TabularInline):
    model = PortabilityProof
    fields = readonly_fields = ("month", "file_link", "uploaded_at")
    extra = 0
    max_num = 0
    can_delete = False

    @admin.display(description="fichier")
    def file_link(self, obj) -> str:
        return format_html('<a href="{}">{}</a>', obj.file.get_absolute_url(), obj.file.original_name)


class PortabilityReminderInline(admin.TabularInline):
    model = PortabilityReminder
    fields = readonly_fields = ("month", "rank", "sent_on")
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(PortabilityFile)
class PortabilityFileAdmin(PortalModelAdmin):
    form = PortabilityFileForm
    list_display = [
        "__str__",
        "member",
        "status",
        "requested_at",
        "start_date",
        "effective_end",
        "france_travail_consent",
        "proof_of_month",
    ]
    list_filter = ["status", LateProofFilter, "france_travail_consent"]
    search_fields = ["member__number", "member__beneficiaries__last_name"]
    list_select_related = ["member"]
    inlines = [PortabilityProofInline, PortabilityReminderInline]
    readonly_fields = [
        "member",
        "thread_link",
        "status",
        "requested_at",
        "contract_factor",
        "duration_months",
        "start_date",
        "end_date",
        "effective_end",
        "ended_early_on",
        "end_reason",
        "france_travail_consent",
        "consent_changed_at",
        "decided_by",
        "decided_at",
    ]

    def get_fieldsets(self, request, obj=None):
        decision = ["decision"] if obj is not None and obj.status == PortabilityStatus.REQUESTED else []
        return [
            (None, {"fields": ["member", "thread_link", "status", "requested_at"]}),
            (
                "Validation (durée doublée si l'accord de branche le prévoit, 12 mois au plus)",
                {
                    "fields": [
                        "contract_factor",
                        "work_contract_end",
                        ("last_contracts_months", "last_contracts_days"),
                        *decision,
                        "refusal_reason",
                        "decided_by",
                        "decided_at",
                    ]
                },
            ),
            (
                "Période",
                {
                    "fields": [
                        "duration_months",
                        "start_date",
                        "end_date",
                        "allowances_end_date",
                        "ended_early_on",
                        "effective_end",
                        "end_reason",
                    ]
                },
            ),
            ("Justificatifs France Travail", {"fields": ["france_travail_consent", "consent_changed_at"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.status != PortabilityStatus.REQUESTED:
            fields += ["work_contract_end", "last_contracts_months", "last_contracts_days", "refusal_reason"]
        if obj is None or obj.status != PortabilityStatus.ACTIVE:
            fields += ["allowances_end_date"]
        return fields

    def has_add_permission(self, request) -> bool:
        return False  # opened by the member's message "Je souhaite bénéficier du maintien de mes garanties"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="demande (messagerie)")
    def thread_link(self, obj) -> str:
        if obj.thread_id is None:
            return "—"
        url = reverse("admin:messaging_thread_change", args=[obj.thread_id])
        return format_html('<a href="{}">Demande n° {} (justificatifs joints)</a>', url, obj.thread_id)

    @admin.display(description="coefficient du contrat")
    def contract_factor(self, obj) -> str:
        return f"× {obj.member.contract.portability_months_factor} ({obj.member.contract.number})"

    @admin.display(description="fin effective")
    def effective_end(self, obj):
        return obj.effective_end

    @admin.display(description="justificatif de la période")
    def proof_of_month(self, obj) -> str:
        today = timezone.localdate()
        if obj.status != PortabilityStatus.ACTIVE:
            return "—"
        if obj.france_travail_consent:
            return "transmission automatique"
        if proof_missing(obj, today):
            return "EN RETARD"
        if proof_received(obj, proof_period_start(obj, today)):
            return "reçu"
        return "attendu" if proof_expected(obj, today) else "—"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if data.get("decision") == "valider":
                portability_validate(
                    file=obj,
                    actor=request.user,
                    work_contract_end=data["work_contract_end"],
                    months=data["last_contracts_months"],
                    days=data.get("last_contracts_days") or 0,
                )
            elif data.get("decision") == "refuser":
                portability_refuse(file=obj, actor=request.user, reason=data["refusal_reason"])
            elif "allowances_end_date" in form.changed_data and data.get("allowances_end_date"):
                portability_allowances_end(file=obj, actor=request.user, on=data["allowances_end_date"])
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), level=messages.ERROR)


class BankDetailsChangeForm(forms.ModelForm):
    decision = forms.ChoiceField(label="décision", choices=DECISIONS, required=False)

    class Meta:
        model = BankDetailsChange
        fields = ["refusal_reason"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") and self.instance.status != BankChangeStatus.PENDING:
            raise forms.ValidationError(
                "Seule une demande confirmée par l'assuré (double authentification) et en attente peut être traitée."
            )
        if cleaned.get("decision") == "refuser" and not (cleaned.get("refusal_reason") or "").strip():
            self.add_error("refusal_reason", "Indiquez le motif du refus : il est communiqué à l'assuré.")
        return cleaned


@admin.register(BankDetailsChange)
class BankDetailsChangeAdmin(PortalModelAdmin):
    form = BankDetailsChangeForm
    list_display = ["member", "masked_iban", "bic", "status", "created_at", "confirmed_at"]
    list_filter = ["status"]
    search_fields = ["member__number"]
    list_select_related = ["member"]

    def get_fields(self, request, obj=None):
        decision = ["decision"] if obj is not None and obj.status == BankChangeStatus.PENDING else []
        return [
            "member",
            "current_iban",
            "masked_iban",
            "full_iban",
            "bic",
            "rib_link",
            "status",
            "created_at",
            "confirmed_at",
            *decision,
            "refusal_reason",
            "decided_by",
            "decided_at",
        ]

    readonly_fields = [
        "member",
        "current_iban",
        "masked_iban",
        "full_iban",
        "bic",
        "rib_link",
        "status",
        "created_at",
        "confirmed_at",
        "decided_by",
        "decided_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != BankChangeStatus.PENDING:
            return [*self.readonly_fields, "refusal_reason"]
        return self.readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="IBAN actuel")
    def current_iban(self, obj) -> str:
        return obj.member.masked_iban

    @admin.display(description="nouvel IBAN (à comparer au RIB)")
    def full_iban(self, obj) -> str:
        return group_iban(obj.iban)

    @admin.display(description="nouvel IBAN")
    def masked_iban(self, obj) -> str:
        return obj.masked_iban

    @admin.display(description="RIB")
    def rib_link(self, obj) -> str:
        return format_html('<a href="{}">{}</a>', obj.rib.get_absolute_url(), obj.rib.original_name)

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        try:
            if decision == "valider":
                bank_change_validate(change=obj, actor=request.user)
            elif decision == "refuser":
                bank_change_refuse(change=obj, actor=request.user, reason=form.cleaned_data["refusal_reason"])
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), level=messages.ERROR)
