from django.contrib import admin

from chapters.models import Chapter, ChapterLink, FocusArea


class FocusAreaInline(admin.TabularInline):
    model = FocusArea
    extra = 1


class ChapterLinkInline(admin.TabularInline):
    model = ChapterLink
    extra = 1


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "region", "time_zone", "created_at"]
    search_fields = ["name", "slug", "region"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FocusAreaInline, ChapterLinkInline]


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "chapter", "position"]
    list_filter = ["chapter"]
    search_fields = ["name"]


@admin.register(ChapterLink)
class ChapterLinkAdmin(admin.ModelAdmin):
    list_display = ["label", "url", "chapter", "position"]
    list_filter = ["chapter"]
