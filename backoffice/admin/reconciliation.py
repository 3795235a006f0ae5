"""Finance's reconciliation screens: statements (imported with a dry-run preview, then
confirmed), their items by result, and resolving an item with a reason (and, when our books
were wrong, an adjusting entry)."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from unfold.admin import ModelAdmin
from unfold.contrib.import_export.forms import ImportForm
from unfold.paginator import InfinitePaginator

from backoffice.admin.base import ReadOnlyAdmin, ReadOnlyMixin
from backoffice.admin.service_actions import run_action
from payments.money import display
from reconciliation.importing import IMPORT_FORMATS, RESOURCES
from reconciliation.models import ReconItem, Statement
from reconciliation.services import OPEN_RESULTS, item_resolve

R = ReconItem.Result


@admin.register(Statement)
class StatementAdmin(ImportMixin, ReadOnlyMixin, ModelAdmin):
    list_display = ["imported_at", "source", "file_name", "period_start", "period_end", "lines",
                    "matched", "to_resolve"]  # fmt: skip
    list_filter = ["source"]
    resource_classes = RESOURCES
    import_form_class = ImportForm
    formats = IMPORT_FORMATS
    skip_admin_log = True  # the lines are the record; LogEntry would name the wrong model
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                matched_n=Count("items", filter=Q(items__result=R.MATCHED)),
                open_n=Count("items", filter=Q(items__result__in=OPEN_RESULTS)),
            )
        )

    @admin.display(description=_("Matched"))
    def matched(self, obj):
        return obj.matched_n

    @admin.display(description=_("To resolve"))
    def to_resolve(self, obj):
        return obj.open_n

    def change_view(self, request, object_id, form_url="", extra_context=None):
        url = reverse("admin:reconciliation_reconitem_changelist")
        return HttpResponseRedirect(f"{url}?statement__id__exact={object_id}")


class ResolveForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    adjust = forms.BooleanField(
        required=False, label=_("Our books are wrong: post the difference"),
        help_text=_("Posts statement amount minus ours to the account, against reconciliation "
                    "adjustments"),
    )  # fmt: skip


class ToResolveFilter(admin.SimpleListFilter):
    title = _("to resolve")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Everything left to resolve"))]

    def queryset(self, request, queryset):
        return queryset.filter(result__in=OPEN_RESULTS) if self.value() == "yes" else queryset


@admin.register(ReconItem)
class ReconItemAdmin(ReadOnlyAdmin):
    list_display = ["statement", "side", "line_no", "reference", "display_amount",
                    "display_expected", "booked_at", "result"]  # fmt: skip
    list_filter = [ToResolveFilter, "result", "source", "side"]
    list_select_related = ["statement"]
    search_fields = ["=reference"]
    paginator = InfinitePaginator
    show_full_result_count = False
    change_form_template = "backoffice/recon_item.html"

    @admin.display(description=_("Statement says"))
    def display_amount(self, obj):
        return display(obj.amount_minor, obj.currency) if obj.side == "statement" else "—"

    @admin.display(description=_("Our books say"))
    def display_expected(self, obj):
        return "—" if obj.expected_minor is None else display(obj.expected_minor, obj.currency)

    def get_urls(self):
        own = [
            path("<int:pk>/resolve/", self.admin_site.admin_view(self.resolve_view),
                 name="reconciliation_reconitem_resolve"),
        ]  # fmt: skip
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = get_object_or_404(ReconItem, pk=object_id)
        context = {
            "item": item,
            "can_resolve": item.result in OPEN_RESULTS
            and request.user.has_perm("reconciliation.resolve_reconitem"),
            "form": ResolveForm(),
        }
        return super().change_view(
            request, object_id, form_url, {**context, **(extra_context or {})}
        )

    def resolve_view(self, request, pk):
        return run_action(
            request, permission="reconciliation.resolve_reconitem", form_class=ResolveForm,
            call=lambda d: item_resolve(item_id=pk, reason=d["reason"], adjust=d["adjust"],
                                        actor=request.user),
            done=_("Resolved."), back=reverse("admin:reconciliation_reconitem_change", args=[pk]),
        )  # fmt: skip
