"""Federation in the admin: who follows whom, what was sent and received, remote content.

Private keys never show here; a key is made by federation.keys and only its public half
is shown.
"""

from django.contrib import admin

from federation.models import (
    Activity,
    ActorKey,
    Delivery,
    Follower,
    Following,
    InboxItem,
    RemoteActor,
    RemoteObject,
)


@admin.register(ActorKey)
class ActorKeyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created"]
    fields = ["chapter", "public_pem", "created"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RemoteActor)
class RemoteActorAdmin(admin.ModelAdmin):
    list_display = ["uri", "type", "preferred_username", "name", "fetched_at"]
    list_filter = ["type"]
    search_fields = ["uri", "preferred_username", "name"]


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    list_display = ["actor", "chapter", "created"]
    list_filter = ["chapter"]
    list_select_related = ["actor", "chapter"]
    raw_id_fields = ["actor"]


@admin.register(Following)
class FollowingAdmin(admin.ModelAdmin):
    list_display = ["actor", "chapter", "state", "created"]
    list_filter = ["state", "chapter"]
    list_select_related = ["actor", "chapter"]
    raw_id_fields = ["actor", "created_by"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["type", "object_key", "chapter", "public", "created"]
    list_filter = ["type", "public", "chapter"]
    search_fields = ["object_key"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["activity", "inbox", "status", "attempts", "next_attempt", "sent_at"]
    list_filter = ["status"]
    search_fields = ["inbox"]
    list_select_related = ["activity"]
    raw_id_fields = ["activity"]


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin):
    list_display = ["type", "actor_uri", "chapter", "status", "received"]
    list_filter = ["status", "type"]
    search_fields = ["activity_id", "actor_uri"]


@admin.register(RemoteObject)
class RemoteObjectAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "actor", "start", "cancelled", "updated"]
    list_filter = ["kind", "cancelled"]
    search_fields = ["name", "uri"]
    list_select_related = ["actor"]
    raw_id_fields = ["actor"]
