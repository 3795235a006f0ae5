"""Finance exports in the console: choose a report, a period and a format. A CSV streams to
the browser at once; any export can also be built as a file by a job and downloaded later."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.admin.base import ReadOnlyAdmin
from exports import reports, services
from exports.models import Export

PERMISSION = "payments.export_data"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportForm(forms.Form):
    report = forms.ChoiceField(choices=[(k, r.title) for k, r in reports.REPORTS.items()])
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    file_format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "XLSX")], label=_("Format"))
    delivery = forms.ChoiceField(
        choices=[("now", _("Download now (CSV streams)")), ("job", _("Build a file to download"))],
        initial="now",
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "report", "file_format", "start", "end", "status", "rows",
                    "requested_by", "download"]  # fmt: skip
    list_filter = ["report", "status"]
    list_select_related = ["requested_by"]
    change_list_template = "backoffice/exports.html"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)

    @admin.display(description=_("File"))
    def download(self, obj):
        from django.utils.html import format_html

        if obj.status != Export.Status.READY:
            return obj.get_status_display()
        url = reverse("admin:exports_export_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.file_name)

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("new/", view(self.new_view), name="exports_export_new"),
            path("<int:pk>/download/", view(self.download_view), name="exports_export_download"),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        today = timezone.localdate()
        form = ExportForm(initial={"start": today - timedelta(days=30), "end": today})
        return super().changelist_view(request, {"export_form": form, **(extra_context or {})})

    def new_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        form = ExportForm(request.POST)
        back = reverse("admin:exports_export_changelist")
        if not form.is_valid():
            messages.error(request, "; ".join(" ".join(e) for e in form.errors.values()))
            return HttpResponseRedirect(back)
        d = form.cleaned_data
        if d["delivery"] == "now" and d["file_format"] == "csv":
            name = f"moneybridge-{d['report']}-{d['start']}-{d['end']}.csv"
            response = StreamingHttpResponse(
                services.csv_stream(d["report"], d["start"], d["end"]),
                content_type=CONTENT_TYPES["csv"],
            )
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        services.export_request(report=d["report"], file_format=d["file_format"],
                                start=d["start"], end=d["end"], actor=request.user)  # fmt: skip
        messages.success(request, _("The file is being built: it appears below when ready."))
        return HttpResponseRedirect(back)

    def download_view(self, request, pk):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        export = get_object_or_404(Export, pk=pk)
        if export.status != Export.Status.READY:
            raise Http404("not ready")
        response = FileResponse(  # streamed from disk in chunks
            services.export_path(export).open("rb"), as_attachment=True,
            filename=export.file_name, content_type=CONTENT_TYPES[export.file_format],
        )  # fmt: skip
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
