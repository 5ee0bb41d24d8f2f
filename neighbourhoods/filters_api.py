"""Query filters of the neighbourhoods API. They narrow a list already cut to the user's area, so a
code from another area simply matches nothing."""

import django_filters
from django import forms

from neighbourhoods.models import Neighbourhood, RiskCategory, Ward


class TrueFalseField(forms.Field):
    """`true` or `false`; django-filter's own boolean filter ignores anything else (?x=maybe)
    and lists everything."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if value not in ("true", "false"):
            raise forms.ValidationError("Use true or false.")
        return value == "true"


class TrueFalseFilter(django_filters.BooleanFilter):
    field_class = TrueFalseField


class NeighbourhoodApiFilter(django_filters.FilterSet):
    division = django_filters.CharFilter(field_name="division__code", help_text="Division code.")

    class Meta:
        model = Neighbourhood
        fields = ["division"]


class WardApiFilter(django_filters.FilterSet):
    neighbourhood = django_filters.CharFilter(field_name="neighbourhood__code", help_text="Neighbourhood code.")
    district = django_filters.CharFilter(field_name="district__code", help_text="ONS district code.")
    risk_category = django_filters.ChoiceFilter(choices=RiskCategory.choices)
    is_priority_neighbourhood = TrueFalseFilter()

    class Meta:
        model = Ward
        fields = ["neighbourhood", "district", "risk_category", "is_priority_neighbourhood"]
