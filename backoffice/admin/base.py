from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin


class ReadOnlyMixin:
    """Records that only services write: staff may look, never add, edit or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, ModelAdmin):
    pass


class HistoryAdmin(SimpleHistoryAdmin):
    """Who changed what and when, read only: the page that would restore an old version of a
    row (a transfer's status, a recipient's wallet, a case's decision) is refused outright."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise PermissionDenied
