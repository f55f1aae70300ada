from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from members.models import ContactMessage, Membership, Profile, RoleChange, User
from members.services import profile_for


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ["interests"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["chapter"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "display_name",
        "email_verified_at",
        "is_active",
        "is_staff",
        "date_joined",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "profile__display_name", "profile__institution"]
    readonly_fields = ["date_joined", "last_login"]
    inlines = [ProfileInline, MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password", "email_verified_at"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("profile")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        profile_for(form.instance)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "institution", "job_role", "in_directory"]
    list_filter = ["job_role", "in_directory"]
    search_fields = ["display_name", "institution", "user__email"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["interests"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "chapter", "role", "joined_at"]
    list_filter = ["role", "chapter"]
    search_fields = ["user__email", "user__profile__display_name"]
    autocomplete_fields = ["user", "chapter"]
    list_select_related = ["user__profile", "chapter"]


@admin.register(RoleChange)
class RoleChangeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "chapter", "member", "action", "actor"]
    list_filter = ["action", "chapter"]
    list_select_related = ["chapter", "member__profile", "actor__profile"]
    readonly_fields = ["chapter", "member", "actor", "action", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "chapter", "name", "subject", "relayed_at"]
    list_filter = ["chapter"]
    search_fields = ["name", "email", "subject", "body"]
    readonly_fields = ["chapter", "sender", "created_at", "relayed_at"]
