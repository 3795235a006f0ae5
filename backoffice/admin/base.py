from unfold.admin import ModelAdmin


class ReadOnlyAdmin(ModelAdmin):
    """Records that only services write: staff may look, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
