from django.contrib import admin

from chapterhouse.models import SentMail, Unsubscribe


@admin.register(SentMail)
class SentMailAdmin(admin.ModelAdmin):
    """Read-only; a claim never marked sent may be deleted so that a rerun sends it."""

    list_display = ["key", "to", "created", "sent_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "to"]
    date_hierarchy = "created"
    actions = None  # no bulk delete: deleting a sent row would let its message go twice

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return (
            obj is not None and obj.sent_at is None and super().has_delete_permission(request, obj)
        )


@admin.register(Unsubscribe)
class UnsubscribeAdmin(admin.ModelAdmin):
    """Who left which list; deleting a row subscribes the address again."""

    list_display = ["email", "list_key", "user", "created"]
    list_filter = ["list_key"]
    search_fields = ["email", "list_key"]
    raw_id_fields = ["user"]
    readonly_fields = ["created"]
