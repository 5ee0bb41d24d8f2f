"""The meeting list's filters for the API: the page's MeetingFilter (type, state, dates), with the
neighbourhood and ward named by code as everywhere else in the API. They are matched inside the
list, which is already the user's area, so a code from elsewhere finds nothing and needs no
choices to check against."""

import django_filters

from meetings.filters import MeetingFilter
from neighbourhoods.models import Neighbourhood


class MeetingApiFilter(MeetingFilter):
    neighbourhood = django_filters.CharFilter(field_name="neighbourhood__code", help_text="Neighbourhood code.")
    ward = django_filters.CharFilter(field_name="wards__code", help_text="ONS ward code.")

    class Meta(MeetingFilter.Meta):
        pass

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # The page's filter offers the user's neighbourhoods as choices; codes need none.
        super().__init__(data, queryset, request=request, prefix=prefix, neighbourhoods=Neighbourhood.objects.none())
