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
