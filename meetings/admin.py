from django.contrib import admin

from meetings.models import Meeting, MeetingSeries, RankHourlyCost


@admin.register(RankHourlyCost)
class RankHourlyCostAdmin(admin.ModelAdmin):
    """Forces set their own hourly cost per rank; every meeting's estimated cost uses these."""

    list_display = ["role", "hourly_cost"]
    list_editable = ["hourly_cost"]


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = ["description", "neighbourhood", "rrule", "first_start", "generated_until"]
    list_select_related = ["neighbourhood"]
    search_fields = ["description", "neighbourhood__name"]
    readonly_fields = ["neighbourhood", "rrule", "first_start", "generated_until", "created_by", "created_at"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """For support staff to look meetings up; officers change them through the portal's own
    pages, which apply the scope and workflow rules the admin does not."""

    list_display = ["title", "neighbourhood", "meeting_type", "starts_at", "status"]
    list_filter = ["status", "meeting_type", "neighbourhood__division"]
    list_select_related = ["neighbourhood"]
    search_fields = ["title", "neighbourhood__name", "venue_name"]
    date_hierarchy = "starts_at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
