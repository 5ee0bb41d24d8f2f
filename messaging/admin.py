"""The staff-managed interest list is edited here; subscribers and alerts are read-only here
(they change only through their services, which keep consent and audit records)."""

from django.contrib import admin

from messaging.models import Alert, DutyContact, Interest, Subscriber, TriggerWord


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "position"]
    list_editable = ["is_active", "position"]
    prepopulated_fields = {"slug": ["name"]}


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin):
    list_display = ["reference", "ward", "source", "created_at", "erased_at"]
    list_filter = ["source", "language"]
    list_select_related = ["ward"]
    exclude = ["age_band", "ethnic_group"]  # never shown per person


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "audience_level", "status", "created_by", "created_at"]
    list_filter = ["status", "kind", "audience_level"]
    list_select_related = ["created_by"]


@admin.register(TriggerWord)
class TriggerWordAdmin(admin.ModelAdmin):
    """The words and phrases that make a member's reply urgent (whole words, any case or accents)."""

    list_display = ["phrase", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["phrase"]


@admin.register(DutyContact)
class DutyContactAdmin(admin.ModelAdmin):
    list_display = ["neighbourhood", "name", "email", "mobile", "updated_at"]
    list_select_related = ["neighbourhood"]
    search_fields = ["neighbourhood__name", "name"]
    autocomplete_fields = ["neighbourhood"]
