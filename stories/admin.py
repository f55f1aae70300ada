from django.contrib import admin

from stories.models import Category, Redirect, Story


class RedirectInline(admin.TabularInline):
    model = Redirect
    extra = 0
    fields = ["old_path"]


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "chapter", "kind", "status", "published", "source"]
    list_filter = ["status", "kind", "chapter"]
    search_fields = ["title", "excerpt", "source"]
    date_hierarchy = "published"
    autocomplete_fields = ["author", "chapter"]
    filter_horizontal = ["categories"]
    list_select_related = ["chapter"]
    inlines = [RedirectInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "chapter", "slug"]
    list_filter = ["chapter"]
    search_fields = ["name"]


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "story", "target_path", "created"]
    search_fields = ["old_path", "target_path", "story__title"]
    autocomplete_fields = ["story"]
    list_select_related = ["story__chapter"]
