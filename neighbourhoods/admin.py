from django.contrib import admin

from neighbourhoods.models import (
    District,
    Division,
    EngagementMethod,
    Force,
    Neighbourhood,
    NeighbourhoodLink,
    NeighbourhoodLocation,
    SeniorOfficer,
    TeamMembership,
    Ward,
)


class EngagementMethodInline(admin.TabularInline):
    model = EngagementMethod
    fields = ["position", "title", "url", "description"]
    extra = 0


class SeniorOfficerInline(admin.StackedInline):
    model = SeniorOfficer
    fields = ["position", "name", "rank", "bio", "contact_details"]
    extra = 0


@admin.register(Force)
class ForceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "telephone"]
    search_fields = ["name", "slug"]
    inlines = [EngagementMethodInline, SeniorOfficerInline]


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "force"]
    list_filter = ["force"]
    search_fields = ["name", "code"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class WardInline(admin.TabularInline):
    model = Ward
    fields = ["code", "name", "district", "population", "is_priority_neighbourhood", "risk_category"]
    readonly_fields = ["code", "name", "district"]
    extra = 0
    can_delete = False
    show_change_link = True


class NeighbourhoodLocationInline(admin.StackedInline):
    model = NeighbourhoodLocation
    fields = ["position", "name", "location_type", "address", "postcode", "latitude", "longitude", "description"]
    extra = 0


class NeighbourhoodLinkInline(admin.TabularInline):
    model = NeighbourhoodLink
    fields = ["position", "title", "url", "description"]
    extra = 0


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "division", "population"]
    list_filter = ["division"]
    list_select_related = ["division"]
    search_fields = ["name", "code"]
    inlines = [WardInline, NeighbourhoodLocationInline, NeighbourhoodLinkInline]


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "district", "neighbourhood", "is_priority_neighbourhood", "risk_category"]
    list_filter = ["district", "is_priority_neighbourhood", "risk_category"]
    list_select_related = ["district", "neighbourhood"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["neighbourhood"]
    # Boundaries change only through import_wards, which validates them; hand edits would not.
    readonly_fields = [
        "code",
        "boundary",
        "centroid_latitude",
        "centroid_longitude",
        "min_longitude",
        "min_latitude",
        "max_longitude",
        "max_latitude",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "neighbourhood", "role", "start_date", "end_date"]
    list_filter = ["role", "neighbourhood__division"]
    list_select_related = ["user", "neighbourhood"]
    search_fields = ["user__full_name", "user__email", "neighbourhood__name"]
    autocomplete_fields = ["user", "neighbourhood"]
