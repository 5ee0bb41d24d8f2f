import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting, MeetingStatus, MeetingType
from neighbourhoods.models import Neighbourhood, Ward

# The models' labels are gettext_noop'd plain strings; here, on a staff page, they are shown translated.
STATE_CHOICES = [
    *((value, _(label)) for value, label in MeetingStatus.choices),
    ("awaiting_outcome", _("Held, outcome not recorded")),
    ("recorded", _("Outcome recorded")),
]
TYPE_CHOICES = [(value, _(label)) for value, label in MeetingType.choices]


class MeetingFilter(django_filters.FilterSet):
    meeting_type = django_filters.ChoiceFilter(choices=TYPE_CHOICES, label=_("Type"), empty_label=_("Any type"))
    neighbourhood = django_filters.ModelChoiceFilter(
        queryset=Neighbourhood.objects.none(), empty_label=_("Any"), method="filter_neighbourhood"
    )
    ward = django_filters.ModelChoiceFilter(queryset=Ward.objects.none(), field_name="wards", empty_label=_("Any ward"))
    state = django_filters.ChoiceFilter(
        choices=STATE_CHOICES, method="filter_state", label=_("Status"), empty_label=_("Any")
    )
    date_from = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Meeting
        fields = ["meeting_type", "neighbourhood", "ward", "state", "date_from", "date_to"]

    def __init__(self, *args, neighbourhoods, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["neighbourhood"].queryset = neighbourhoods
        self.filters["ward"].queryset = Ward.objects.filter(neighbourhood__in=neighbourhoods).defer("boundary")

    def filter_neighbourhood(self, queryset, name, value):
        # Its own meetings and the town-wide ones hosted next door that cover it too.
        return queryset.for_neighbourhood(value)

    def filter_state(self, queryset, name, value):
        if value == "awaiting_outcome":
            return queryset.filter(
                Q(outcome_recorded_at__isnull=True) & ~Q(status=MeetingStatus.CANCELLED),
                starts_at__lt=timezone.now(),
            )
        if value == "recorded":
            return queryset.filter(outcome_recorded_at__isnull=False)
        return queryset.filter(status=value)
