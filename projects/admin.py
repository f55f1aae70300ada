from django.contrib import admin

from projects.models import Contributor, Project, Technology


@admin.register(Technology)
class TechnologyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ContributorInline(admin.TabularInline):
    model = Contributor
    extra = 0
    fields = ["user", "role", "position"]
    raw_id_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "chapter", "status", "institution", "licence", "updated"]
    list_filter = ["status", "chapter"]
    search_fields = ["name", "summary", "institution"]
    list_select_related = ["chapter"]
    autocomplete_fields = ["technologies"]
    filter_horizontal = ["focus_areas"]
    raw_id_fields = ["talks", "created_by"]
    readonly_fields = ["created", "updated"]
    inlines = [ContributorInline]


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role"]
    list_filter = ["project__chapter"]
    search_fields = ["project__name", "user__profile__display_name", "role"]
    list_select_related = ["project", "user__profile"]
    raw_id_fields = ["user", "project"]
