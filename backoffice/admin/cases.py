"""Compliance cases: one page per case with the customer, the alerts and hits that raised it,
their transfers, the notes and files gathered, and the case's actions (take, note, attach,
close with an outcome, produce the suspicious activity report), each a posted form."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from backoffice.admin.base import HistoryAdmin, ReadOnlyMixin
from backoffice.admin.service_actions import private_file, run_action
from compliance import cases
from compliance.models import Case, CaseAttachment, MonitoringAlert, ScreeningHit
from payments.errors import DomainError


def _case_workers():
    """Staff who may work cases (directly or through a group), for the assignee list."""
    perm = Q(user_permissions__codename="work_case") | Q(groups__permissions__codename="work_case")
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | perm, is_staff=True, is_active=True)
        .distinct()
        .order_by("username")
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=_case_workers(), required=False)


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class AttachForm(forms.Form):
    file = forms.FileField(help_text=_("JPEG, PNG or PDF, at most 10 MB"))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=Case.Outcome.choices)
    decision = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))


def _count(model, **extra):
    rows = model.objects.filter(case=OuterRef("pk"), **extra).order_by().values("case")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, HistoryAdmin, ModelAdmin):
    list_display = ["reference", "customer", "status", "assignee", "alert_count", "open_hits",
                    "opened_at", "outcome"]  # fmt: skip
    list_filter = ["status", "outcome", "assignee"]
    list_select_related = ["customer", "assignee"]
    search_fields = ["=customer__email", "customer__last_name"]
    ordering = ["opened_at"]
    show_full_result_count = False
    change_form_template = "backoffice/case.html"
    fields = ["customer", "status", "assignee", "outcome", "decision", "opened_at", "closed_at",
              "closed_by", "sar_at"]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                alert_total=_count(MonitoringAlert),
                open_hit_total=_count(ScreeningHit, status=ScreeningHit.Status.OPEN),
            )
        )

    @admin.display(description=_("Alerts"), ordering="alert_total")
    def alert_count(self, obj):
        return obj.alert_total

    @admin.display(description=_("Hits to decide"), ordering="open_hit_total")
    def open_hits(self, obj):
        return obj.open_hit_total

    @admin.display(description=_("Case"), ordering="pk")
    def reference(self, obj):
        return obj.reference

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("<int:pk>/act/<str:action>/", view(self.act_view), name="compliance_case_act"),
            path("<int:pk>/report/", view(self.report_view), name="compliance_case_report"),
            path("<int:pk>/attachments/<int:attachment_id>/", view(self.attachment_view),
                 name="compliance_case_attachment"),
        ]  # fmt: skip
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = get_object_or_404(Case.objects.select_related("customer", "assignee"), pk=object_id)
        user = request.user
        context = {
            "case": case,
            "customer": case.customer,
            "alerts": case.alerts.select_related("rule", "transfer"),
            "hits": case.hits.select_related("entry"),
            "notes": case.notes.select_related("author"),
            "attachments": case.attachments.select_related("uploaded_by"),
            "transfers": case.customer.transfers.select_related("recipient")[:20],
            "can_work": case.status != Case.Status.CLOSED and user.has_perm("compliance.work_case"),
            "can_report": user.has_perm("compliance.file_sar"),
            "assign_form": AssignForm(initial={"assignee": case.assignee_id or user.pk}),
            "note_form": NoteForm(),
            "attach_form": AttachForm(),
            "close_form": CloseForm(),
        }
        return super().change_view(
            request, object_id, form_url, {**context, **(extra_context or {})}
        )

    def act_view(self, request, pk, action):
        calls = {
            "assign": (AssignForm, lambda d: cases.case_assign(
                case_id=pk, assignee=d["assignee"], actor=request.user)),
            "note": (NoteForm, lambda d: cases.case_add_note(
                case_id=pk, text=d["text"], actor=request.user)),
            "attach": (AttachForm, lambda d: cases.case_attach(
                case_id=pk, name=d["file"].name, actor=request.user,
                content=d["file"].read(settings.KYC_DOCUMENT_MAX_BYTES + 1))),
            "close": (CloseForm, lambda d: cases.case_close(
                case_id=pk, outcome=d["outcome"], decision=d["decision"], actor=request.user)),
        }  # fmt: skip
        if action not in calls:
            raise Http404
        form_class, call = calls[action]
        return run_action(
            request, permission="compliance.work_case", form_class=form_class, call=call,
            done=_("Done."), back=reverse("admin:compliance_case_change", args=[pk]),
        )  # fmt: skip

    def report_view(self, request, pk):
        """The suspicious activity report file, produced on a POST by someone allowed to."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("compliance.file_sar"):
            raise PermissionDenied
        try:
            name, body = cases.case_report(case_id=pk, actor=request.user)
        except DomainError as missing:
            raise Http404(str(missing)) from None
        return private_file(body, "application/json", name, inline=False)

    def attachment_view(self, request, pk, attachment_id):
        if not request.user.has_perm("compliance.work_case"):
            raise PermissionDenied
        attachment = get_object_or_404(CaseAttachment, pk=attachment_id, case_id=pk)
        content = cases.attachment_content(attachment)
        return private_file(content, attachment.content_type, attachment.name, inline=False)
