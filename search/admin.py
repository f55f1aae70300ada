from django.contrib import admin

from search.models import PendingChange


@admin.register(PendingChange)
class PendingChangeAdmin(admin.ModelAdmin):
    """The outbox, to see whether the worker keeps up; rows come and go on their own."""

    list_display = ["key", "created"]
    search_fields = ["key"]
    date_hierarchy = "created"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
