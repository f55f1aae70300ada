from django.contrib import admin

from meetings.models import AnnouncementAddress, Meeting, Report, Rsvp, Series, Talk, Venue


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "host", "chapter", "locality", "capacity"]
    list_filter = ["chapter"]
    search_fields = ["name", "host", "street_address", "locality"]


class TalkInline(admin.TabularInline):
    model = Talk
    extra = 0
    fields = ["title", "speakers", "kind", "status", "starts_at"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "chapter", "start", "status", "venue", "capacity"]
    list_filter = ["status", "format", "chapter"]
    search_fields = ["title", "description"]
    date_hierarchy = "start"
    list_select_related = ["chapter", "venue"]
    autocomplete_fields = ["venue"]
    inlines = [TalkInline]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "chapter", "rule", "first_start", "active"]
    list_filter = ["chapter", "active"]
    search_fields = ["title"]


@admin.register(Rsvp)
class RsvpAdmin(admin.ModelAdmin):
    list_display = ["meeting", "user", "status", "guests", "queued_at", "attended"]
    list_filter = ["status", "meeting__chapter"]
    search_fields = ["user__email", "user__profile__display_name", "meeting__title"]
    list_select_related = ["meeting", "user__profile"]
    autocomplete_fields = ["user", "meeting"]


@admin.register(Talk)
class TalkAdmin(admin.ModelAdmin):
    list_display = ["title", "speakers", "meeting", "kind", "status", "starts_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "speakers", "abstract"]
    list_select_related = ["meeting"]
    autocomplete_fields = ["meeting", "proposer"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["meeting", "attendance", "published", "updated"]
    list_filter = ["published"]
    list_select_related = ["meeting"]


@admin.register(AnnouncementAddress)
class AnnouncementAddressAdmin(admin.ModelAdmin):
    list_display = ["email", "label", "chapter"]
    list_filter = ["chapter"]
