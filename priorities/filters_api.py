"""Query filters of the priorities API. They narrow lists already cut to what the user may see, so
a code or id from elsewhere simply matches nothing."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from priorities.models import Action, ActionStatus, Category, Issue, IssueSource, IssueStatus, Priority, PriorityState

# The database's id column is a signed 64-bit integer: a larger number is a bad filter, not a crash.
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class PriorityApiFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=PriorityState.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    neighbourhood = django_filters.CharFilter(field_name="neighbourhood__code", help_text="Neighbourhood code.")
    ward = django_filters.CharFilter(field_name="wards__code", help_text="ONS ward code.")
    review_before = django_filters.DateFilter(
        field_name="review_date", lookup_expr="lte", help_text="Review date on or before this date."
    )

    class Meta:
        model = Priority
        fields = ["state", "category", "neighbourhood", "ward", "review_before"]


class ActionApiFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices)
    priority = IdFilter(field_name="priority_id", help_text="Priority id.")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", help_text="Due on or before.")

    class Meta:
        model = Action
        fields = ["status", "priority", "due_before"]


class IssueApiFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=IssueStatus.choices, help_text="`new` is the triage queue.")
    category = django_filters.ChoiceFilter(choices=Category.choices)
    source = django_filters.ChoiceFilter(choices=IssueSource.choices)
    neighbourhood = django_filters.CharFilter(field_name="neighbourhood__code", help_text="Neighbourhood code.")
    ward = django_filters.CharFilter(field_name="ward__code", help_text="ONS ward code.")

    class Meta:
        model = Issue
        fields = ["status", "category", "source", "neighbourhood", "ward"]
