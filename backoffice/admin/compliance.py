"""Compliance's screens: the identity review queue, screening hits, monitoring rules and
alerts, cases. Every decision is a posted form handed to a compliance service."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from unfold.admin import ModelAdmin

from backoffice.admin.base import HistoryAdmin, ReadOnlyAdmin, ReadOnlyMixin
from backoffice.admin.masking import FULL_PHONE, mask_phone
from backoffice.admin.service_actions import client_ip, private_file, run_action
from compliance import kyc
from compliance.kyc import REVIEW_REASONS
from compliance.models import (
    GdprRequest,
    KycDocument,
    KycDocumentView,
    KycTier,
    MonitoringAlert,
    MonitoringRule,
    SanctionsListVersion,
    ScreeningHit,
)
from compliance.screening import hit_decide
from payments.models import Customer, Recipient


@admin.register(KycTier)
class KycTierAdmin(HistoryAdmin, ModelAdmin):
    """Tier limits are configuration: compliance may change them here (history kept)."""

    list_display = [
        "level", "name", "per_transfer_minor", "per_30_days_minor", "per_365_days_minor",
        "currency",
    ]  # fmt: skip
    ordering = ["level"]

    def has_delete_permission(self, request, obj=None):
        return False


class AcceptForm(forms.Form):
    tier = forms.TypedChoiceField(coerce=int, choices=[(1, "T1"), (2, "T2"), (3, "T3")], initial=1)
    birth_date = forms.DateField(required=False, help_text=_("As read on the document"))
    nationality = forms.CharField(max_length=2, required=False, help_text=_("ISO 3166 alpha-2"))


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(choices=list(REVIEW_REASONS.items()))


class AnotherForm(RefuseForm):
    wanted = forms.ChoiceField(
        choices=[("", _("Any identity document")), *KycDocument.Kind.choices], required=False
    )


@admin.register(KycDocument)
class KycDocumentAdmin(ReadOnlyMixin, HistoryAdmin, ModelAdmin):
    """The identity review queue: oldest first, the document beside the customer's data, and
    the decision as a posted form with a reason from the list."""

    list_display = ["uploaded_at", "customer", "kind", "content_type", "status", "reviewed_by"]
    list_display_links = ["uploaded_at", "customer"]
    list_filter = ["status", "kind"]
    list_select_related = ["customer", "reviewed_by"]
    search_fields = ["=customer__email", "customer__last_name"]
    ordering = ["uploaded_at"]
    show_full_result_count = False
    change_form_template = "backoffice/kyc_document_review.html"
    readonly_fields = ["customer", "kind", "content_type", "size", "status", "reason",
                       "uploaded_at", "reviewed_at", "reviewed_by"]  # fmt: skip
    fields = readonly_fields

    def get_urls(self):
        own = [
            path("<int:pk>/content/", self.admin_site.admin_view(self.content_view),
                 name="compliance_kycdocument_content"),
            path("<int:pk>/decide/<str:decision>/", self.admin_site.admin_view(self.decide_view),
                 name="compliance_kycdocument_decide"),
        ]  # fmt: skip
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        document = get_object_or_404(KycDocument.objects.select_related("customer"), pk=object_id)
        customer = document.customer
        context = {
            "document": document,
            "customer": customer,
            "other_documents": customer.kyc_documents.exclude(pk=document.pk)[:20],
            "open_hits": ScreeningHit.objects.filter(
                party=ScreeningHit.Party.SENDER,
                party_id=customer.pk,
                status=ScreeningHit.Status.OPEN,
            ).count(),  # fmt: skip
            "views": document.views.select_related("viewer")[:10],
            "customer_phone": customer.phone
            if request.user.has_perm(FULL_PHONE)
            else mask_phone(customer.phone),
            "can_see": request.user.has_perm("compliance.view_document_content"),
            "can_decide": document.status == KycDocument.Status.PENDING
            and request.user.has_perm("compliance.review_kycdocument"),
            "accept_form": AcceptForm(
                initial={"birth_date": customer.birth_date, "nationality": customer.nationality}
            ),
            "refuse_form": RefuseForm(),
            "another_form": AnotherForm(),
        }
        return super().change_view(
            request, object_id, form_url, {**context, **(extra_context or {})}
        )

    @method_decorator(xframe_options_sameorigin)
    def content_view(self, request, pk):
        """The document itself, to staff allowed to see it; each view is recorded."""
        if not request.user.has_perm("compliance.view_document_content"):
            raise PermissionDenied
        document = get_object_or_404(KycDocument, pk=pk)
        content = kyc.document_content(document, viewer=request.user, ip=client_ip(request))
        extension = document.content_type.rsplit("/", 1)[-1]
        return private_file(content, document.content_type, f"document-{pk}.{extension}",
                            inline=True)  # fmt: skip

    def decide_view(self, request, pk, decision):
        forms_by_decision = {"accept": AcceptForm, "reject": RefuseForm, "another": AnotherForm}
        if decision not in forms_by_decision:
            raise Http404

        def call(data):
            if decision == "accept":
                kyc.document_review(
                    document_id=pk, accept=True, tier=data["tier"], actor=request.user,
                    birth_date=data["birth_date"], nationality=data["nationality"],
                )  # fmt: skip
            elif decision == "reject":
                kyc.document_review(document_id=pk, accept=False, actor=request.user,
                                    reason=str(REVIEW_REASONS[data["reason"]]))  # fmt: skip
            else:
                kyc.document_request_another(
                    document_id=pk, reason=str(REVIEW_REASONS[data["reason"]]),
                    wanted=data["wanted"], actor=request.user,
                )  # fmt: skip

        return run_action(
            request, permission="compliance.review_kycdocument",
            form_class=forms_by_decision[decision], call=call, done=_("Decision recorded."),
            back=reverse("admin:compliance_kycdocument_change", args=[pk]),
        )  # fmt: skip


@admin.register(KycDocumentView)
class KycDocumentViewAdmin(ReadOnlyAdmin):
    """Who opened which identity document: the access log."""

    list_display = ["viewed_at", "viewer", "document", "ip"]
    list_filter = ["viewer"]
    list_select_related = ["viewer", "document"]
    show_full_result_count = False


@admin.register(SanctionsListVersion)
class SanctionsListVersionAdmin(ReadOnlyAdmin):
    list_display = ["source", "file_name", "entries", "imported_at"]
    list_filter = ["source"]


class HitDecisionForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(ScreeningHit)
class ScreeningHitAdmin(ReadOnlyAdmin):
    """Possible sanctions matches: the party beside the list entry, and the officer's decision
    (true match or false positive, with why) as a posted form."""

    list_display = [
        "created_at", "party", "screened_name", "matched_name", "score", "status", "transfer",
    ]  # fmt: skip
    list_filter = ["status", "party"]
    list_select_related = ["transfer"]
    search_fields = ["screened_name", "matched_name"]
    ordering = ["created_at"]
    show_full_result_count = False
    change_form_template = "backoffice/screening_hit.html"

    def get_urls(self):
        own = [
            path("<int:pk>/decide/<str:verdict>/", self.admin_site.admin_view(self.decide_view),
                 name="compliance_screeninghit_decide"),
        ]  # fmt: skip
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        hit = get_object_or_404(
            ScreeningHit.objects.select_related("entry__version", "case", "decided_by"),
            pk=object_id,
        )
        context = {
            "hit": hit,
            "entry": hit.entry,
            "party": _party(hit),
            "can_decide": hit.status == ScreeningHit.Status.OPEN
            and request.user.has_perm("compliance.decide_screeninghit"),
            "form": HitDecisionForm(),
        }
        return super().change_view(
            request, object_id, form_url, {**context, **(extra_context or {})}
        )

    def decide_view(self, request, pk, verdict):
        if verdict not in ("true-match", "false-positive"):
            raise Http404
        return run_action(
            request, permission="compliance.decide_screeninghit", form_class=HitDecisionForm,
            call=lambda data: hit_decide(hit_id=pk, true_match=verdict == "true-match",
                                         reason=data["reason"], actor=request.user),
            done=_("Decision recorded."),
            back=reverse("admin:compliance_screeninghit_change", args=[pk]),
        )  # fmt: skip


def _party(hit: ScreeningHit):
    if hit.party == ScreeningHit.Party.SENDER:
        return Customer.objects.filter(pk=hit.party_id).first()
    return Recipient.objects.select_related("customer").filter(pk=hit.party_id).first()


@admin.register(MonitoringRule)
class MonitoringRuleAdmin(HistoryAdmin, ModelAdmin):
    """Rules are data: compliance enables, scores and tunes them here (history kept)."""

    list_display = ["code", "name", "enabled", "score", "params"]
    list_editable = ["enabled", "score"]
    readonly_fields = ["code"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False  # a rule needs its code in compliance/monitoring.py


@admin.register(MonitoringAlert)
class MonitoringAlertAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "rule", "transfer", "customer", "score", "status", "case"]
    list_filter = ["status", "rule"]
    list_select_related = ["rule", "transfer", "customer", "case"]
    show_full_result_count = False


@admin.register(GdprRequest)
class GdprRequestAdmin(ReadOnlyAdmin):
    list_display = ["at", "customer", "kind", "detail"]
    list_filter = ["kind"]
    list_select_related = ["customer"]
