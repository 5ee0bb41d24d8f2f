"""Query filters of the surveys API."""

import django_filters

from surveys.models import Survey, SurveyStatus


class SurveyApiFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SurveyStatus.choices)
    wave_label = django_filters.CharFilter(help_text="A wave of a repeated survey, e.g. 'Spring 2026'.")

    class Meta:
        model = Survey
        fields = ["status", "wave_label"]
