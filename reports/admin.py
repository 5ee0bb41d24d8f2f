from django.contrib import admin

from reports.models import HighlightReturn, ReturnEvent


class ReturnEventInline(admin.TabularInline):
    model = ReturnEvent
    extra = 0
    can_delete = False
    fields = ["at", "verb", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(HighlightReturn)
class HighlightReturnAdmin(admin.ModelAdmin):
    """Read-only: a return changes only through its services, so that every change is in its history
    and a submitted return's snapshot stays what the chief inspector signed."""

    list_display = ["division", "period_kind", "period_start", "due_date", "status", "submitted_by", "submitted_at"]
    list_filter = ["status", "period_kind", "division__force", "division"]
    list_select_related = ["division", "submitted_by"]
    date_hierarchy = "period_start"
    inlines = [ReturnEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
