from django.contrib import admin

from forum.models import (
    Category,
    Flag,
    ForumSettings,
    ModerationAction,
    Post,
    Suspension,
    Thread,
)


@admin.register(ForumSettings)
class ForumSettingsAdmin(admin.ModelAdmin):
    list_display = ["chapter", "visibility", "approval_threshold"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "chapter", "slug", "position"]
    list_filter = ["chapter"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["title", "chapter", "category", "author", "last_activity", "pinned", "locked"]
    list_filter = ["chapter", "pinned", "locked", "hidden"]
    search_fields = ["title"]
    raw_id_fields = ["author", "project"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["thread", "position", "author", "created", "approved", "hidden", "deleted"]
    list_filter = ["approved", "hidden", "deleted"]
    raw_id_fields = ["thread", "author"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["post", "reporter", "reason", "created", "resolved"]
    raw_id_fields = ["post", "reporter"]


@admin.register(Suspension)
class SuspensionAdmin(admin.ModelAdmin):
    list_display = ["user", "chapter", "until", "reason"]
    raw_id_fields = ["user"]


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ["created", "chapter", "actor", "kind", "reason"]
    list_filter = ["chapter", "kind"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the log is a record: nobody rewrites it
