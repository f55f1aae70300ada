from django.contrib import admin

from polls.models import Ballot, Choice, Option, Poll


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0
    fields = ["position", "label", "starts_at"]


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["question", "chapter", "kind", "opens_at", "closes_at", "meeting"]
    list_filter = ["kind", "results_for", "chapter"]
    search_fields = ["question"]
    date_hierarchy = "opens_at"
    raw_id_fields = ["meeting", "created_by"]
    inlines = [OptionInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    raw_id_fields = ["option"]


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    """Ballots are members' own: the admin shows them, for checking a count, and may delete."""

    list_display = ["poll", "user", "created", "updated"]
    list_filter = ["poll__chapter"]
    search_fields = ["poll__question", "user__email"]
    raw_id_fields = ["poll", "user"]
    readonly_fields = ["poll", "user", "created", "updated"]
    inlines = [ChoiceInline]
