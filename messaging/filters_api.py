"""Query filters of the In the Know API. They narrow lists already cut to what the user may see."""

import django_filters

from messaging.models import Alert, AlertKind, AlertStatus, Language, SignUpSource, Subscriber
from neighbourhoods.models import Ward


class AlertApiFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices)

    class Meta:
        model = Alert
        fields = ["status", "kind"]


class SubscriberApiFilter(django_filters.FilterSet):
    ward = django_filters.CharFilter(field_name="ward__code", help_text="ONS ward code.")
    neighbourhood = django_filters.CharFilter(field_name="ward__neighbourhood__code", help_text="Neighbourhood code.")
    source = django_filters.ChoiceFilter(choices=SignUpSource.choices)
    language = django_filters.ChoiceFilter(choices=Language.choices)

    class Meta:
        model = Subscriber
        fields = ["ward", "neighbourhood", "source", "language"]


class SubscriberWardApiFilter(django_filters.FilterSet):
    neighbourhood = django_filters.CharFilter(field_name="neighbourhood__code", help_text="Neighbourhood code.")

    class Meta:
        model = Ward
        fields = ["neighbourhood"]
